/**
 * Benchmark support: AWS's own request throttling emulated at the SDK level. Each (service, API) has a token
 * bucket; a call that finds it empty fails with the real error AWS returns (EC2 `RequestLimitExceeded`, IAM
 * `Throttling`), a ServiceException from the service's own SDK package, so the engine classifies it as it would in AWS.
 * EC2 — "Request throttling for the Amazon EC2 API" (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
 * re-read 2026-12-03): "each API is evaluated individually", per account and Region. Its table: non-mutating
 * actions (Describe*, List*, Search*, Get*) 100 tokens refilled 20/s; the "unfiltered and unpaginated" subset
 * (DescribeInstances, DescribeInstanceStatus, DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeSnapshots,
 * DescribeSpotInstanceRequests, DescribeVolumes, "when requested without specifying either pagination or a filter")
 * 50 refilled 10/s; mutating actions 50 refilled 5/s (this file said 200 before: wrong); resource-intensive
 * actions 50 / 5; "uncategorized actions" with their own rows (those called here are in UNCATEGORIZED). Read here as
 * the engine reads it: a call naming ids without `Filters`/`MaxResults`/`NextToken` is unfiltered (the stricter
 * reading; `floorIfIdsFilter` in the benchmark's output gives the floor under the other).
 * IAM publishes no per-API bucket sizes: assumed here one account-wide bucket of 20 refilled 10/s (stated in the
 * README). Other services pass through. Written apart from src/engine/aws-rate-limits.ts on purpose, so a mistake
 * in the engine's table shows up as throttling here.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { IAMServiceException } from '@aws-sdk/client-iam';
import type { AwsClientLookup, AwsClients, SdkClient } from '../../src/aws/clients.js';

export interface Bucket {
  readonly size: number;
  readonly refillPerSecond: number;
}

const READ = /^(Describe|Get|List|Search)/;
const UNFILTERED = new Set(['DescribeInstances', 'DescribeInstanceStatus', 'DescribeNetworkInterfaces', 'DescribeSecurityGroups', 'DescribeSnapshots', 'DescribeSpotInstanceRequests', 'DescribeVolumes']);
/** The EC2 page's "Uncategorized actions" rows for the actions the engine and this benchmark call. */
const UNCATEGORIZED: Readonly<Record<string, Bucket>> = {
  AssociateIamInstanceProfile: { size: 100, refillPerSecond: 5 },
  CreateSnapshot: { size: 100, refillPerSecond: 5 },
  CreateSnapshots: { size: 100, refillPerSecond: 5 },
  CreateTags: { size: 100, refillPerSecond: 10 },
  DeleteTags: { size: 100, refillPerSecond: 10 },
  DisassociateIamInstanceProfile: { size: 100, refillPerSecond: 5 },
  ModifyInstanceMetadataOptions: { size: 100, refillPerSecond: 5 },
  ModifyNetworkInterfaceAttribute: { size: 100, refillPerSecond: 5 },
  ModifySnapshotAttribute: { size: 100, refillPerSecond: 5 },
  ModifyImageAttribute: { size: 100, refillPerSecond: 5 },
  RunInstances: { size: 5, refillPerSecond: 2 },
  StartInstances: { size: 5, refillPerSecond: 2 },
  TerminateInstances: { size: 100, refillPerSecond: 5 },
};

function filteredOrPaginated(input: Record<string, unknown>, idsCountAsFilter: boolean): boolean {
  const given = (k: string): boolean => input[k] !== undefined && !(Array.isArray(input[k]) && (input[k] as unknown[]).length === 0);
  return ['Filters', 'MaxResults', 'NextToken'].some(given) || (idsCountAsFilter && Object.keys(input).some((k) => k.endsWith('Ids') && given(k)));
}

/** The bucket an API call takes from, or undefined (not throttled here). */
export function bucketFor(service: string, operation: string, input: Record<string, unknown> = {}, idsCountAsFilter = false): { key: string; spec: Bucket } | undefined {
  if (service === 'EC2') {
    const own = UNCATEGORIZED[operation];
    if (own !== undefined) return { key: `ec2:${operation}`, spec: own };
    if (UNFILTERED.has(operation) && !filteredOrPaginated(input, idsCountAsFilter)) return { key: `ec2:${operation}:unfiltered`, spec: { size: 50, refillPerSecond: 10 } };
    return { key: `ec2:${operation}`, spec: READ.test(operation) ? { size: 100, refillPerSecond: 20 } : { size: 50, refillPerSecond: 5 } };
  }
  if (service === 'IAM') return { key: 'iam', spec: { size: 20, refillPerSecond: 10 } };
  return undefined;
}

type Handler = (args: { input: object }) => Promise<unknown>;
interface MiddlewareClient {
  middlewareStack: {
    add(mw: (next: Handler, context: { commandName?: string; clientName?: string }) => Handler, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

function count(into: Map<string, { spec: Bucket; count: number }>, bucket: { key: string; spec: Bucket }): void {
  const a = into.get(bucket.key) ?? { spec: bucket.spec, count: 0 };
  a.count++;
  into.set(bucket.key, a);
}

export class AwsTokenBuckets {
  /** Accepted calls per bucket key (with its spec), and throttled calls. */
  readonly accepted = new Map<string, { spec: Bucket; count: number }>();
  /** The same calls counted as if ids alone made a describe filtered (the other reading of the EC2 page). */
  readonly acceptedIfIdsFilter = new Map<string, { spec: Bucket; count: number }>();
  throttled = 0;
  private readonly state = new Map<string, { tokens: number; at: number }>();
  private readonly attached = new WeakSet<object>();

  wrap(clients: AwsClients): AwsClients {
    const wrapLookup = (lookup: AwsClientLookup): AwsClientLookup => (ClientClass) => this.attach(lookup(ClientClass));
    const { inRegion } = clients;
    return { ...clients, aws: wrapLookup(clients.aws), ...(inRegion !== undefined ? { inRegion: (r: string) => wrapLookup(inRegion(r)) } : {}) };
  }

  /** The least time (ms) the buckets allow for the accepted calls: every bucket starts full. */
  floorMs(accepted: ReadonlyMap<string, { spec: Bucket; count: number }> = this.accepted): number {
    let floor = 0;
    for (const { spec, count } of accepted.values()) floor = Math.max(floor, (Math.max(0, count - spec.size) / spec.refillPerSecond) * 1000);
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
        const input = args.input as Record<string, unknown>;
        const bucket = bucketFor(service, operation, input);
        if (bucket !== undefined) {
          if (!this.take(bucket.key, bucket.spec)) {
            this.throttled++;
            const meta = { httpStatusCode: service === 'EC2' ? 503 : 400, requestId: 'bench-throttle' };
            throw service === 'EC2'
              ? new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: meta, message: 'Request limit exceeded.' })
              : new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: meta, message: 'Rate exceeded' });
          }
          count(this.accepted, bucket);
          count(this.acceptedIfIdsFilter, bucketFor(service, operation, input, true)!);
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'benchAwsTokenBuckets', priority: 'low', override: true },
    );
    return client;
  }
}
