/**
 * AWS's own request throttling, as documented (or, where AWS publishes no figure, as assumed — each such row says
 * so): the bucket an API call takes a token from, its size and its refill rate. The engine's rate limiter
 * (rate-limiter.ts) runs a little under these; bench/support/aws-token-buckets.ts emulates AWS independently.
 *
 * EC2 — "Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html (read 2026-12-03):
 *   "With request rate limiting, each API is evaluated individually, and you are throttled on the number of requests
 *    you make on a per-API basis." Per account and Region. Its table "Request token bucket sizes and refill rates":
 *   - Non-mutating actions (Describe*, List*, Search*, Get* not in another category): capacity 100, refill 20/s.
 *   - Unfiltered and unpaginated non-mutating actions (DescribeInstances, DescribeInstanceStatus,
 *     DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeSnapshots, DescribeSpotInstanceRequests,
 *     DescribeVolumes), "when requested without specifying either pagination or a filter": capacity 50, refill 10/s.
 *   - Mutating actions (all others not resource-intensive or uncategorized): capacity 50, refill 5/s.
 *   - Resource-intensive actions (AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress, CreateKeyPair, …):
 *     capacity 50, refill 5/s ("throttled separately from other mutating actions").
 *   - Uncategorized actions with their own figures; those Tourniquet calls are in EC2_UNCATEGORIZED below.
 *   Assumed: a call that names resources by id (InstanceIds, NetworkInterfaceIds, …) without `Filters` or
 *   `MaxResults`/`NextToken` counts as unfiltered (the page names only filters and pagination), so it takes from
 *   the smaller bucket.
 * CloudTrail — LookupEvents: "2 requests per second per account per Region" (CloudTrail quotas); bucket 2.
 * Elastic Load Balancing v2 — "Request throttling for the Elastic Load Balancing API": non-mutating actions
 *   capacity 40, refill 10/s (the page's own example). Mutating: assumed capacity 10, refill 5/s (not re-read here).
 * IAM — AWS publishes no request rates for IAM (global, per account). Assumed: one account-wide bucket of 20,
 *   refill 10/s (the same assumption as the burst benchmark's emulation).
 * Auto Scaling — no published request rates. Assumed: reads capacity 40, refill 10/s; writes capacity 10, 5/s.
 * STS — assumed 600 requests a second per account and Region (the figure usually quoted for STS; not found in the
 *   pages read for this table). S3 — 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests a second per prefix
 *   (S3 performance guidelines; applied here per account and Region, which is stricter). Other services (DynamoDB,
 *   SQS, SNS, EventBridge, GuardDuty, Lambda, …): assumed 20/s, capacity 40, a budget no single incident comes near.
 */

/** A token bucket: its size (burst) and the tokens added per second. */
export interface BucketSpec {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size (burst). */
  readonly burst: number;
}

/** The bucket one call takes from: calls with the same `bucket` (within one account and scope) share it. */
export interface BucketRule {
  readonly bucket: string;
  readonly spec: BucketSpec;
  /** IAM is global: one bucket per account whatever the Region of the client. */
  readonly global?: boolean;
}

/** Operations that change nothing (their calls never count as containment by themselves). */
export const READ_OPERATION = /^(Describe|Get|List|Search|Head|Lookup)/;

const EC2_NON_MUTATING: BucketSpec = { burst: 100, ratePerSecond: 20 };
const EC2_UNFILTERED: BucketSpec = { burst: 50, ratePerSecond: 10 };
const EC2_MUTATING: BucketSpec = { burst: 50, ratePerSecond: 5 };

/** The "unfiltered and unpaginated" subset of the EC2 page's table. */
export const EC2_UNFILTERED_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

