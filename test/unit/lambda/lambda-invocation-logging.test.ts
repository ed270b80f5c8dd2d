/**
 * The deployment's Bedrock invocation-logging destination (TOURNIQUET_BEDROCK_*) reaches every playbook whose options
 * take it, applied when the engine loads that playbook: the cold start does not load every playbook to find out.
 * Its own file: nothing else may have loaded playbooks in this process.
 */
import { describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '../../../infra/lambda-env.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';
import { lambdaPlaybookOptions } from '../../../src/lambda/lambda-playbook-options.js';
import { loadPlaybook, loadedPlaybook } from '../../../src/playbooks/loaded-playbooks.js';

const base = { TOURNIQUET_JOURNAL_TABLE: 'journal', TOURNIQUET_EVIDENCE_BUCKET: 'evidence' };
const options = (env: Record<string, string>) => lambdaPlaybookOptions(readLambdaConfig({ ...base, ...env }), 'eu-west-1');

describe('the invocation-logging destination in the Lambda', () => {
  it('a deployed invocation-logging destination goes to each playbook that takes it when it is loaded, not by loading them all', async () => {
    const logging = { [LAMBDA_ENV.bedrockLogGroup]: '/tourniquet/bedrock-invocations', [LAMBDA_ENV.bedrockLoggingRoleArn]: 'arn:aws:iam::111122223333:role/bedrock-logging' };
    const json = JSON.stringify({ 'ec2-instance': { isolationSettleSeconds: 2 } });
    const source = await options({ ...logging, [LAMBDA_ENV.playbookOptions]: json });
    expect(typeof source).toBe('function');
    if (typeof source !== 'function') return;
    // Cold start loaded only what TOURNIQUET_PLAYBOOK_OPTIONS names.
    expect(loadedPlaybook('ec2-instance')).toBeDefined();
    expect(loadedPlaybook('bedrock')).toBeUndefined();
    expect(loadedPlaybook('iam-user')).toBeUndefined();
    const expected = { cloudWatch: { logGroupName: '/tourniquet/bedrock-invocations', roleArn: 'arn:aws:iam::111122223333:role/bedrock-logging' }, region: 'eu-west-1' };
    expect(source((await loadPlaybook('bedrock'))!)).toEqual({ invocationLogging: expected });
    expect(source((await loadPlaybook('iam-user'))!)).toEqual({ invocationLogging: expected });
    expect(source((await loadPlaybook('ec2-instance'))!)).toEqual({ isolationSettleSeconds: 2 });
    // A destination the option's schema refuses fails the cold start, naming the variables.
    await expect(options({ ...logging, [LAMBDA_ENV.bedrockLoggingRoleArn]: 'bedrock-logging' })).rejects.toThrow(
      /TOURNIQUET_BEDROCK_LOG_GROUP \/ TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN: invocationLogging\.cloudWatch\.roleArn: /,
    );
  });
});
