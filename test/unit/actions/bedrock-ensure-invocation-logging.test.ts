/**
 * `bedrock.ensure-invocation-logging` paths moto_server cannot show, against aws-sdk-client-mock: AWS omitting
 * `loggingConfig` (never set), a release after a crash between the put and the journaled output, and a refused put
 * surfacing as the step's failure (never swallowed).
 */
import { BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, GetModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { desiredLoggingConfig, ensureInvocationLogging } from '../../../src/actions/bedrock-ensure-invocation-logging.js';
import { awsError, makeCtx } from './action-fixtures.js';

const bedrock = mockClient(BedrockClient);
const destination = { s3: { bucketName: 'evidence-bucket' } };

beforeEach(() => bedrock.reset());

describe('bedrock.ensure-invocation-logging (aws-sdk-client-mock)', () => {
  it('AWS omits loggingConfig when logging was never set: read as none, and release deletes what the step put', async () => {
    const c = makeCtx();
    const input = ensureInvocationLogging.parseInput({ destination }, c);
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const pre = await ensureInvocationLogging.capture(input, c);
    expect(pre).toEqual({ region: 'eu-west-1', prior: null });
    const out = await ensureInvocationLogging.apply(input, pre, c);
    expect(bedrock).toHaveReceivedCommandWith(PutModelInvocationLoggingConfigurationCommand, { loggingConfig: desiredLoggingConfig(destination) as never });

    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: desiredLoggingConfig(destination) as never });
    bedrock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    expect(await ensureInvocationLogging.release!(input, pre, out, c)).toMatchObject({ action: 'deleted' });
  });

  it('after a crash (no journaled output), release still undoes the configuration the step would have put', async () => {
    const c = makeCtx();
    const input = ensureInvocationLogging.parseInput({ destination }, c);
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: desiredLoggingConfig(destination) as never });
    bedrock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    expect(await ensureInvocationLogging.release!(input, { region: 'eu-west-1', prior: null }, undefined, c)).toMatchObject({ action: 'deleted' });
    expect(bedrock).toHaveReceivedCommandTimes(DeleteModelInvocationLoggingConfigurationCommand, 1);
  });

  it('a refused put fails the step with the AWS error (never swallowed)', async () => {
    const c = makeCtx();
    const input = ensureInvocationLogging.parseInput({ destination: { cloudWatch: { logGroupName: 'g', roleArn: 'arn:aws:iam::111122223333:role/other' } } }, c);
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized to perform: iam:PassRole'));
    const pre = await ensureInvocationLogging.capture(input, c);
    const err = await ensureInvocationLogging.apply(input, pre, c).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('iam:PassRole') });
  });

  it('a destination that is not one is refused at parse time, naming the field', () => {
    expect(() => ensureInvocationLogging.parseInput({ destination: {} }, makeCtx())).toThrow(/destination: a cloudWatch and\/or an s3 destination/);
    expect(() => ensureInvocationLogging.parseInput({ destination: { s3: { bucketName: 'Bad_Bucket' } } }, makeCtx())).toThrow(/destination\.s3\.bucketName: an S3 bucket name/);
  });
});
