import { describe, expect, it } from 'vitest';
import { PROGRESS_ATTEMPTS_FACTOR, RetryExhaustedError, withRetry } from '../../../src/engine/retry.js';

const transient = (e: unknown): boolean => e instanceof Error && e.name === 'Throttling';
const throttle = (): Error => Object.assign(new Error('slow down'), { name: 'Throttling' });

describe('withRetry', () => {
  it('retries transient errors with capped exponential backoff and full jitter', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const r = await withRetry(
      async () => {
        if (++n < 4) throw throttle();
        return 'ok';
      },
      transient,
      { baseDelayMs: 100, maxDelayMs: 250, sleep: async (ms) => void sleeps.push(ms), random: () => 0.999 },
    );
    expect(r).toEqual({ value: 'ok', attempts: 4 });
    expect(sleeps).toEqual([99, 199, 249]);
  });
  it('rethrows a non-transient error at once', async () => {
    let n = 0;
    const boom = new Error('AccessDenied');
    await expect(withRetry(async () => { n++; throw boom; }, transient, { sleep: async () => {} })).rejects.toBe(boom);
    expect(n).toBe(1);
  });
  it('gives up after maxAttempts with the last error as cause', async () => {
    const err = await withRetry(async () => { throw throttle(); }, transient, { maxAttempts: 3, sleep: async () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).attempts).toBe(3);
    expect(((err as RetryExhaustedError).lastError as Error).name).toBe('Throttling');
  });
  it('with madeProgress, the budget is attempts in a row without progress', async () => {
    // Attempts 1–4 each get one more change done, then fail: the budget (3) is never spent; attempt 5 succeeds.
    let n = 0;
    const r = await withRetry(
      async () => {
        if (++n < 5) throw throttle();
        return 'ok';
      },
      transient,
      { maxAttempts: 3, sleep: async () => {} },
      undefined,
      () => true,
    );
    expect(r).toEqual({ value: 'ok', attempts: 5 });
    // Progress once, then none: 1 + 3 attempts.
    let calls = 0;
    const stalled = await withRetry(async () => { throw throttle(); }, transient, { maxAttempts: 3, sleep: async () => {} }, undefined, () => ++calls === 1).catch((e: unknown) => e);
    expect((stalled as RetryExhaustedError).attempts).toBe(4);
    // Progress every time: capped.
    const capped = await withRetry(async () => { throw throttle(); }, transient, { maxAttempts: 3, sleep: async () => {} }, undefined, () => true).catch((e: unknown) => e);
    expect((capped as RetryExhaustedError).attempts).toBe(3 * PROGRESS_ATTEMPTS_FACTOR);
  });
});
