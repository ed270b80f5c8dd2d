/**
 * `--evidence-s3` is checked against the bucket before the journal is opened: a bucket that does not exist stops the
 * run with one line and no journal (the incident would otherwise be journaled and then stranded without evidence);
 * an existing bucket passes and receives the case. Against moto_server, state read back.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { runCli } from '../support/run-cli.js';
import { testClientConfig } from '../support/aws-clients.js';

const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');

let moto: MotoServer;
let s3: S3Client;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMotoServer();
  Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  s3 = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'tourniquet-evidence-test' }));
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-evidence-s3-'));
});
afterAll(async () => {
  for (const k of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('respond --evidence-s3', () => {
  it('refuses a bucket that does not exist before any journal exists: one line, exit 2', async () => {
    const journal = join(dir, 'missing-journal');
    const r = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', journal, '--evidence-s3', 's3://no-such-evidence-bucket/cases']);
    expect(r.err).toBe('tourniquet: --evidence-s3: bucket "no-such-evidence-bucket" does not exist\n');
    expect(r.code).toBe(2);
    expect(existsSync(journal)).toBe(false);
  });

  it('accepts an existing bucket, which then holds the case', async () => {
    const journal = join(dir, 'ok-journal');
    const r = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', journal, '--evidence-s3', 's3://tourniquet-evidence-test/cases']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'tourniquet-evidence-test', Prefix: 'cases/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    expect(keys.some((k) => k.endsWith('/manifest.jsonl'))).toBe(true);
  });
});
