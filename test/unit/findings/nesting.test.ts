/**
 * A field nested 100,000 levels deep parses with JSON.parse but overflows every recursive walk after it (evidence,
 * journal): it must be rejected when the record is parsed, for every input shape, with the path where it goes deep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingParseError } from '../../../src/errors.js';
import { MAX_NESTING, nestedDeeperThan, tooDeepPath } from '../../../src/findings/nesting.js';
import { parseDocument, parseRecord, readFindings } from '../../../src/findings/read-input.js';
import { cliFinding, finding } from './finding-fixtures.js';

const src = { name: 'deep.json' };
const HOSTILE = 100_000;

/** `levels` nested arrays as JSON text: `[[[…]]]`. */
const deepText = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
/** `levels` nested arrays as a value (built iteratively: a recursive builder would overflow first). */
function deepValue(levels: number): unknown[] {
  let v: unknown[] = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}
/** A camelCase finding with an extra field `deep` holding `levels` nested arrays, as JSON text. */
const findingWithDeepField = (levels: number): string => JSON.stringify(finding({ deep: 'HERE' })).replace('"HERE"', deepText(levels));

function rejectionOf(text: string): FindingParseError {
  const batch = parseDocument(text, src);
  expect(batch.records).toEqual([]);
  expect(batch.rejected).toHaveLength(1);
  return batch.rejected[0]!;
}

describe('nesting limit at parse time', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tourniquet-nesting-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`rejects a camelCase finding with a field nested ${HOSTILE} levels deep, naming the path`, () => {
    const e = rejectionOf(findingWithDeepField(HOSTILE));
    expect(e.path).toBe('$.deep[0][0][0][0][0][0][0]…');
    expect(e.expected).toBe(`JSON nested at most ${MAX_NESTING} levels deep`);
    expect(e.received).toBe('deeper nesting');
    expect(e.message).toBe(`deep.json: $.deep[0][0][0][0][0][0][0]…: expected JSON nested at most 256 levels deep, received deeper nesting`);
  });

  it('rejects the same inside an EventBridge event, a finding list, an array and a JSON Lines export', () => {
    const deep = findingWithDeepField(HOSTILE);
    expect(rejectionOf(`{"detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":${deep}}`).path).toBe('$.detail.deep[0][0][0][0][0][0]…');
    expect(rejectionOf(`{"Findings":[${deep}]}`).path).toBe('$.Findings[0].deep[0][0][0][0][0][0][0]…');
    const good = JSON.stringify(finding());
    const arr = parseDocument(`[${good},${deep}]`, src);
    expect(arr.records).toHaveLength(1);
    expect(arr.rejected.map((r) => r.path)).toEqual(['$[1].deep[0][0][0][0][0][0][0]…']);
    const lines = parseDocument(`${good}\n${deep}\n${good}\n`, src);
    expect(lines.records).toHaveLength(2);
    expect(lines.rejected.map((r) => [r.source.line, r.path])).toEqual([[2, '$.deep[0][0][0][0][0][0][0]…']]);
  });

  it('rejects a deep PascalCase finding by its own member names, and a deep malware scan result event', () => {
    const pascal = JSON.stringify(cliFinding()).replace(/^\{/, `{"Extra":${deepText(HOSTILE)},`);
    expect(rejectionOf(pascal).path).toBe('$.Extra[0][0][0][0][0][0][0]…');
    const scan = `{"detail-type":"GuardDuty Malware Protection Object Scan Result","source":"aws.guardduty","detail":{"x":${deepText(HOSTILE)}}}`;
    expect(rejectionOf(scan).path).toBe('$.detail.x[0][0][0][0][0][0]…');
  });

  it('rejects a deep value given to parseRecord (the Lambda path), objects as well as arrays', () => {
    let obj: unknown = 'x';
    for (let i = 0; i < HOSTILE; i++) obj = { 'a b': obj };
    try {
      parseRecord({ ...finding(), service: obj }, src);
      expect.fail('expected a FindingParseError');
    } catch (err) {
      expect(err).toBeInstanceOf(FindingParseError);
      expect((err as FindingParseError).path).toBe('$.service["a b"]["a b"]["a b"]["a b"]["a b"]["a b"]["a b"]…');
    }
    expect(() => parseRecord({ ...finding(), x: deepValue(HOSTILE) }, src)).toThrow(/nested at most 256 levels/);
  });

  it('accepts exactly 256 levels (the finding object is level 1) and rejects 257', () => {
    const ok = parseDocument(findingWithDeepField(MAX_NESTING - 1), src);
    expect(ok.rejected).toEqual([]);
    expect(ok.records).toHaveLength(1);
    expect(rejectionOf(findingWithDeepField(MAX_NESTING)).path).toMatch(/^\$\.deep(\[0\]){7}…$/);
  });

  it('rejects it from a .jsonl.gz file read as a stream, keeping the good lines', async () => {
    const file = join(dir, 'export.jsonl.gz');
    const good = JSON.stringify(finding());
    writeFileSync(file, gzipSync(`${good}\n${findingWithDeepField(HOSTILE)}\n${good}\n`));
    const batch = await readFindings(file);
    expect(batch.records).toHaveLength(2);
    expect(batch.rejected.map((r) => r.message)).toEqual([`${file}:2: $.deep[0][0][0][0][0][0][0]…: expected JSON nested at most 256 levels deep, received deeper nesting`]);
  });
});

describe('nestedDeeperThan / tooDeepPath', () => {
  it('count the value itself as level 1, arrays and objects alike', () => {
    expect(nestedDeeperThan('x', 0)).toBe(false);
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: {} }, 1)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: null }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
    expect(tooDeepPath({ a: [1, { b: [] }], c: 1 }, 3)).toBe('.a[1].b');
    expect(tooDeepPath({ a: [1, { b: null }] }, 3)).toBeUndefined();
  });

  it('find the deep branch after shallow siblings', () => {
    const value = { first: [[1]], second: { ok: true }, third: [{ deeper: [[[]]] }] };
    expect(nestedDeeperThan(value, 4)).toBe(true);
    expect(tooDeepPath(value, 4)).toBe('.third[0].deeper[0]');
  });
});
