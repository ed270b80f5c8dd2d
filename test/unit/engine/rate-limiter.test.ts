import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/engine/rate-limiter.js';

describe('TokenBucket', () => {
  it('allows the burst, then paces calls at the refill rate, in order', async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 2 }, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(slept).toEqual([200, 200]);
    expect(now).toBe(400);
  });
});
