/**
 * The respond Lambda applies the input limits of its environment (TOURNIQUET_MAX_LINE_BYTES,
 * TOURNIQUET_MAX_DECOMPRESSED_BYTES) to S3 export objects, against moto_server: an over-long line is quarantined
 * with the limit's name and the lines after it are journaled; an object unpacking past the limit is quarantined where
 * reading stopped. Neither is retried (no batch item failure): they are permanent. Observe mode: journal and
 * evidence only, state read back.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS, line, notification, startExportLambda, type ExportLambda } from '../support/export-lambda.js';
import { sqsRecord } from '../support/sqs-record.js';

let lambda: ExportLambda;

beforeAll(async () => {
  lambda = await startExportLambda();
});

afterAll(async () => {
  await lambda?.close();
});

describe('respond Lambda input limits', () => {
  it('quarantines an over-long export line naming the limit, and journals the lines after it', async () => {
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/long-line.jsonl.gz';
    const text = `${line('f1000000000000000000000000000001', 'i-0aaaaaaaaaaaaaaa1')}\n{"x":"${'x'.repeat(5000)}"}\n${line('f1000000000000000000000000000002', 'i-0aaaaaaaaaaaaaaa2')}\n`;
    await lambda.s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync(text) }));
    const result = await lambda.handler({ Records: [sqsRecord('m-long-line', notification(key))] });
    expect(result.batchItemFailures).toEqual([]);
    const q = await lambda.quarantined('m-long-line');
    expect(q.map((x) => x.reason)).toEqual([
      `s3://${FINDINGS}/${key}:2: $: expected a line of at most 4 KiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES), received a line of 5008 bytes (more than 4 KiB)`,
    ]);
    const subjects = (await lambda.journal.listIncidents()).map((i) => i.subjectId).sort();
    expect(subjects).toEqual(expect.arrayContaining(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2']));
  });

  it('quarantines an export object that unpacks past the limit where reading stopped, without retrying it', async () => {
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/bomb.jsonl.gz';
    const one = line('f2000000000000000000000000000001', 'i-0bbbbbbbbbbbbbbb1');
    await lambda.s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync(`${one}\n`.repeat(200)) }));
    const result = await lambda.handler({ Records: [sqsRecord('m-bomb', notification(key))] });
    expect(result.batchItemFailures).toEqual([]);
    const q = await lambda.quarantined('m-bomb');
    expect(q).toHaveLength(1);
    expect(q[0]!.reason).toMatch(
      new RegExp(`^s3://${FINDINGS}/${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: \\$: expected an export object that unpacks to at most 64 KiB \\(raise with --max-decompressed-bytes or TOURNIQUET_MAX_DECOMPRESSED_BYTES\\), received more than 64 KiB after \\d+ complete line\\(s\\); the rest was not read$`),
    );
    expect((await lambda.journal.listIncidents()).map((i) => i.subjectId)).toContain('i-0bbbbbbbbbbbbbbb1');
  });
});
