/** One subject's reads are shared by the respond() calls in flight together, and only while one of them runs. */
import { describe, expect, it } from 'vitest';
import { SharedReadsInFlight } from '../../../src/engine/shared-reads-in-flight.js';

describe('SharedReadsInFlight', () => {
  it('gives concurrent callers of one key the same reads (the first is told so); a later caller starts afresh', async () => {
    const inFlight = new SharedReadsInFlight();
    const a = inFlight.acquire('k');
    const b = inFlight.acquire('k');
    const other = inFlight.acquire('other');
    expect([a.first, b.first, other.first]).toEqual([true, false, true]);
    expect(b.reads).toBe(a.reads);
    expect(other.reads).not.toBe(a.reads);
    let loads = 0;
    const load = async (): Promise<number> => ++loads;
    expect(await a.reads.get('x', load)).toBe(1);
    expect(await b.reads.get('x', load)).toBe(1);
    a.release();
    a.release(); // twice is once
    const c = inFlight.acquire('k');
    expect(c.reads).toBe(a.reads); // b still runs
    b.release();
    c.release();
    const d = inFlight.acquire('k');
    expect(d.first).toBe(true);
    expect(await d.reads.get('x', load)).toBe(2);
  });
});
