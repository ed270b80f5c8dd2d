/**
 * The Lambda's S3 export reader applies the same input limits as the CLI reader: an over-long line becomes an error
 * item (quarantined by the handler) and the lines after it are read; an object unpacking past the limit yields one
 * error item saying where reading stopped, and the S3 body is closed. The limits come from the Lambda environment,
 * validated at cold start.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InputLimits } from '../../../src/findings/input-limits.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';
import { streamExportObject, type ExportItem } from '../../../src/lambda/s3-export-stream.js';
import { LAMBDA_ENV } from '../../../infra/lambda-env.js';
import { finding } from '../findings/finding-fixtures.js';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const BUCKET = 'guardduty-findings-123456789012';
const KEY = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/export.jsonl.gz';
const URI = `s3://${BUCKET}/${KEY}`;
const GOOD = JSON.stringify(finding());
const SMALL: InputLimits = { maxLineBytes: 4096, maxDecompressedBytes: 64 * 1024 };

function serve(stream: Readable): void {
  s3mock.on(GetObjectCommand).callsFake(() => ({ Body: stream as unknown as GetObjectCommandOutput['Body'] }));
}
async function collect(limits?: InputLimits): Promise<ExportItem[]> {
  const out: ExportItem[] = [];
  for await (const item of streamExportObject(s3, BUCKET, KEY, limits)) out.push(item);
  return out;
}
const kinds = (items: readonly ExportItem[]): string[] => items.map((i) => ('record' in i ? 'record' : `error@${i.error.source.line}`));

beforeEach(() => s3mock.reset());

describe('streamExportObject limits', () => {
  it('yields an error item for a line over the limit, naming the limit, and reads the lines after it', async () => {
    serve(Readable.from([gzipSync(`${GOOD}\n{"x":"${'x'.repeat(5000)}"}\n${GOOD}\n`)]));
    const items = await collect(SMALL);
    expect(kinds(items)).toEqual(['record', 'error@2', 'record']);
    const bad = items[1] as { error: Error; text: string };
    expect(bad.error.message).toBe(
      `${URI}:2: $: expected a line of at most 4 KiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES), received a line of 5008 bytes (more than 4 KiB)`,
    );
    expect(bad.text).toBe(`(not kept: 5008 bytes; the line is in ${URI}, line 2)`);
  });

  it('applies the default 16 MiB line limit when none is given', async () => {
    serve(Readable.from([gzipSync(`{"x":"${'x'.repeat(17 * 1024 * 1024)}"}\n${GOOD}\n`)]));
    expect(kinds(await collect())).toEqual(['error@1', 'record']);
  });

  it('stops an object that unpacks past the limit with one error item, and closes the body', async () => {
    const stream = Readable.from([gzipSync(`${GOOD}\n`.repeat(200))]);
    serve(stream);
    const items = await collect(SMALL);
    const records = items.filter((i) => 'record' in i).length;
    expect(records).toBeGreaterThan(0);
    expect(kinds(items)).toEqual([...Array<string>(records).fill('record'), `error@${records + 1}`]);
    const last = items.at(-1) as { error: Error };
    expect(last.error.message).toBe(
      `${URI}:${records + 1}: $: expected an export object that unpacks to at most 64 KiB (raise with --max-decompressed-bytes or TOURNIQUET_MAX_DECOMPRESSED_BYTES), ` +
        `received more than 64 KiB after ${records} complete line(s); the rest was not read`,
    );
    expect(stream.destroyed).toBe(true);
  });
});

describe('Lambda environment for the limits', () => {
  const base = { TOURNIQUET_JOURNAL_TABLE: 'tourniquet-journal', TOURNIQUET_EVIDENCE_BUCKET: 'tourniquet-evidence' };

  it('accepts sizes with units under the names the infrastructure sets', () => {
    const config = readLambdaConfig({ ...base, [LAMBDA_ENV.maxLineBytes]: '32MiB', [LAMBDA_ENV.maxDecompressedBytes]: '2147483648' });
    expect(config.TOURNIQUET_MAX_LINE_BYTES).toBe(32 * 1024 * 1024);
    expect(config.TOURNIQUET_MAX_DECOMPRESSED_BYTES).toBe(2 * 1024 ** 3);
  });

  it('refuses a bad size at cold start, naming the variable and the value', () => {
    expect(() => readLambdaConfig({ ...base, TOURNIQUET_MAX_LINE_BYTES: 'huge' })).toThrow(
      'invalid Lambda environment: TOURNIQUET_MAX_LINE_BYTES: expected a size in bytes, e.g. 16777216, 16MiB or 1GiB (received string "huge")',
    );
  });
});
