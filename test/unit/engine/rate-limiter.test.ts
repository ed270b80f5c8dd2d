import { describe, expect, it } from 'vitest';
import { withCallPriority } from '../../../src/aws/call-priority.js';
import { attachRateLimiter, type CallRateLimiter, type LimitedCall } from '../../../src/aws/rate-limit-middleware.js';
import type { SdkClient } from '../../../src/aws/clients.js';
import { DEFAULT_RATE_LIMITS, ENGINE_SHARE, RateLimiter, TokenBucket } from '../../../src/engine/rate-limiter.js';

/** A clock that only moves when the limiter sleeps. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    slept,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('allows the burst, then paces calls at the refill rate, in order', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 2 }, time.now, time.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(time.slept).toEqual([200, 200]);
    expect(time.now()).toBe(400);
  });

  it('serves waiting high-priority calls before low ones that arrived earlier, each in arrival order', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 }, time.now, time.sleep);
    const order: string[] = [];
    const calls = [
      bucket.take('low').then(() => order.push('evidence-1')),
      bucket.take('low').then(() => order.push('evidence-2')),
      bucket.take('low').then(() => order.push('evidence-3')),
      bucket.take('high').then(() => order.push('deny')),
      bucket.take('high').then(() => order.push('keys')),
    ];
    await Promise.all(calls);
    // evidence-1 had the one token in the bucket; the containment calls then go first, 1 s apart.
    expect(order).toEqual(['evidence-1', 'deny', 'keys', 'evidence-2', 'evidence-3']);
    expect(time.now()).toBe(4000);
  });
});

describe('RateLimiter with the default limits (AWS buckets at ENGINE_SHARE)', () => {
  it('gives each EC2 API its own bucket: a burst of one API does not hold back another', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, time.now, time.sleep);
    const scope = '123456789012|us-east-1';
    // CreateTags: AWS 100 / 10 a second → the engine 90 / 9.
    await Promise.all(Array.from({ length: 90 }, () => limiter.take(scope, 'ec2', { operation: 'CreateTags' })));
    expect(time.now()).toBe(0);
    await limiter.take(scope, 'ec2', { operation: 'ModifyNetworkInterfaceAttribute' });
    expect(time.now()).toBe(0);
    await limiter.take(scope, 'ec2', { operation: 'CreateTags' });
    expect(time.now()).toBe(Math.ceil(1000 / (10 * ENGINE_SHARE)));
  });

  it('puts a DescribeInstances without filter or pagination in the smaller unfiltered bucket', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, time.now, time.sleep);
    const scope = '123456789012|us-east-1';
    // Unfiltered: AWS 50 / 10 a second → the engine 45 / 9; filtered: 100 / 20 → 90 / 18.
    await Promise.all(Array.from({ length: 45 }, () => limiter.take(scope, 'ec2', { operation: 'DescribeInstances', input: { InstanceIds: ['i-1'] } })));
    await Promise.all(Array.from({ length: 90 }, () => limiter.take(scope, 'ec2', { operation: 'DescribeInstances', input: { Filters: [{ Name: 'instance-id', Values: ['i-1'] }] } })));
    expect(time.now()).toBe(0);
    await limiter.take(scope, 'ec2', { operation: 'DescribeInstances', input: { InstanceIds: ['i-1'] } });
    expect(time.now()).toBe(Math.ceil(1000 / (10 * ENGINE_SHARE)));
  });

  it('keeps one IAM bucket per account whatever the Region of the client (IAM is global)', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, time.now, time.sleep);
    // AWS (assumed) 20 / 10 a second → the engine 18 / 9.
    await Promise.all(Array.from({ length: 9 }, () => limiter.take('111111111111|us-east-1', 'iam', { operation: 'GetUser' })));
    await Promise.all(Array.from({ length: 9 }, () => limiter.take('111111111111|eu-west-1', 'iam', { operation: 'GetUser' })));
    expect(time.now()).toBe(0);
    await limiter.take('222222222222|us-east-1', 'iam', { operation: 'GetUser' });
    expect(time.now()).toBe(0);
    await limiter.take('111111111111|ap-south-1', 'iam', { operation: 'GetUser' });
    expect(time.now()).toBe(Math.ceil(1000 / (10 * ENGINE_SHARE)));
  });

  it('a mutating call is served first even when the work that makes it is low priority', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(() => ({ bucket: 'iam', spec: { ratePerSecond: 1, burst: 1 } }), time.now, time.sleep);
    const scope = '111111111111|us-east-1';
    const order: string[] = [];
    const calls = [
      limiter.take(scope, 'iam', { operation: 'ListAccessKeys', priority: 'low' }).then(() => order.push('read-1')),
      limiter.take(scope, 'iam', { operation: 'GetUserPolicy', priority: 'low' }).then(() => order.push('read-2')),
      limiter.take(scope, 'iam', { operation: 'PutUserPolicy', priority: 'low' }).then(() => order.push('deny')),
    ];
    await Promise.all(calls);
    expect(order).toEqual(['read-1', 'deny', 'read-2']);
  });
});

describe('the rate-limit middleware', () => {
  it('passes the operation, the input and the priority of the work making the call', async () => {
    let middleware: ((next: (args: { input?: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>) | undefined;
    const client = { config: {}, middlewareStack: { addRelativeTo: (mw: typeof middleware) => (middleware = mw) }, send: () => Promise.resolve(), destroy: () => undefined } as unknown as SdkClient;
    const seen: Array<[string, string, LimitedCall]> = [];
    const limiter: CallRateLimiter = { take: (scope, service, call) => (seen.push([scope, service, call]), Promise.resolve()) };
    attachRateLimiter(client, limiter, 'acct|us-east-1');
    const handler = middleware!(() => Promise.resolve('sent'), { clientName: 'EC2Client', commandName: 'DescribeInstancesCommand' });
    const input = { InstanceIds: ['i-1'] };
    await withCallPriority('low', async () => {
      await Promise.resolve();
      expect(await handler({ input })).toBe('sent');
    });
    await handler({ input });
    expect(seen).toEqual([
      ['acct|us-east-1', 'ec2', { operation: 'DescribeInstances', input, priority: 'low' }],
      ['acct|us-east-1', 'ec2', { operation: 'DescribeInstances', input, priority: 'high' }],
    ]);
  });
});
