/**
 * Reading an S3 bucket's containment-relevant settings, where "not configured" is an AWS error (NoSuch…): each
 * reader turns exactly that error into `null` (absent) and lets every other error through. The bucket an action
 * works on is the subject's; every call carries `ExpectedBucketOwner` (the subject's account) so a same-named bucket
 * in another account is never read or changed.
 */
import {
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type ObjectOwnership,
  type PublicAccessBlockConfiguration,
  S3Client,
} from '@aws-sdk/client-s3';
import { describeValue } from '../errors.js';
import type { BoundActionContext } from './action.js';
import { isAwsError } from './action-support.js';

/** S3 ARN patterns for `IamPermission.resources` (bucket names are global: the generator adds aws:ResourceAccount). */
export const S3_ARN = {
  bucket: 'arn:${Partition}:s3:::*',
  object: 'arn:${Partition}:s3:::*/*',
} as const;

// Bucket naming rules (lower case, digits, dots, hyphens; 3–63): anything else never reaches an API call or a policy.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface BucketRef {
  readonly bucket: string;
  /** The subject's account: sent as ExpectedBucketOwner. */
  readonly owner: string;
}

/** The bucket the action works on: `input.bucket` when given, else the subject's (an s3-bucket or s3-object). */
export function resolveBucket(input: { bucket?: string | undefined }, ctx: BoundActionContext): BucketRef {
  const s = ctx.subject;
  const fromSubject = s.kind === 's3-bucket' ? s.details.bucketName : s.kind === 's3-object' ? s.details.bucket : undefined;
  const bucket = input.bucket ?? fromSubject;
  if (bucket === undefined) throw ctx.fail(`no bucket to act on: the subject is ${describeValue(s.kind)} and the input has no bucket`);
  if (!BUCKET_NAME.test(bucket)) throw ctx.fail(`not an S3 bucket name: ${describeValue(bucket)}`);
  return { bucket, owner: s.accountId };
}

export const s3Of = (ctx: BoundActionContext): S3Client => ctx.aws(S3Client);

/** The bucket's public access block flags, or null when the bucket has none. */
export async function readPublicAccessBlock(ctx: BoundActionContext, ref: BucketRef): Promise<PublicAccessBlockFlags | null> {
  try {
    const out = await s3Of(ctx).send(new GetPublicAccessBlockCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
    const c: PublicAccessBlockConfiguration = out.PublicAccessBlockConfiguration ?? {};
    return {
      BlockPublicAcls: c.BlockPublicAcls ?? false,
      IgnorePublicAcls: c.IgnorePublicAcls ?? false,
      BlockPublicPolicy: c.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
    };
  } catch (err) {
    if (isAwsError(err, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw err;
  }
}

export type PublicAccessBlockFlags = {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
};

/** The bucket's object-ownership setting, or null when it has no ownership controls. */
export async function readOwnership(ctx: BoundActionContext, ref: BucketRef): Promise<ObjectOwnership | null> {
  try {
    const out = await s3Of(ctx).send(new GetBucketOwnershipControlsCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
    return out.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null;
  } catch (err) {
    if (isAwsError(err, 'OwnershipControlsNotFoundError')) return null;
    throw err;
  }
}

/** The bucket policy text exactly as S3 returns it, or null when the bucket has none. */
export async function readBucketPolicy(ctx: BoundActionContext, ref: BucketRef): Promise<string | null> {
  try {
    const out = await s3Of(ctx).send(new GetBucketPolicyCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
    return out.Policy ?? null;
  } catch (err) {
    if (isAwsError(err, 'NoSuchBucketPolicy')) return null;
    throw err;
  }
}

/** `Enabled`, `Suspended`, or null for a bucket that was never versioned. */
export async function readVersioning(ctx: BoundActionContext, ref: BucketRef): Promise<{ status: 'Enabled' | 'Suspended' | null; mfaDelete: string | null }> {
  const out = await s3Of(ctx).send(new GetBucketVersioningCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
  const status = out.Status === 'Enabled' || out.Status === 'Suspended' ? out.Status : null;
  return { status, mfaDelete: out.MFADelete ?? null };
}
