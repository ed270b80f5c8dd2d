/**
 * An S3 export object whose gzip breaks partway, smaller and larger than one gunzip chunk unpacked: every complete
 * line before the break is yielded as a record. Garbage after a complete member and a corrupt byte are permanent (one
 * error item naming the object and the line where reading stopped, quarantined by the handler); a truncated object
 * may be a cut connection, so it throws after its lines (the handler leaves it to a redelivery, as before).
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings/model.js';
import { streamExportObject, type ExportItem } from '../../../src/lambda/s3-export-stream.js';
import { brokenGzip } from '../../support/broken-gzip.js';
import { finding } from '../findings/finding-fixtures.js';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const BUCKET = 'guardduty-findings-123456789012';
const KEY = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/broken.jsonl.gz';
const URI = `s3://${BUCKET}/${KEY}`;

const linesOf = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify(finding({ id: `e${i}` })));
const SIZES = [
  { size: 'smaller than one gunzip chunk', lines: linesOf(40) },
  { size: 'larger than one gunzip chunk', lines: linesOf(400) },
] as const;

/** The object in 64 KiB pieces, as the SDK's body stream delivers it. */
function answer(bytes: Buffer): void {
  s3mock.on(GetObjectCommand).callsFake(() => {
    const pieces = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    return { Body: Readable.from(pieces) as unknown as GetObjectCommandOutput['Body'] };
  });
}

/** The items yielded, and the error thrown at the end if any. */
async function collect(): Promise<{ items: ExportItem[]; thrown?: Error }> {
  const items: ExportItem[] = [];
  try {
    for await (const item of streamExportObject(s3, BUCKET, KEY)) items.push(item);
  } catch (err) {
    return { items, thrown: err as Error };
  }
  return { items };
}
const ids = (items: ExportItem[]): string[] => items.flatMap((i) => ('record' in i ? [(i.record as Finding).id] : []));

beforeEach(() => s3mock.reset());

describe('an S3 export object whose gzip breaks partway', () => {
  it.each(SIZES)('garbage after a complete member, $size: every line, then one error item', async ({ lines }) => {
    answer(brokenGzip(lines, 'garbage after a complete member'));
    const { items, thrown } = await collect();
    expect(thrown).toBeUndefined();
    expect(ids(items)).toEqual(lines.map((_, i) => `e${i}`));
    const errors = items.filter((i) => 'error' in i);
    expect(errors).toHaveLength(1);
    expect(items[items.length - 1]).toBe(errors[0]);
    expect('error' in errors[0]! && errors[0].error.message).toBe(
      `${URI}:${lines.length + 1}: $: expected a complete gzip stream, received corrupt gzip data (incorrect header check) after ${lines.length} complete line(s); the rest was not read`,
    );
  });

  it.each(SIZES)('a corrupt byte in the middle, $size: the lines before it, then one error item', async ({ lines }) => {
    answer(brokenGzip(lines, 'a corrupt byte in the middle'));
    const { items, thrown } = await collect();
    expect(thrown).toBeUndefined();
    expect(ids(items)).toEqual(lines.map((_, i) => `e${i}`));
    expect(items).toHaveLength(lines.length + 1);
    const last = items[lines.length]!;
    expect('error' in last && last.error.message).toMatch(
      new RegExp(`:${lines.length + 1}: \\$: expected a complete gzip stream, received corrupt gzip data \\(invalid block type\\) after ${lines.length} complete line\\(s\\)`),
    );
  });

  it.each(SIZES)('a truncated stream, $size: the lines before the cut, then the error is thrown (left to a redelivery)', async ({ lines }) => {
    answer(brokenGzip(lines, 'a truncated stream'));
    const { items, thrown } = await collect();
    expect(ids(items)).toEqual(lines.map((_, i) => `e${i}`));
    expect(items).toHaveLength(lines.length);
    expect(thrown?.message).toMatch(/unexpected end of file/);
  });
});
