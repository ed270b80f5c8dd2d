import { describe, expect, it } from 'vitest';
import { severityBand } from '../../../src/findings/severity.js';

describe('severityBand (Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0)', () => {
  it.each([
    [1, 'Low'],
    [1.0, 'Low'],
    [2, 'Low'],
    [3.9, 'Low'],
    [3.99, 'Low'],
    [4, 'Medium'],
    [4.0, 'Medium'],
    [5, 'Medium'],
    [6.9, 'Medium'],
    [6.99, 'Medium'],
    [7, 'High'],
    [8, 'High'],
    [8.9, 'High'],
    [8.99, 'High'],
    [9, 'Critical'],
    [9.5, 'Critical'],
    [10, 'Critical'],
  ] as const)('%d → %s', (severity, band) => {
    expect(severityBand(severity)).toBe(band);
  });

  it('throws on a non-finite severity', () => {
    expect(() => severityBand(Number.NaN)).toThrow(RangeError);
    expect(() => severityBand(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
