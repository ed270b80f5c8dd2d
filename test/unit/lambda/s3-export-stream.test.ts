/**
 * The respond handler's S3 export path: streamExportObject reads a GuardDuty export object (.jsonl.gz) line by line
 * and yields a record per finding and a typed error, naming the object and the line, per bad line.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { FindingParseError } from '../../../src/errors.js';
import { streamExportObject, type ExportItem } from '../../../src/lambda/s3-export-stream.js';
import { finding } from '../findings/finding-fixtures.js';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const BUCKET = 'guardduty-findings-123456789012';
const KEY = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/3f1c0a6e-1111-2222-3333-444455556666.jsonl.gz';
const URI = `s3://${BUCKET}/${KEY}`;

const GOOD = JSON.stringify(finding());
const TRUNCATED = GOOD.slice(0, 120);

function body(stream: Readable): GetObjectCommandOutput['Body'] {
  return stream as unknown as GetObjectCommandOutput['Body'];
}
function answer(bytes: Buffer | string, extra: Partial<GetObjectCommandOutput> = {}): void {
  s3mock.on(GetObjectCommand).callsFake(() => ({ Body: body(Readable.from([Buffer.from(bytes)])), ...extra }));
}
async function collect(key = KEY): Promise<ExportItem[]> {
  const out: ExportItem[] = [];
  for await (const item of streamExportObject(s3, BUCKET, key)) out.push(item);
  return out;
}
const errorOf = (item: ExportItem | undefined): FindingParseError => {
  if (!item || !('error' in item)) throw new Error(`expected an error item, got ${JSON.stringify(item)}`);
  return item.error;
};

beforeEach(() => s3mock.reset());

describe('streamExportObject', () => {
  it.each([
    ['gzip', (text: string) => gzipSync(text), KEY],
    ['plain JSON Lines', (text: string) => Buffer.from(text), KEY.replace(/\.gz$/, '')],
  ])('reads an object that starts with a UTF-8 byte order mark (%s) as files are read (its first line was unparseable JSON)', async (_name, pack, key) => {
    answer(pack(`\uFEFF${GOOD}\n${GOOD}\n`));
    const items = await collect(key);
    expect(items.map((i) => ('record' in i ? i.record.kind : i.error.message))).toEqual(['finding', 'finding']);
  });

  it('yields one record and one typed error (object and line 2) for a good line, a truncated line and a blank line', async () => {
    answer(gzipSync(`${GOOD}\n${TRUNCATED}\n\n`));
    const items = await collect();
    expect(s3mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY }]);
    expect(items).toHaveLength(2);
    const first = items[0]!;
    expect('record' in first && first.record.kind).toBe('finding');
    if (!('record' in first) || first.record.kind !== 'finding') throw new Error('unreachable');
    expect(first.record.id).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(first.record.type.raw).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    const err = errorOf(items[1]);
    expect(err).toBeInstanceOf(FindingParseError);
    expect(err.source).toEqual({ name: URI, line: 2 });
    expect(err.path).toBe('$');
    expect(err.message).toMatch(new RegExp(`^${URI.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: \\$: expected one JSON finding per line, received unparseable JSON`));
    expect((items[1] as { text: string }).text).toBe(TRUNCATED);
  });

  it('counts blank lines when numbering, and reports a JSON line that is not a finding with its JSON path', async () => {
    const bad = JSON.stringify(finding({ severity: 'very high' }));
    answer(gzipSync(`\n${GOOD}\r\n\n${bad}\n${GOOD}`));
    const items = await collect();
    expect(items.map((i) => ('record' in i ? 'record' : `error@${i.error.source.line}`))).toEqual(['record', 'error@4', 'record']);
    const err = errorOf(items[1]);
    expect(err.path).toBe('$.severity');
    expect(err.message).toContain(`${URI}:4: $.severity`);
    expect((items[1] as { text: string }).text).toBe(bad);
  });

  it('reads an uncompressed .jsonl object as it is, and a gzip object named without .gz by its Content-Encoding', async () => {
    answer(`${GOOD}\n`);
    expect((await collect('exports/plain.jsonl')).map((i) => 'record' in i)).toEqual([true]);
    expect(s3mock).toHaveReceivedCommandExactlyOnceWith(GetObjectCommand, { Bucket: BUCKET, Key: 'exports/plain.jsonl' });
    s3mock.reset();
    answer(gzipSync(`${GOOD}\n${GOOD}\n`), { ContentEncoding: 'gzip' });
    expect((await collect('exports/no-suffix')).map((i) => 'record' in i)).toEqual([true, true]);
    expect(s3mock).toHaveReceivedCommandExactlyOnceWith(GetObjectCommand, { Bucket: BUCKET, Key: 'exports/no-suffix' });
  });

  it('yields nothing for an object without a body', async () => {
    s3mock.on(GetObjectCommand).resolves({});
    expect(await collect()).toEqual([]);
  });

  it('yields one permanent error for data that is not gzip; throws (rather than hanging) on a truncated gzip object', async () => {
    // Not gzip at all: the same bytes on every delivery, so an error item (quarantined), never a retry.
    answer('this is not gzip');
    const items = await collect();
    expect(items).toHaveLength(1);
    expect('error' in items[0]! && items[0].error.message).toMatch(/:1: \$: expected a complete gzip stream, received corrupt gzip data \(incorrect header check\) after 0 complete line\(s\)/);
    // Truncated: it may be a connection cut mid-body, so it is left to a redelivery.
    const gz = gzipSync(`${GOOD}\n${GOOD}\n`);
    s3mock.reset();
    answer(gz.subarray(0, gz.length - 8));
    await expect(collect()).rejects.toThrow(/unexpected end of file/);
  });

  it('passes an error of the S3 body (connection reset) to the reader instead of crashing the process', async () => {
    const gz = gzipSync(`${GOOD}\n`.repeat(50));
    s3mock.on(GetObjectCommand).callsFake(() => {
      let sent = false;
      return {
        Body: body(
          new Readable({
            read() {
              if (!sent) {
                sent = true;
                this.push(gz.subarray(0, 200));
              } else this.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
            },
          }),
        ),
      };
    });
    await expect(collect()).rejects.toThrow('read ECONNRESET');
  });

  it('closes the S3 body when the reader stops early (the engine failed on a record)', async () => {
    // An endless body: only closing it ends it.
    const stream = Readable.from(
      (function* () {
        for (;;) yield `${GOOD}\n`;
      })(),
    );
    s3mock.on(GetObjectCommand).callsFake(() => ({ Body: body(stream) }));
    let read = 0;
    for await (const item of streamExportObject(s3, BUCKET, 'exports/endless.jsonl')) {
      expect('record' in item).toBe(true);
      read++;
      break;
    }
    expect(read).toBe(1);
    expect(stream.destroyed).toBe(true);
  });

  it('lets an S3 error through', async () => {
    s3mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    await expect(collect()).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});
