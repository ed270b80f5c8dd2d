import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_CHAIN, chainHash, encodeContent, entryLine, nextEntry, parseEntryLine } from '../../../src/evidence/manifest-chain.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('manifest chain', () => {
  it('chains from 64 zeros over prevChain + sha256 + name + recordedAt', () => {
    const first = nextEntry(undefined, 'a.json', sha('a'), 1, '2026-11-28T10:00:00.000Z');
    expect(first.seq).toBe(1);
    expect(first.chain).toBe(sha(`${GENESIS_CHAIN}${sha('a')}a.json2026-11-28T10:00:00.000Z`));
    const second = nextEntry(first, 'b.json', sha('b'), 1, '2026-11-28T10:00:01.000Z');
    expect(second.seq).toBe(2);
    expect(second.chain).toBe(chainHash(first.chain, sha('b'), 'b.json', '2026-11-28T10:00:01.000Z'));
  });

  it('round-trips entry lines and rejects malformed ones', () => {
    const e = nextEntry(undefined, 'a.json', sha('a'), 1, '2026-11-28T10:00:00.000Z');
    expect(parseEntryLine(entryLine(e))).toEqual(e);
    expect(parseEntryLine('{"seq":1}')).toBeUndefined();
    expect(parseEntryLine('not json')).toBeUndefined();
    expect(parseEntryLine(entryLine({ ...e, sha256: 'XYZ' }))).toBeUndefined();
    expect(parseEntryLine(JSON.stringify({ ...e, extra: 1 }))).toBeUndefined();
  });
});

describe('encodeContent', () => {
  it('writes JSON pretty-printed, strings as text, bytes as they are', () => {
    expect(encodeContent('x', { a: [1] }).bytes.toString()).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(encodeContent('x', { a: 1 }).contentType).toBe('application/json');
    expect(encodeContent('x', 'plain text').bytes.toString()).toBe('plain text');
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const encoded = encodeContent('x', bytes);
    bytes[0] = 9; // the caller reusing its buffer does not change what is written
    expect([...encoded.bytes]).toEqual([0, 1, 2, 255]);
  });

  it('refuses values with no JSON form', () => {
    expect(() => encodeContent('x', undefined)).toThrow(/no JSON value/);
    expect(() => encodeContent('x', { n: 1n })).toThrow(/cannot be written as JSON/);
  });
});
