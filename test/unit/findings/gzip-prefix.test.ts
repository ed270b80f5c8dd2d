/**
 * Recovering the unpacked bytes before a gzip break (gzip-prefix.ts) and how UnpackedInput uses it: exactly the bytes
 * before the break, from the offset asked; bounded per attempt (a gzip bomb stays bounded); the unpacked-size limit
 * still applies to the recovered bytes; a valid second member and trailing zero bytes are not breaks.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unpackedBeforeBreak } from '../../../src/findings/gzip-prefix.js';
import { DecompressedTooLargeError, UnpackedInput } from '../../../src/findings/unpacked-input.js';
import { brokenGzip, GZIP_BREAKS } from '../../support/broken-gzip.js';

const LINES = Array.from({ length: 500 }, (_, i) => `{"line":${i},"pad":"${'p'.repeat(i % 97)}"}`);
const TEXT = LINES.map((l) => `${l}\n`).join('');

/** What UnpackedInput yields, and the error it ends with. */
async function unpack(bytes: Buffer, limit = 1 << 30): Promise<{ text: string; error?: Error }> {
  const input = new UnpackedInput(Readable.from([bytes]), limit);
  const out: Buffer[] = [];
  try {
    for await (const c of input.chunks()) out.push(c);
  } catch (err) {
    return { text: Buffer.concat(out).toString('utf8'), error: err as Error };
  }
  return { text: Buffer.concat(out).toString('utf8') };
}

describe('unpackedBeforeBreak', () => {
  it.each(GZIP_BREAKS)('%s: exactly the unpacked bytes before the break, from the offset asked', (how) => {
    const bytes = brokenGzip(LINES, how);
    expect(unpackedBeforeBreak(bytes, 0, 0, 1 << 20).toString('utf8')).toBe(TEXT);
    expect(unpackedBeforeBreak(bytes, 100, 1000, 1 << 20).toString('utf8')).toBe(TEXT.slice(1000));
  });

  it('a prefix that would unpack past the bound counts as failing: a gzip bomb stays bounded', () => {
    const bomb = Buffer.concat([gzipSync(Buffer.alloc(64 << 20)), Buffer.from('garbage')]);
    const out = unpackedBeforeBreak(bomb, 0, 0, 1 << 20);
    expect(out.length).toBeLessThanOrEqual(1 << 20);
    expect(out.length).toBeGreaterThan(0);
  });
});

describe('UnpackedInput on a gzip that breaks', () => {
  it.each(GZIP_BREAKS)('%s: yields every byte before the break, then throws the zlib error', async (how) => {
    const { text, error } = await unpack(brokenGzip(LINES, how));
    expect(text).toBe(TEXT);
    expect((error as NodeJS.ErrnoException).code).toMatch(/^Z_/);
  });

  it('the unpacked-size limit applies to the recovered bytes: it stops there with DecompressedTooLargeError', async () => {
    const { text, error } = await unpack(brokenGzip(LINES, 'garbage after a complete member'), 4096);
    expect(text).toBe(TEXT.slice(0, 4096));
    expect(error).toBeInstanceOf(DecompressedTooLargeError);
  });

  it('a second gzip member and trailing zero bytes are not breaks', async () => {
    expect(await unpack(Buffer.concat([gzipSync('a\n'), gzipSync('b\n')]))).toEqual({ text: 'a\nb\n' });
    expect(await unpack(Buffer.concat([gzipSync('a\n'), Buffer.alloc(16)]))).toEqual({ text: 'a\n' });
  });
});
