import { describe, expect, it } from 'vitest';
import { runLimited } from '../../src/run-limited.js';

describe('runLimited', () => {
  it('runs every item once with at most `limit` calls in flight', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      seen.push(n);
      inFlight--;
    });
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('rejects with the failure of a call', async () => {
    await expect(
      runLimited([1, 2], 2, async (n) => {
        if (n === 2) throw new Error('boom 2');
      }),
    ).rejects.toThrow('boom 2');
  });
});
