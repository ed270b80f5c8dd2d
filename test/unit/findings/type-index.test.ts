/**
 * The compact type index (what the policy and the intake read at every cold start) is the catalogue's projection:
 * regenerated, the file is unchanged; every catalogued type is in it with its status and data source.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentTypeIndex, TYPE_INDEX_PATH } from '../../../src/docs/write-type-index.js';
import { allTypes } from '../../../src/findings/type-catalogue.js';
import { parseTypeIndex, typeIndex } from '../../../src/findings/type-index.js';

describe('finding-type index', () => {
  it('is up to date with the catalogue (else: npm run data:type-index)', () => {
    expect(readFileSync(TYPE_INDEX_PATH, 'utf8')).toBe(currentTypeIndex());
  });

  it('holds every catalogued type with its status and data source', () => {
    expect(typeIndex()).toEqual(allTypes().map((t) => ({ type: t.type, status: t.status, dataSource: t.dataSource })));
    expect(typeIndex().length).toBe(254);
    expect(typeIndex().filter((t) => t.dataSource === 'AI Protection').length).toBeGreaterThan(0);
  });

  it('refuses a malformed row with its index and value', () => {
    expect(() => parseTypeIndex([['A:B/C', 'active', ''], ['X:Y/Z', 'gone', '']])).toThrow('data/finding-type-index.json: $[1]: expected [type, status, dataSource], received');
    expect(() => parseTypeIndex({})).toThrow('expected an array');
  });
});
