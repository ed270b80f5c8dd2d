/**
 * Shared helpers of the CrossGuard policies: resource type tokens, reading policy documents and following the
 * references between resources (a bucket and its encryption / public-access-block resources, a queue and its
 * dead-letter queue). Policies read only `type` and `props`, so they also run on mock-captured resources.
 */
import type { PolicyResource } from '@pulumi/policy';

export const T = {
  bucket: 'aws:s3/bucket:Bucket',
  bucketV2: 'aws:s3/bucketV2:BucketV2',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  bucketEncryptionV2: 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
  publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  bucketAcl: 'aws:s3/bucketAcl:BucketAcl',
  bucketAclV2: 'aws:s3/bucketAclV2:BucketAclV2',
  bucketWebsite: 'aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration',
  bucketWebsiteV2: 'aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2',
  bucketObject: 'aws:s3/bucketObjectv2:BucketObjectv2',
  queue: 'aws:sqs/queue:Queue',
  redrivePolicy: 'aws:sqs/redrivePolicy:RedrivePolicy',
  topic: 'aws:sns/topic:Topic',
  table: 'aws:dynamodb/table:Table',
  kmsKey: 'aws:kms/key:Key',
  lambdaFunction: 'aws:lambda/function:Function',
  eventSourceMapping: 'aws:lambda/eventSourceMapping:EventSourceMapping',
  eventTarget: 'aws:cloudwatch/eventTarget:EventTarget',
  iamPolicy: 'aws:iam/policy:Policy',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  userPolicy: 'aws:iam/userPolicy:UserPolicy',
  groupPolicy: 'aws:iam/groupPolicy:GroupPolicy',
  role: 'aws:iam/role:Role',
} as const;

/** What the policies read of a resource. */
export type ResourceView = Pick<PolicyResource, 'type' | 'urn' | 'name' | 'props'> & {
  readonly propertyDependencies?: Record<string, PolicyResource[]>;
};

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

/** The statements of a policy given as JSON text or object; undefined when it cannot be read. */
export function policyStatements(policy: unknown): Statement[] | undefined {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const statement = (doc as { Statement?: unknown }).Statement;
  return asArray(statement).filter((s): s is Statement => typeof s === 'object' && s !== null);
}

export function prop<T = unknown>(resource: ResourceView, name: string): T | undefined {
  return (resource.props as Record<string, unknown>)[name] as T | undefined;
}

/** Values by which other resources refer to a bucket (its name; its id, which is the name). */
export function bucketKeys(bucket: ResourceView): Set<string> {
  return new Set(strings([prop(bucket, 'bucket'), prop(bucket, 'id')]));
}

/** True when `resource` (an S3 sub-resource) points at `bucket`, by value or by property dependency. */
export function refersToBucket(resource: ResourceView, bucket: ResourceView): boolean {
  const ref = prop(resource, 'bucket');
  if (typeof ref === 'string' && bucketKeys(bucket).has(ref)) return true;
  const deps = resource.propertyDependencies?.['bucket'] ?? [];
  return deps.some((d) => d.urn === bucket.urn);
}

export function isBucket(r: ResourceView): boolean {
  return r.type === T.bucket || r.type === T.bucketV2;
}

export function parseJsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
