/**
 * S3 action guards that moto cannot provoke, with aws-sdk-client-mock: the deny step refuses the responder's own
 * identity and a policy over 20 KB without writing; the tag step refuses an 11th tag without writing.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, GetObjectTaggingCommand, PutBucketPolicyCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getAction } from '../../../src/actions/registry.js';
import type { Subject } from '../../../src/findings/model.js';
import { ACCOUNT, makeCtx, REGION } from './action-fixtures.js';

const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);
afterEach(() => {
  s3Mock.reset();
  stsMock.reset();
});

const bucketSubject: Subject = { kind: 's3-bucket', id: 'models', accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: true, reasons: [] }, details: { bucketName: 'models' } };
const objectSubject: Subject = { kind: 's3-object', id: 'models/m.pkl', accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: true, reasons: [] }, details: { bucket: 'models', key: 'm.pkl', versionId: 'v1' } };

async function applyDeny(target: { kind: string; value: string }): Promise<unknown> {
  const action = getAction('s3.deny-principal');
  const ctx = makeCtx({ subject: bucketSubject });
  const input = action.parseInput({ target }, ctx);
  return action.apply(input, await action.capture(input, ctx), ctx);
}

describe('s3.deny-principal', () => {
  it('refuses to deny the identity the responder runs as, and writes nothing', async () => {
    s3Mock.on(GetBucketPolicyCommand).rejects(Object.assign(new Error('none'), { name: 'NoSuchBucketPolicy', $metadata: { httpStatusCode: 404 } }));
    stsMock.on(GetCallerIdentityCommand).resolves({ UserId: 'AROA3XFRBF23RESPONDER:incident-1', Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/tourniquet/incident-1`, Account: ACCOUNT });
    await expect(applyDeny({ kind: 'userid', value: 'AROA3XFRBF23RESPONDER:incident-1' })).rejects.toThrow(/refusing to deny the responder's own identity/);
    expect(s3Mock.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(0);
    // Anyone else is denied.
    s3Mock.on(PutBucketPolicyCommand).resolves({});
    await expect(applyDeny({ kind: 'userid', value: 'AIDA3XFRBF23EXAMPLE01' })).resolves.toMatchObject({ changed: true });
  });

  it('fails without writing when the merged policy would be over S3’s 20 KB', async () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Big', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: Array.from({ length: 580 }, (_, i) => `arn:aws:s3:::models/prefix-${i}/*`) }] });
    // 20,312 bytes: within the limit now, over it with the deny statement added.
    expect(big.length).toBeLessThan(20 * 1024);
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: big });
    stsMock.on(GetCallerIdentityCommand).resolves({ UserId: 'AROA3XFRBF23RESPONDER:x', Arn: 'arn:aws:sts::111122223333:assumed-role/tourniquet/x' });
    await expect(applyDeny({ kind: 'userid', value: 'AIDA3XFRBF23EXAMPLE01' })).rejects.toThrow(/over S3's 20 KB limit; nothing was changed/);
    expect(s3Mock.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
  });
});

describe('s3.tag-object-quarantine', () => {
  it('refuses an 11th tag without writing', async () => {
    s3Mock.on(GetObjectTaggingCommand).resolves({ TagSet: Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) });
    const action = getAction('s3.tag-object-quarantine');
    const ctx = makeCtx({ subject: objectSubject });
    const input = action.parseInput({}, ctx);
    await expect(action.apply(input, await action.capture(input, ctx), ctx)).rejects.toThrow(/already has 10 tags; S3 allows 10/);
    expect(s3Mock.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });
});
