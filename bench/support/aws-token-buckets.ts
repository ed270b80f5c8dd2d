/**
 * Benchmark support: AWS's own request throttling emulated at the SDK level. Each (service, API) has a token
 * bucket; a call that finds it empty fails with the real error AWS returns (EC2 `RequestLimitExceeded`, IAM
 * `Throttling`), a ServiceException from the service's own SDK package, so the engine classifies it as it would in AWS.
 * EC2 (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): a bucket per API per account and
 * Region — non-mutating (Describe*) 100 tokens refilled 20/s (quoted in the page), mutating 200 refilled 5/s (the
 * page's table as we read it; not re-checked).
 * IAM publishes no per-API bucket sizes: assumed here one account-wide bucket of 20 refilled 10/s (stated in the
 * README). Other services pass through.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { IAMServiceException } from '@aws-sdk/client-iam';
import type { AwsClientLookup, AwsClients, SdkClient } from '../../src/aws/clients.js';

export interface Bucket {
  readonly size: number;
  readonly refillPerSecond: number;
}

const READ = /^(Describe|Get|List)/;

/** The bucket an API call takes from, or undefined (not throttled here). */
export function bucketFor(service: string, operation: string): { key: string; spec: Bucket } | undefined {
  if (service === 'EC2') return READ.test(operation) ? { key: `ec2:${operation}`, spec: { size: 100, refillPerSecond: 20 } } : { key: `ec2:${operation}`, spec: { size: 200, refillPerSecond: 5 } };
  if (service === 'IAM') return { key: 'iam', spec: { size: 20, refillPerSecond: 10 } };
  return undefined;
}

type Handler = (args: { input: object }) => Promise<unknown>;
interface MiddlewareClient {
  middlewareStack: {
    add(mw: (next: Handler, context: { commandName?: string; clientName?: string }) => Handler, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

export class AwsTokenBuckets {
  /** Accepted calls per bucket key (with its spec), and throttled calls. */
  readonly accepted = new Map<string, { spec: Bucket; count: number }>();
  throttled = 0;
  private readonly state = new Map<string, { tokens: number; at: number }>();
  private readonly attached = new WeakSet<object>();

  wrap(clients: AwsClients): AwsClients {
    const wrapLookup = (lookup: AwsClientLookup): AwsClientLookup => (ClientClass) => this.attach(lookup(ClientClass));
    const { inRegion } = clients;
    return { ...clients, aws: wrapLookup(clients.aws), ...(inRegion !== undefined ? { inRegion: (r: string) => wrapLookup(inRegion(r)) } : {}) };
  }

  /** The least time (ms) the buckets allow for the accepted calls: every bucket starts full. */
  floorMs(): number {
    let floor = 0;
    for (const { spec, count } of this.accepted.values()) floor = Math.max(floor, (Math.max(0, count - spec.size) / spec.refillPerSecond) * 1000);
    return floor;
  }

  private take(key: string, spec: Bucket): boolean {
    const now = performance.now();
    const s = this.state.get(key) ?? { tokens: spec.size, at: now };
    s.tokens = Math.min(spec.size, s.tokens + ((now - s.at) / 1000) * spec.refillPerSecond);
    s.at = now;
    this.state.set(key, s);
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  }

  private attach<C extends SdkClient>(client: C): C {
    if (this.attached.has(client)) return client;
    this.attached.add(client);
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        const service = (context.clientName ?? '').replace(/Client$/, '');
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const bucket = bucketFor(service, operation);
        if (bucket !== undefined) {
          if (!this.take(bucket.key, bucket.spec)) {
            this.throttled++;
            const meta = { httpStatusCode: service === 'EC2' ? 503 : 400, requestId: 'bench-throttle' };
            throw service === 'EC2'
              ? new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: meta, message: 'Request limit exceeded.' })
              : new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: meta, message: 'Rate exceeded' });
          }
          const a = this.accepted.get(bucket.key) ?? { spec: bucket.spec, count: 0 };
          a.count++;
          this.accepted.set(bucket.key, a);
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'benchAwsTokenBuckets', priority: 'low', override: true },
    );
    return client;
  }
}
