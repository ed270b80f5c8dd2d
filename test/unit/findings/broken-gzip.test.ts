/**
 * A gzip input that breaks partway (garbage after a complete member, a corrupt byte, a truncated end), read from a
 * file, stdin and a folder: every complete line before the break is read, and the break is reported once, naming the
 * line where reading stopped. Inputs smaller and larger than one gunzip chunk (GUNZIP_CHUNK_BYTES unpacked): the
 * lines unpacked in the failing gunzip call used to be lost (all 40 lines of a small export with garbage appended).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingParseError } from '../../../src/errors.js';
import type { Finding } from '../../../src/findings/model.js';
import { readFindings } from '../../../src/findings/read-input.js';
import { GUNZIP_CHUNK_BYTES } from '../../../src/findings/unpacked-input.js';
import { brokenGzip, GZIP_BREAKS } from '../../support/broken-gzip.js';
import { finding } from './finding-fixtures.js';

const linesOf = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify(finding({ id: `b${i}` })));
const SMALL = linesOf(40);
const LARGE = linesOf(400);
const SIZES = [
  { size: 'smaller than one gunzip chunk', lines: SMALL },
  { size: 'larger than one gunzip chunk', lines: LARGE },
] as const;
const CASES = GZIP_BREAKS.flatMap((how) => SIZES.map((s) => ({ how, ...s })));

const REASON = { 'garbage after a complete member': /incorrect header check/, 'a corrupt byte in the middle': /invalid block type/, 'a truncated stream': /unexpected end of file/ } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-broken-gzip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Exactly `n` findings kept, in order, and one rejection: the gzip break, at line n + 1 of `name`. */
function expectKeptThenBreak(b: { records: readonly unknown[]; rejected: readonly FindingParseError[] }, n: number, name: string, reason: RegExp): void {
  expect(b.records.map((r) => (r as Finding).id)).toEqual(Array.from({ length: n }, (_, i) => `b${i}`));
  expect(b.rejected).toHaveLength(1);
  const e = b.rejected[0]!;
  expect(e.source).toEqual({ name, line: n + 1 });
  expect(e.expected).toBe('a complete gzip stream');
  expect(e.received).toMatch(reason);
  expect(e.received).toMatch(new RegExp(`after ${n} complete line\\(s\\)$`));
}

describe('a gzip input that breaks partway keeps every complete line before the break', () => {
  it('the large inputs unpack to more than one gunzip chunk, the small ones to less', () => {
    expect(Buffer.byteLength(SMALL.join('\n'))).toBeLessThan(GUNZIP_CHUNK_BYTES);
    expect(Buffer.byteLength(LARGE.join('\n'))).toBeGreaterThan(2 * GUNZIP_CHUNK_BYTES);
  });

  it.each(CASES)('a file, $how, $size', async ({ how, lines }) => {
    const file = join(dir, `${how.replace(/\W/g, '-')}-${lines.length}.jsonl.gz`);
    await writeFile(file, brokenGzip(lines, how));
    expectKeptThenBreak(await readFindings(file), lines.length, file, REASON[how]);
  });

  it.each(CASES)('stdin in 16 KiB pieces, $how, $size', async ({ how, lines }) => {
    const bytes = brokenGzip(lines, how);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 16384) }, (_, i) => bytes.subarray(i * 16384, (i + 1) * 16384));
    expectKeptThenBreak(await readFindings('-', { stdin: Readable.from(pieces) }), lines.length, '-', REASON[how]);
  });

  it.each(GZIP_BREAKS)('a folder: the broken file (%s) keeps its lines and the good file after it is read', async (how) => {
    const root = join(dir, `folder-${how.replace(/\W/g, '-')}`);
    await mkdir(root);
    await writeFile(join(root, 'a.jsonl.gz'), brokenGzip(SMALL, how));
    await writeFile(join(root, 'b.jsonl'), `${JSON.stringify(finding({ id: 'after' }))}\n`);
    const b = await readFindings(root);
    expect(b.records.map((r) => (r as Finding).id)).toEqual([...SMALL.map((_, i) => `b${i}`), 'after']);
    expect(b.rejected.map((e) => [e.source, e.expected])).toEqual([[{ name: join(root, 'a.jsonl.gz'), line: SMALL.length + 1 }, 'a complete gzip stream']]);
    expect(b.rejected[0]!.received).toMatch(REASON[how]);
  });
});