/** Rows of the EC2 page's "Uncategorized actions" table for the actions Tourniquet (and its tests) call. */
export const EC2_UNCATEGORIZED: Readonly<Record<string, BucketSpec>> = {
  AssociateIamInstanceProfile: { burst: 100, ratePerSecond: 5 },
  CreateSnapshot: { burst: 100, ratePerSecond: 5 },
  CreateSnapshots: { burst: 100, ratePerSecond: 5 },
  CreateTags: { burst: 100, ratePerSecond: 10 },
  DeleteTags: { burst: 100, ratePerSecond: 10 },
  CreateNetworkInterface: { burst: 100, ratePerSecond: 5 },
  DeleteNetworkInterface: { burst: 100, ratePerSecond: 5 },
  DeleteSnapshot: { burst: 100, ratePerSecond: 5 },
  DescribeSecurityGroupReferences: { burst: 20, ratePerSecond: 5 },
  DescribeStaleSecurityGroups: { burst: 20, ratePerSecond: 5 },
  DisassociateIamInstanceProfile: { burst: 100, ratePerSecond: 5 },
  ModifyImageAttribute: { burst: 100, ratePerSecond: 5 },
  ModifyInstanceMetadataOptions: { burst: 100, ratePerSecond: 5 },
  ModifyNetworkInterfaceAttribute: { burst: 100, ratePerSecond: 5 },
  ModifySnapshotAttribute: { burst: 100, ratePerSecond: 5 },
  RunInstances: { burst: 5, ratePerSecond: 2 },
  StartInstances: { burst: 5, ratePerSecond: 2 },
  TerminateInstances: { burst: 100, ratePerSecond: 5 },
};

const PAGINATION_OR_FILTER = ['Filters', 'MaxResults', 'NextToken'];

/** True when an EC2 call of an "unfiltered and unpaginated" action names neither a filter nor pagination. */
export function isUnfilteredEc2Call(operation: string, input: unknown): boolean {
  if (!EC2_UNFILTERED_ACTIONS.has(operation)) return false;
  const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  return !PAGINATION_OR_FILTER.some((k) => given[k] !== undefined && !(Array.isArray(given[k]) && (given[k] as unknown[]).length === 0));
}

/**
 * AWS's bucket for one call. `service` is the SDK client's name without `Client`, lower case (`ec2`, `iam`,
 * `autoscaling`, `elasticloadbalancingv2`, `cloudtrail`, …); `operation` the command's name without `Command`.
 */
export function awsBucketFor(service: string, operation: string, input?: unknown): BucketRule {
  const read = READ_OPERATION.test(operation);
  switch (service) {
    case 'ec2': {
      const own = EC2_UNCATEGORIZED[operation];
      if (own !== undefined) return { bucket: `ec2:${operation}`, spec: own };
      if (isUnfilteredEc2Call(operation, input)) return { bucket: `ec2:${operation}:unfiltered`, spec: EC2_UNFILTERED };
      return { bucket: `ec2:${operation}`, spec: read ? EC2_NON_MUTATING : EC2_MUTATING };
    }
    case 'iam':
      return { bucket: 'iam', spec: { burst: 20, ratePerSecond: 10 }, global: true };
    case 'cloudtrail':
      return { bucket: 'cloudtrail', spec: { burst: 2, ratePerSecond: 2 } };
    case 'elasticloadbalancingv2':
      return read ? { bucket: 'elbv2:read', spec: { burst: 40, ratePerSecond: 10 } } : { bucket: 'elbv2:write', spec: { burst: 10, ratePerSecond: 5 } };
    case 'autoscaling':
      return read ? { bucket: 'autoscaling:read', spec: { burst: 40, ratePerSecond: 10 } } : { bucket: 'autoscaling:write', spec: { burst: 10, ratePerSecond: 5 } };
    case 'sts':
      return { bucket: 'sts', spec: { burst: 600, ratePerSecond: 600 } };
    case 's3':
      return read ? { bucket: 's3:read', spec: { burst: 5500, ratePerSecond: 5500 } } : { bucket: 's3:write', spec: { burst: 3500, ratePerSecond: 3500 } };
    default:
      return { bucket: service, spec: { burst: 40, ratePerSecond: 20 } };
  }
}
