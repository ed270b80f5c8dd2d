/**
 * The Lambda's policy from TOURNIQUET_POLICY: compiled text (what the deploy uploads) is read as such, inline or from
 * S3; a YAML policy file given by hand still works (through the lazily imported YAML reader); absent → built-in.
 */
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { loadLambdaPolicy } from '../../../src/lambda/lambda-policy.js';
import { builtInPolicy } from '../../../src/policy/built-in-policy.js';
import { compilePolicy } from '../../../src/policy/compiled-policy.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const YAML = 'version: 1\ndefaults: { mode: observe }\nrules:\n  - name: r\n    match: { subject: [ec2-instance] }\n    mode: approve\n';
const URI = 's3://findings/config/tourniquet-policy-0123456789abcdef.json';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
/** A body with the SDK's `transformToString`, as GetObject returns it. */
const body = (text: string): GetObjectCommandOutput['Body'] =>
  Object.assign(Readable.from([Buffer.from(text)]), { transformToString: () => Promise.resolve(text) }) as unknown as GetObjectCommandOutput['Body'];

beforeEach(() => s3mock.reset());

describe('loadLambdaPolicy', () => {
  it('absent: the built-in policy, nothing read', async () => {
    expect(await loadLambdaPolicy(undefined, s3)).toStrictEqual(builtInPolicy());
    expect(s3mock.calls()).toHaveLength(0);
  });

  it('a compiled policy from S3: read as compiled, its source the URI', async () => {
    s3mock.on(GetObjectCommand, { Bucket: 'findings', Key: 'config/tourniquet-policy-0123456789abcdef.json' }).resolves({ Body: body(compilePolicy(parsePolicy(YAML, 'tourniquet.yaml'))) });
    expect(await loadLambdaPolicy(URI, s3)).toStrictEqual(parsePolicy(YAML, URI));
  });

  it('a compiled policy inline: source TOURNIQUET_POLICY', async () => {
    expect(await loadLambdaPolicy(compilePolicy(parsePolicy(YAML, 'x.yaml')), s3)).toStrictEqual(parsePolicy(YAML, 'TOURNIQUET_POLICY'));
  });

  it('a YAML policy inline or from S3 (by hand) is still read', async () => {
    expect(await loadLambdaPolicy(YAML, s3)).toStrictEqual(parsePolicy(YAML, 'TOURNIQUET_POLICY'));
    s3mock.on(GetObjectCommand).resolves({ Body: body(YAML) });
    expect(await loadLambdaPolicy('s3://findings/policy/tourniquet.yaml', s3)).toStrictEqual(parsePolicy(YAML, 's3://findings/policy/tourniquet.yaml'));
  });

  it('a bad compiled policy fails the cold start with a PolicyError naming the URI and the path', async () => {
    s3mock.on(GetObjectCommand).resolves({ Body: body(compilePolicy(parsePolicy(YAML, 'tourniquet.yaml')).replace('"observe"', '"enforce"')) });
    const err = await loadLambdaPolicy(URI, s3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).message).toBe(`${URI}: 1 problem(s)\n  policy.defaults.mode: expected one of "observe", "approve", "contain", received string "enforce"`);
  });
});
