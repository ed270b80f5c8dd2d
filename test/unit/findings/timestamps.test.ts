import { describe, expect, it } from 'vitest';
import { epochMsOfIso, normalizeIsoTimestamp } from '../../../src/findings/timestamps.js';
// Deterministic pseudo-random numbers (mulberry32): the bench export's own generator.
import { random } from '../../../bench/support/generate-export.js';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;

/** Whether a string of GuardDuty's own form names a real instant, judged by Date (the reference). */
function validByDate(v: string): boolean {
  const m = SHAPE.exec(v)!;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (h > 23 || mi > 59 || s > 59) return false;
  // setUTCFullYear: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return mo >= 1 && mo <= 12 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

describe('timestamps in GuardDuty’s own form (checked by character codes)', () => {
  it('accepts exactly the valid ones, kept as received, and reads the same instant as Date.parse', () => {
    const rnd = random(7);
    const chars = '0123456789-:TZ.x ';
    const base = ['2026-08-01T10:23:57.123Z', '2024-02-29T23:59:59Z', '2025-12-31T00:00:00.5Z', '0099-01-01T00:00:00Z'];
    let shaped = 0;
    for (let n = 0; n < 20_000; n++) {
      let v = base[n % base.length]!;
      const edits = 1 + Math.floor(rnd() * 2);
      for (let e = 0; e < edits; e++) {
        const i = Math.floor(rnd() * v.length);
        const c = rnd() < 0.8 ? String(Math.floor(rnd() * 10)) : chars[Math.floor(rnd() * chars.length)]!;
        v = rnd() < 0.9 ? v.slice(0, i) + c + v.slice(i + 1) : v.slice(0, i) + v.slice(i + 1);
      }
      const iso = normalizeIsoTimestamp(v);
      if (iso !== undefined) expect(epochMsOfIso(iso)).toBe(Date.parse(iso));
      if (!SHAPE.test(v) || v.slice(17, 19) === '60') continue;
      shaped++;
      expect(iso === v, v).toBe(validByDate(v));
      if (iso === v) expect(epochMsOfIso(v), v).toBe(Date.parse(v));
    }
    // The mutations must reach both outcomes often, or the comparison says little.
    expect(shaped).toBeGreaterThan(5_000);
  });
});
