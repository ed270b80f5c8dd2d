/**
 * Per-service token buckets, applied to every AWS call as SDK middleware. EC2 mutating calls refill at about
 * 5/s per account and Region; IAM is global and its limits cannot be raised, so it gets the smallest budget.
 */
import type { AwsClientLookup, AwsClients } from '../aws/clients.js';
import { attachRateLimiter } from '../aws/rate-limit-middleware.js';

export interface BucketSpec {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size (burst). */
  readonly burst: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<Record<string, BucketSpec>> = {
  ec2: { ratePerSecond: 5, burst: 20 },
  autoscaling: { ratePerSecond: 5, burst: 10 },
  elasticloadbalancingv2: { ratePerSecond: 5, burst: 10 },
  iam: { ratePerSecond: 2, burst: 5 },
  // LookupEvents: 2 requests per second per account and Region (the only CloudTrail call Tourniquet makes).
  cloudtrail: { ratePerSecond: 2, burst: 2 },
  default: { ratePerSecond: 10, burst: 20 },
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: BucketSpec,
    private readonly clock: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = spec.burst;
    this.last = clock();
  }

  /** Waits until a token is available, then takes it. Callers are served in order. */
  take(): Promise<void> {
    const next = this.queue.then(() => this.takeNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const now = this.clock();
      this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.spec.ratePerSecond) * 1000));
    }
  }
}

/** One bucket per (account, region, service), created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: Readonly<Record<string, BucketSpec>> = DEFAULT_RATE_LIMITS) {}

  take(scope: string, service: string): Promise<void> {
    const key = `${scope}|${service}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limits[service.toLowerCase()] ?? this.limits.default ?? { ratePerSecond: 10, burst: 20 });
      this.buckets.set(key, bucket);
    }
    return bucket.take();
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
