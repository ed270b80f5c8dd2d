/**
 * The engine's own rate limiter, applied to every AWS call as SDK middleware (src/aws/rate-limit-middleware.ts):
 * one token bucket per AWS bucket (aws-rate-limits.ts: per API for EC2, per service or read/write elsewhere), per
 * account and Region (per account for IAM, which is global), each run at ENGINE_SHARE of AWS's refill rate and size,
 * so the engine does not throttle itself (other callers in the account use the same AWS buckets) and is still not
 * far under what AWS allows. Waiting calls are served high priority first (containment, src/aws/call-priority.ts),
 * then low (evidence reads), each in arrival order.
 */
import type { AwsClientLookup, AwsClients } from '../aws/clients.js';
import type { CallPriority } from '../aws/call-priority.js';
import { attachRateLimiter, type LimitedCall } from '../aws/rate-limit-middleware.js';
import { awsBucketFor, READ_OPERATION, type BucketRule, type BucketSpec } from './aws-rate-limits.js';

export type { BucketSpec } from './aws-rate-limits.js';

/** The share of AWS's refill rate and bucket size the engine allows itself. */
export const ENGINE_SHARE = 0.9;

/** The bucket a call takes from, given its service, operation and input. */
export type RateLimits = (service: string, operation: string, input?: unknown) => BucketRule;

/** AWS's buckets (aws-rate-limits.ts) at ENGINE_SHARE of their rate and size (at least one token). */
export const DEFAULT_RATE_LIMITS: RateLimits = (service, operation, input) => {
  const rule = awsBucketFor(service, operation, input);
  return { ...rule, spec: { ratePerSecond: rule.spec.ratePerSecond * ENGINE_SHARE, burst: Math.max(1, Math.floor(rule.spec.burst * ENGINE_SHARE)) } };
};

/** No limit at all (benchmarks that measure a plan's own structure). */
export const NO_RATE_LIMITS: RateLimits = () => ({ bucket: 'unlimited', spec: { ratePerSecond: 1e9, burst: 1e9 } });

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiting: Record<CallPriority, Array<() => void>> = { high: [], low: [] };
  private pumping = false;

  constructor(
    private readonly spec: BucketSpec,
    private readonly clock: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = spec.burst;
    this.last = clock();
  }

  /** Waits until a token is available, then takes it: high priority first, each priority in arrival order. */
  take(priority: CallPriority = 'high'): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting[priority].push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** Calls waiting now (both priorities). */
  get queued(): number {
    return this.waiting.high.length + this.waiting.low.length;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.ratePerSecond);
    this.last = now;
  }

  /** One loop per bucket hands out tokens while calls wait; the next caller is chosen when a token is there. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        const next = this.waiting.high.length > 0 ? this.waiting.high : this.waiting.low;
        if (next.length === 0) return;
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          next.shift()!();
          continue;
        }
        await this.sleep(Math.ceil(((1 - this.tokens) / this.spec.ratePerSecond) * 1000));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** What one bucket of the limiter has done: calls, calls that had to wait, total time waited. */
export interface BucketStats {
  calls: number;
  waited: number;
  waitedMs: number;
}

/** One bucket per (account, Region or global, AWS bucket), created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Per bucket key (`account|region|bucket`): what it did (benchmarks print it). */
  readonly stats = new Map<string, BucketStats>();

  constructor(
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly clock?: () => number,
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {}

  /**
   * Takes a token for one call. `scope` is `account|region`. A mutating call is high priority whatever the work
   * that makes it; a read keeps the priority of its work (default high).
   */
  take(scope: string, service: string, call: LimitedCall = { operation: '' }): Promise<void> {
    const rule = this.limits(service, call.operation, call.input);
    const where = rule.global === true ? scope.split('|')[0]! : scope;
    const key = `${where}|${rule.bucket}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rule.spec, this.clock, this.sleep);
      this.buckets.set(key, bucket);
    }
    const mutating = call.operation !== '' && !READ_OPERATION.test(call.operation);
    let stats = this.stats.get(key);
    if (!stats) this.stats.set(key, (stats = { calls: 0, waited: 0, waitedMs: 0 }));
    stats.calls++;
    const queued = bucket.queued;
    const started = performance.now();
    const taken = bucket.take(mutating ? 'high' : (call.priority ?? 'high'));
    if (bucket.queued === queued) return taken; // served at once
    const s = stats;
    return taken.then(() => {
      s.waited++;
      s.waitedMs += performance.now() - started;
    });
  }
}

/** Returns AwsClients whose clients take a token from `limiter` before every call (any client class). */
export function rateLimitClients(clients: AwsClients, limiter: RateLimiter): AwsClients {
  const limited = (lookup: AwsClientLookup, region: string): AwsClientLookup => (ClientClass) => {
    const client = lookup(ClientClass);
    attachRateLimiter(client, limiter, `${clients.accountId}|${region}`);
    return client;
  };
  const { inRegion } = clients;
  return { ...clients, aws: limited(clients.aws, clients.region), ...(inRegion !== undefined ? { inRegion: (region: string) => limited(inRegion(region), region) } : {}) };
}
