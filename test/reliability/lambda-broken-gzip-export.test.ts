/**
 * An S3 export object whose gzip breaks partway, delivered to the respond Lambda through its SQS notification, against
 * moto_server: every finding before the break is journaled. Garbage after a complete member and a corrupt byte are
 * permanent: one quarantine record names the object, the line where reading stopped and the reason, and the message
 * is not retried. A truncated object may be a connection cut mid-body: its findings are journaled and the message is
 * left to a redelivery (a batch item failure), as before. The objects unpack to less than one gunzip chunk (the
 * tester's case: all their lines used to be lost); larger ones are covered by test/unit/lambda/s3-export-broken-gzip.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenGzip, type GzipBreak } from '../support/broken-gzip.js';
import { FINDINGS, line, notification, startExportLambda, type ExportLambda } from '../support/export-lambda.js';
import { sqsRecord } from '../support/sqs-record.js';

let lambda: ExportLambda;

beforeAll(async () => {
  lambda = await startExportLambda();
});

afterAll(async () => {
  await lambda?.close();
});

const CASES: ReadonlyArray<{ how: GzipBreak; n: number; reason: RegExp | undefined }> = [
  { how: 'garbage after a complete member', n: 1, reason: /: \$: expected a complete gzip stream, received corrupt gzip data \(incorrect header check\) after 5 complete line\(s\); the rest was not read$/ },
  { how: 'a corrupt byte in the middle', n: 2, reason: /: \$: expected a complete gzip stream, received corrupt gzip data \(invalid block type\) after 5 complete line\(s\); the rest was not read$/ },
  { how: 'a truncated stream', n: 3, reason: undefined },
];

describe('an S3 export object whose gzip breaks partway', () => {
  it.each(CASES)('$how: the 5 findings before the break are journaled; the break is reported once', async ({ how, n, reason }) => {
    const key = `AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/03/broken-${n}.jsonl.gz`;
    const instances = Array.from({ length: 5 }, (_, i) => `i-0${n}${String(i + 1).repeat(15)}`);
    const body = brokenGzip(instances.map((id, i) => line(`f${n}00000000000000000000000000000${i}`, id)), how);
    await lambda.s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: body }));
    const id = `m-broken-${n}`;
    const result = await lambda.handler({ Records: [sqsRecord(id, notification(key))] });
    const journaled = (await lambda.journal.listIncidents()).map((i) => i.subjectId).filter((s) => instances.includes(s));
    expect(journaled.sort()).toEqual(instances);
    const q = (await lambda.quarantined(id)).filter((x) => x.reason.startsWith(`s3://${FINDINGS}/${key}:`));
    if (reason === undefined) {
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: id }]);
      expect(q).toEqual([]);
      return;
    }
    expect(result.batchItemFailures).toEqual([]);
    expect(q, JSON.stringify(q)).toHaveLength(1);
    expect(q[0]!.reason).toMatch(new RegExp(`^s3://${FINDINGS}/${key}:6${reason.source}`));
  });
});
