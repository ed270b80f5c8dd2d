/**
 * Line length and gzip unpacked-size limits of the stream reader (files, stdin), and their configuration.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FindingParseError, UsageError } from '../../../src/errors.js';
import {
  DEFAULT_INPUT_LIMITS,
  formatBytes,
  inputLimitsFromEnv,
  parseByteSize,
  type InputLimits,
} from '../../../src/findings/input-limits.js';
import type { GuardDutyRecord } from '../../../src/findings/model.js';
import { readRecords } from '../../../src/findings/read-input.js';
import { event, finding } from './finding-fixtures.js';

const GOOD = JSON.stringify(finding());
const SMALL: InputLimits = { maxLineBytes: 4096, maxDecompressedBytes: 64 * 1024 };

async function read(bytes: Buffer | string, limits?: InputLimits, chunkSize = 1000): Promise<{ records: GuardDutyRecord[]; rejected: FindingParseError[] }> {
  const data = Buffer.from(bytes);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  const records: GuardDutyRecord[] = [];
  const rejected: FindingParseError[] = [];
  for await (const r of readRecords('-', { stdin: Readable.from(chunks), ...(limits ? { limits } : {}) })) {
    if (r instanceof FindingParseError) rejected.push(r);
    else records.push(r);
  }
  return { records, rejected };
}

const longLine = (bytes: number): string => `{"x":"${'x'.repeat(bytes - 8)}"}`;

describe('line length limit', () => {
  it('rejects a line over the limit with its number and the limit, and reads the lines around it', async () => {
    const { records, rejected } = await read(`${GOOD}\n${longLine(5000)}\n${GOOD}\n`, SMALL);
    expect(records).toHaveLength(2);
    expect(rejected.map((r) => r.message)).toEqual([
      '-:2: $: expected a line of at most 4 KiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES), received a line of 5000 bytes (more than 4 KiB)',
    ]);
  });

  it('rejects an over-long first line while the format is still being detected', async () => {
    const { records, rejected } = await read(`${longLine(5000)}\n${GOOD}\n`, SMALL);
    expect(records).toHaveLength(1);
    expect(rejected.map((r) => [r.source.line, r.expected])).toEqual([[1, expect.stringContaining('a line of at most 4 KiB')]]);
  });

  it('rejects a lone over-long line (a one-line document) as that line', async () => {
    const { records, rejected } = await read(longLine(5000), SMALL);
    expect(records).toEqual([]);
    expect(rejected.map((r) => r.message)).toEqual([expect.stringMatching(/^-:1: \$: expected a line of at most 4 KiB .*received a line of 5000 bytes/)]);
  });

  it('rejects a pretty-printed document over the limit once, without parsing it', async () => {
    const doc = JSON.stringify([event(finding()), event(finding()), event(finding())], null, 2);
    expect(doc.length).toBeGreaterThan(4096);
    const { records, rejected } = await read(doc, SMALL);
    expect(records).toEqual([]);
    expect(rejected.map((r) => r.message)).toEqual([
      '-: $: expected a JSON document of at most 4 KiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES), received a larger document (more than 4 KiB)',
    ]);
    expect((await read(doc)).records).toHaveLength(3);
  });

  it('applies the default 16 MiB limit to a small gzip that unpacks to one 20 MiB line', async () => {
    const gz = gzipSync(`${GOOD}\n${longLine(20 * 1024 * 1024)}\n${GOOD}\n`);
    expect(gz.length).toBeLessThan(100 * 1024);
    const { records, rejected } = await read(gz, undefined, 64 * 1024);
    expect(records).toHaveLength(2);
    expect(rejected.map((r) => r.message)).toEqual([expect.stringMatching(/^-:2: \$: expected a line of at most 16 MiB .*received a line of 20971520 bytes/)]);
  });
});

describe('gzip unpacked-size limit and broken gzip', () => {
  it('stops a gzip stream that unpacks past the limit, keeping the records before it, with one rejection', async () => {
    const lines = `${GOOD}\n`.repeat(200);
    const gz = gzipSync(lines);
    const { records, rejected } = await read(gz, SMALL);
    const kept = Math.floor(SMALL.maxDecompressedBytes / (GOOD.length + 1));
    // Every line that fits within the limit is read, however the unpacked bytes were cut into chunks (a 256 KiB
    // gunzip chunk is larger than this whole limit).
    expect(records.length).toBe(kept);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.message).toBe(
      `-:${records.length + 1}: $: expected a gzip stream that unpacks to at most 64 KiB (raise with --max-decompressed-bytes or TOURNIQUET_MAX_DECOMPRESSED_BYTES), ` +
        `received more than 64 KiB after ${records.length} complete line(s); the rest was not read`,
    );
    expect((await read(gz)).records).toHaveLength(200);
  });

  it('does not cap uncompressed input (it streams line by line)', async () => {
    const { records, rejected } = await read(`${GOOD}\n`.repeat(200), SMALL);
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(200);
  });

  it('destroys the source stream when it stops at the limit', async () => {
    const source = Readable.from([gzipSync(`${GOOD}\n`.repeat(200))]);
    for await (const r of readRecords('-', { stdin: source, limits: SMALL })) void r;
    expect(source.destroyed).toBe(true);
  });

  it('reports a corrupt gzip once', async () => {
    const { records, rejected } = await read(Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('garbage garbage')]));
    expect(records).toEqual([]);
    expect(rejected.map((r) => r.message)).toEqual([expect.stringMatching(/^-:1: \$: expected a complete gzip stream, received Z_DATA_ERROR: .* after 0 complete line\(s\)$/)]);
  });

  it('reports a truncated gzip once, keeping every complete line and not parsing the cut one', async () => {
    const gz = gzipSync(`${GOOD}\n${GOOD}\n${GOOD}\n`);
    const { records, rejected } = await read(gz.subarray(0, gz.length - 30), undefined, 50);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.expected).toBe('a complete gzip stream');
    expect(rejected[0]!.source.line).toBe(records.length + 1);
    expect(rejected[0]!.received).toMatch(new RegExp(`unexpected end of file after ${records.length} complete line\\(s\\)$`));
  });
});

describe('limit settings', () => {
  it('parses byte sizes with binary units and names the setting and value when wrong', () => {
    expect(parseByteSize('maxLineBytes', '16777216', 'x')).toBe(16 * 1024 * 1024);
    expect(parseByteSize('maxLineBytes', '16MiB', 'x')).toBe(16 * 1024 * 1024);
    expect(parseByteSize('maxDecompressedBytes', ' 2 g ', 'x')).toBe(2 * 1024 ** 3);
    expect(() => parseByteSize('maxLineBytes', 'lots', '--max-line-bytes')).toThrow(
      new UsageError('--max-line-bytes: expected a size in bytes, e.g. 16777216, 16MiB or 1GiB, received string "lots"'),
    );
    expect(() => parseByteSize('maxLineBytes', '10', '--max-line-bytes')).toThrow('--max-line-bytes: expected at least 1 KiB, received string "10"');
    expect(() => parseByteSize('maxLineBytes', '1GiB', '--max-line-bytes')).toThrow('expected at most 256 MiB');
  });

  it('reads the environment, defaults for unset variables; an empty or negative value is refused with its name', () => {
    expect(inputLimitsFromEnv({})).toEqual(DEFAULT_INPUT_LIMITS);
    expect(DEFAULT_INPUT_LIMITS).toEqual({ maxLineBytes: 16 * 1024 * 1024, maxDecompressedBytes: 1024 ** 3 });
    expect(inputLimitsFromEnv({ TOURNIQUET_MAX_LINE_BYTES: '1MiB' })).toEqual({
      maxLineBytes: 1024 * 1024,
      maxDecompressedBytes: DEFAULT_INPUT_LIMITS.maxDecompressedBytes,
    });
    expect(() => inputLimitsFromEnv({ TOURNIQUET_MAX_DECOMPRESSED_BYTES: '-1' })).toThrow(/^TOURNIQUET_MAX_DECOMPRESSED_BYTES: expected a size in bytes/);
    expect(() => inputLimitsFromEnv({ TOURNIQUET_MAX_LINE_BYTES: '' })).toThrow('TOURNIQUET_MAX_LINE_BYTES: expected a size in bytes, e.g. 16777216, 16MiB or 1GiB, received string ""');
  });

  it('formats sizes with the largest exact binary unit', () => {
    expect(formatBytes(16 * 1024 * 1024)).toBe('16 MiB');
    expect(formatBytes(1536 * 1024)).toBe('1536 KiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });
});
