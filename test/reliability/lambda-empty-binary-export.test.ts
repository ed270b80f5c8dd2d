/**
 * Bad input at the S3 export entry point (issue 12): an export object that is empty, or binary, delivered to the
 * respond Lambda through its SQS notification, against moto_server. An empty object and one that is not gzip are
 * quarantined once with one line naming the object and the problem; binary that reads as lines is quarantined line
 * by line (each reason names the object and the line). None is retried (no batch item failure: the same bytes can
 * never succeed), nothing of it is journaled, and a good object in the same batch is handled.
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


const CASES = [
  { name: 'an empty .jsonl.gz object (0 bytes)', key: 'empty.jsonl.gz', body: () => Buffer.alloc(0), reason: /: \$: expected an export object with at least one finding, received an empty object \(0 bytes\)$/, perLine: false },
  { name: 'a gzip of nothing', key: 'empty-gzip.jsonl.gz', body: () => gzipSync(Buffer.alloc(0)), reason: /: \$: expected an export object with at least one finding, received an object with no finding in it/, perLine: false },
  { name: 'binary bytes named .jsonl.gz (not gzip)', key: 'binary.jsonl.gz', body: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256)), reason: /:1: \$: expected a complete gzip stream, received corrupt gzip data \(.+\) after 0 complete line\(s\); the rest was not read$/, perLine: false },
  // Binary that is (or unpacks to) "lines": each line is quarantined with its number, none journaled.
  { name: 'binary bytes inside a valid gzip', key: 'binary-inside.jsonl.gz', body: () => gzipSync(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 53 + 7) % 256))), reason: /:\d+: \$: expected one JSON finding per line, received unparseable JSON/, perLine: true },
  { name: 'binary bytes named .jsonl (plain)', key: 'binary.jsonl', body: () => Buffer.from([0x00, 0xff, 0x10, 0x80, 0x0a, 0x7b, 0x00]), reason: /:\d+: \$: expected one JSON finding per line, received unparseable JSON/, perLine: true },
] as const;

describe('an empty or binary S3 export object', () => {
  it.each(CASES)('$name: quarantined with one line naming it, not retried, nothing journaled; the good object beside it is handled', async (c) => {
    const key = `AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/02/${c.key}`;
    await lambda.s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: c.body() }));
    const goodKey = `AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/02/good-${c.key.replace(/\W/g, '-')}.jsonl.gz`;
    const goodInstance = `i-0${(CASES.indexOf(c) + 1).toString().repeat(16)}`;
    await lambda.s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: goodKey, Body: gzipSync(`${line(`f30000000000000000000000000000${CASES.indexOf(c)}0`, goodInstance)}\n`) }));
    const before = (await lambda.journal.listIncidents()).length;
    const id = `m-${c.key.replace(/\W/g, '-')}`;
    const result = await lambda.handler({ Records: [sqsRecord(id, notification(key)), sqsRecord(`${id}-good`, notification(goodKey))] });
    expect(result.batchItemFailures).toEqual([]);
    // Quarantine keys are found by message id prefix: keep this object's own records.
    const q = (await lambda.quarantined(id)).filter((x) => x.reason.startsWith(`s3://${FINDINGS}/${key}:`));
    if (c.perLine) expect(q.length).toBeGreaterThanOrEqual(1);
    else expect(q, JSON.stringify(q)).toHaveLength(1);
    for (const x of q) {
      expect(x.reason.split('\n')).toHaveLength(1);
      expect(x.reason).toMatch(c.reason);
      expect(typeof x.original).toBe('string');
    }
    // Only the good object's finding was journaled.
    const after = await lambda.journal.listIncidents();
    expect(after.length).toBe(before + 1);
    expect(after.map((i) => i.subjectId)).toContain(goodInstance);
    expect((await lambda.quarantined(`${id}-good`)).map((x) => x.reason)).toEqual([]);
  });
});
