/**
 * The Lambda's lease covers its invocation's remaining time (plus a margin), is not renewed, and never waits.
 */
import { describe, expect, it } from 'vitest';
import { invocationRunOptions, startInvocation } from '../../../src/lambda/invocation-lease.js';

describe('invocation lease', () => {
  it('lasts the remaining time plus 10 s; without a context the engine defaults apply, without waiting', () => {
    startInvocation({ getRemainingTimeInMillis: () => 300_000 });
    const o = invocationRunOptions();
    expect(o.renewLease).toBe(false);
    expect(o.waitMs).toBe(0);
    expect(o.leaseMs).toBeGreaterThan(305_000);
    expect(o.leaseMs).toBeLessThanOrEqual(310_000);
    startInvocation(undefined);
    expect(invocationRunOptions()).toEqual({ waitMs: 0 });
  });
});
