/**
 * The compact type index (what the policy and the intake read at every cold start) is the catalogue's projection:
 * regenerated, the file is unchanged; every catalogued type is in it with its status and data source.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AI_TYPES_PATH, currentAiTypes, currentTypeIndex, TYPE_INDEX_PATH } from '../../../src/docs/write-type-index.js';
import { AI_PROTECTION_TYPES } from '../../../src/findings/ai-context.js';
import { aiFindingTypes } from '../../../src/policy/finding-intake.js';
import { allTypes } from '../../../src/findings/type-catalogue.js';
import { parseTypeIndex, typeIndex } from '../../../src/findings/type-index.js';

describe('finding-type index', () => {
  it('is up to date with the catalogue (else: npm run data:type-index)', () => {
    expect(readFileSync(TYPE_INDEX_PATH, 'utf8')).toBe(currentTypeIndex());
    expect(readFileSync(AI_TYPES_PATH, 'utf8')).toBe(currentAiTypes());
  });

  it('the intake\'s AI types: every AI Protection type, the catalogue\'s Bedrock and SageMaker types, no retired one', () => {
    const ai = aiFindingTypes();
    for (const t of AI_PROTECTION_TYPES) expect(ai).toContain(t);
    const current = allTypes().filter((t) => t.status !== 'retired');
    for (const t of current.filter((x) => /bedrock|sagemaker/i.test(x.type) || x.dataSource === 'AI Protection')) expect(ai).toContain(t.type);
    for (const t of allTypes().filter((x) => x.status === 'retired')) if (!AI_PROTECTION_TYPES.has(t.type)) expect(ai).not.toContain(t.type);
    expect(ai).not.toContain('CryptoCurrency:EC2/BitcoinTool.B');
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
