/**
 * `tourniquet triage s3://bucket/prefix` against moto_server: the findings export as GuardDuty writes it (gzip JSON
 * Lines objects, SSE-KMS with a customer key, a non-export object beside them), listed and streamed by the CLI. The
 * same incidents as from the local copy; rejected records name the S3 object and line.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { TriageResult } from '../../src/investigate/triage.js';
import { testClientConfig } from '../support/aws-clients.js';
import { runCli } from '../support/run-cli.js';
import { exportObjects } from '../support/triage-export.js';

const BUCKET = 'guardduty-findings-export';
const PREFIX = 'AWSLogs/111122223333/GuardDuty/us-east-1/2026/08/01/';
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMotoServer();
  // The CLI runs in this process and builds its own client from the environment, as it would for a user.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const s3 = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
  const kms = new KMSClient(testClientConfig(moto.endpoint));
  const keyId = (await kms.send(new CreateKeyCommand({ Description: 'findings export' }))).KeyMetadata!.KeyId!;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const o of exportObjects()) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${o.name}`, Body: o.body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
  }
  // GuardDuty writes a placeholder object when it first checks the bucket; it is not an export.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'AWSLogs/111122223333/GuardDuty/Do-not-delete-this-file', Body: 'x' }));
  s3.destroy();
  kms.destroy();
});

afterAll(async () => {
  await moto?.stop();
});

describe('triage of an S3 export', () => {
  it('lists and streams every export object under the prefix, KMS-encrypted, into ranked incidents', async () => {
    const out = await runCli(['triage', `s3://${BUCKET}/AWSLogs/`, '--endpoint', moto.endpoint, '--json']);
    expect(out.code).toBe(2);
    const r = JSON.parse(out.out) as TriageResult;
    expect(r.incidents.map((i) => i.findingIds)).toEqual([['seq1', 'c1'], ['k1', 'k2'], ['a1'], ['b1']]);
    expect(r.incidents.map((i) => i.count)).toEqual([42, 6, 7, 1]);
    expect(r.rejected.map((x) => [x.source, x.line, x.path])).toEqual([
      [`s3://${BUCKET}/${PREFIX}2026-08-01-a.jsonl.gz`, 3, '$'],
      [`s3://${BUCKET}/${PREFIX}2026-08-01-a.jsonl.gz`, 4, '$.type'],
    ]);
    expect(r.stats).toMatchObject({ records: 9, findings: 7, superseded: 2, rejected: 2 });
  });

  it('a bucket that does not exist is one clear error line', async () => {
    const out = await runCli(['triage', 's3://no-such-export-bucket/AWSLogs/', '--endpoint', moto.endpoint]);
    expect(out.code).not.toBe(0);
    expect(out.err.trim().split('\n')).toHaveLength(1);
    expect(out.err).toContain('NoSuchBucket');
  });
});
