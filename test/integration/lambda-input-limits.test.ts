/**
 * The respond Lambda applies the input limits of its environment (TOURNIQUET_MAX_LINE_BYTES,
 * TOURNIQUET_MAX_DECOMPRESSED_BYTES) to S3 export objects, against moto_server: an over-long line is quarantined
 * with the limit's name and the lines after it are journaled; an object unpacking past the limit is quarantined where
 * reading stopped. Neither is retried (no batch item failure): they are permanent. Observe mode: journal and
 * evidence only, state read back.
 */
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type * as RespondModule from '../../src/lambda/respond-handler.js';
import { finding, instanceDetails } from '../unit/findings/finding-fixtures.js';
import { sqsRecord } from '../support/sqs-record.js';
import { setLambdaEnv } from '../support/lambda-env.js';

const TABLE = 'tourniquet-journal';
const EVIDENCE = 'tourniquet-evidence';
const FINDINGS = 'guardduty-findings-123456789012';

let moto: MotoServer;
let s3: S3Client;
let journal: Journal;
let handler: typeof RespondModule.handler;
let resetRuntime: typeof RespondModule.resetRuntimeForTests;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  moto = await startMotoServer();
  const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await Promise.all([s3.send(new CreateBucketCommand({ Bucket: EVIDENCE })), s3.send(new CreateBucketCommand({ Bucket: FINDINGS }))]);
  restoreEnv = setLambdaEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  journal = await openJournal({ tableName: TABLE, endpoint: moto.endpoint });
  await journal.ensureTable();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: TABLE,
    TOURNIQUET_EVIDENCE_BUCKET: EVIDENCE,
    TOURNIQUET_MODE: 'observe',
    TOURNIQUET_MAX_LINE_BYTES: '4KiB',
    TOURNIQUET_MAX_DECOMPRESSED_BYTES: '64KiB',
  });
  ({ handler, resetRuntimeForTests: resetRuntime } = await import('../../src/lambda/respond-handler.js'));
});

afterAll(async () => {
  await resetRuntime?.();
  await journal?.close();
  restoreEnv?.();
  await moto?.stop();
});

const notification = (key: string): string =>
  JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: FINDINGS }, object: { key } } }] });

const line = (id: string, instanceId: string): string =>
  JSON.stringify(finding({ id, arn: `arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/${id}` }, { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceId }) }));

async function quarantined(messageId: string): Promise<Array<{ reason: string; original: string }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: EVIDENCE, Prefix: 'quarantine/' }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.includes(messageId));
  return Promise.all(
    keys.map(async (Key) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: EVIDENCE, Key }))).Body!.transformToString()) as { reason: string; original: string }),
  );
}

describe('respond Lambda input limits', () => {
  it('quarantines an over-long export line naming the limit, and journals the lines after it', async () => {
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/long-line.jsonl.gz';
    const text = `${line('f1000000000000000000000000000001', 'i-0aaaaaaaaaaaaaaa1')}\n{"x":"${'x'.repeat(5000)}"}\n${line('f1000000000000000000000000000002', 'i-0aaaaaaaaaaaaaaa2')}\n`;
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync(text) }));
    const result = await handler({ Records: [sqsRecord('m-long-line', notification(key))] });
    expect(result.batchItemFailures).toEqual([]);
    const q = await quarantined('m-long-line');
    expect(q.map((x) => x.reason)).toEqual([
      `s3://${FINDINGS}/${key}:2: $: expected a line of at most 4 KiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES), received a line of 5008 bytes (more than 4 KiB)`,
    ]);
    const subjects = (await journal.listIncidents()).map((i) => i.subjectId).sort();
    expect(subjects).toEqual(expect.arrayContaining(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2']));
  });

  it('quarantines an export object that unpacks past the limit where reading stopped, without retrying it', async () => {
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/bomb.jsonl.gz';
    const one = line('f2000000000000000000000000000001', 'i-0bbbbbbbbbbbbbbb1');
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync(`${one}\n`.repeat(200)) }));
    const result = await handler({ Records: [sqsRecord('m-bomb', notification(key))] });
    expect(result.batchItemFailures).toEqual([]);
    const q = await quarantined('m-bomb');
    expect(q).toHaveLength(1);
    expect(q[0]!.reason).toMatch(
      new RegExp(`^s3://${FINDINGS}/${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: \\$: expected an export object that unpacks to at most 64 KiB \\(raise with --max-decompressed-bytes or TOURNIQUET_MAX_DECOMPRESSED_BYTES\\), received more than 64 KiB after \\d+ complete line\\(s\\); the rest was not read$`),
    );
    expect((await journal.listIncidents()).map((i) => i.subjectId)).toContain('i-0bbbbbbbbbbbbbbb1');
  });
});
