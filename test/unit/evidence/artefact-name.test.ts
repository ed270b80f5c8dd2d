import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSafeArtefactName, sanitizeArtefactName, sanitizeCaseId, suffixNumber, suffixStem, withSuffix } from '../../../src/evidence/artefact-name.js';

describe('sanitizeArtefactName', () => {
  it.each([
    ['finding.json', 'finding.json'],
    ['steps/isolate/result.json', 'steps/isolate/result.json'],
    ['../../etc/passwd', 'etc/passwd'],
    ['/etc/shadow', 'etc/shadow'],
    ['C:\\Windows\\win.ini', 'C_/Windows/win.ini'],
    ['a/./b/../c', 'a/b/c'],
    ['occurrences/2026-11-28T10:00:00.000Z.json', 'occurrences/2026-11-28T10_00_00.000Z.json'],
    ['evil\u0000name\r\n.json', 'evilname.json'],
    ['.hidden', '_hidden'],
    ['spaces and ünïcode.txt', 'spaces_and__n_code.txt'],
    ['manifest.jsonl', '_manifest.jsonl'],
    ['MANIFEST/00000001.json', '_MANIFEST/00000001.json'],
    ['', 'artefact'],
    ['../..', 'artefact'],
  ])('%j → %j', (raw, safe) => {
    expect(sanitizeArtefactName(raw)).toBe(safe);
  });

  it('bounds segment length (keeping the extension) and depth', () => {
    const long = sanitizeArtefactName(`${'a'.repeat(500)}.json`);
    expect(long.length).toBe(120);
    expect(long.endsWith('.json')).toBe(true);
    expect(sanitizeArtefactName(Array.from({ length: 20 }, (_, i) => `d${i}`).join('/')).split('/')).toHaveLength(8);
  });

  it('always yields a relative, traversal-free, idempotent name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (raw) => {
        const safe = sanitizeArtefactName(raw);
        expect(safe.startsWith('/')).toBe(false);
        expect(safe.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.startsWith('.'))).toBe(true);
        expect(safe).toMatch(/^[A-Za-z0-9._\-+=@,/]+$/);
        expect(['manifest.jsonl', 'manifest'].includes(safe.split('/')[0]!.toLowerCase())).toBe(false);
        expect(isSafeArtefactName(safe)).toBe(true);
      }),
    );
  });
});

describe('sanitizeCaseId', () => {
  it('makes one safe segment', () => {
    expect(sanitizeCaseId('inc-20261128-0123456789ab')).toBe('inc-20261128-0123456789ab');
    expect(sanitizeCaseId('../../x')).toBe('_._.._x');
    expect(() => sanitizeCaseId('')).toThrow(/not a usable case id/);
    expect(() => sanitizeCaseId('///')).toThrow(/not a usable case id/);
  });
});

describe('withSuffix', () => {
  it('puts the suffix before the extension of the last segment', () => {
    expect(withSuffix('steps/x/result.json', 2)).toBe('steps/x/result-2.json');
    expect(withSuffix('a.b/noext', 3)).toBe('a.b/noext-3');
    expect(withSuffix('_hidden', 2)).toBe('_hidden-2');
  });
});

describe('suffixNumber / suffixStem', () => {
  it('recognizes exactly the names withSuffix makes', () => {
    expect(suffixStem('steps/x/result.json')).toBe('steps/x/result');
    expect(suffixStem('a.b/noext')).toBe('a.b/noext');
    expect(suffixNumber('steps/x/result.json', 'steps/x/result.json')).toBe(1);
    expect(suffixNumber('steps/x/result.json', 'steps/x/result-17.json')).toBe(17);
    expect(suffixNumber('steps/x/result.json', 'steps/x/results.json')).toBeUndefined();
    expect(suffixNumber('steps/x/result.json', 'steps/x/result-2-2.json')).toBeUndefined();
    expect(suffixNumber('steps/x/result.json', 'steps/x/result-02.json')).toBeUndefined();
    expect(suffixNumber('steps/x/result.json', 'steps/x/result-1.json')).toBeUndefined();
    expect(suffixNumber('a.b/noext', 'a.b/noext-3')).toBe(3);
  });

  it('inverts withSuffix', () => {
    fc.assert(
      fc.property(fc.constantFrom('r.json', 'steps/x/r.json', 'noext', 'a.b/c.d.txt'), fc.integer({ min: 2, max: 1e9 }), (name, n) => {
        expect(suffixNumber(name, withSuffix(name, n))).toBe(n);
      }),
    );
  });
});
