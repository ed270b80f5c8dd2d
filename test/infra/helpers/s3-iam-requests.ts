/**
 * S3 API operations are not named like the IAM actions that authorise them (GetPublicAccessBlock is
 * s3:GetBucketPublicAccessBlock, DeletePublicAccessBlock is authorised by s3:PutBucketPublicAccessBlock, a GetObject
 * with a VersionId is s3:GetObjectVersion, CopyObject reads the source and writes the target, tags included). This
 * maps a recorded S3 call to the IAM requests AWS evaluates for it, on the bucket or object ARN the call names.
 * sts:GetCallerIdentity needs no permission (AWS does not authorise it), so it makes no request.
 * From the S3 API reference's "Permissions" sections.
 */
import type { RecordedCall } from '../../support/aws-call-recording.js';

type Input = Record<string, unknown>;
type Target = 'bucket' | 'object' | 'copy-source';

const BUCKET: Record<string, string> = {
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketOwnershipControls: 's3:GetBucketOwnershipControls',
  PutBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  GetBucketPolicy: 's3:GetBucketPolicy',
  PutBucketPolicy: 's3:PutBucketPolicy',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  GetBucketAcl: 's3:GetBucketAcl',
  GetBucketVersioning: 's3:GetBucketVersioning',
  PutBucketVersioning: 's3:PutBucketVersioning',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  GetBucketLogging: 's3:GetBucketLogging',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  GetBucketTagging: 's3:GetBucketTagging',
  ListObjectVersions: 's3:ListBucketVersions',
  ListObjectsV2: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
};

/** [IAM action, which resource] pairs for one call; undefined for an operation this table does not know. */
function s3Actions(operation: string, input: Input): Array<[string, Target]> | undefined {
  const bucketAction = BUCKET[operation];
  if (bucketAction !== undefined) return [[bucketAction, 'bucket']];
  const versioned = typeof input['VersionId'] === 'string';
  const v = (plain: string, withVersion: string): string => (versioned ? withVersion : plain);
  switch (operation) {
    case 'GetObject':
    case 'HeadObject':
      return [[v('s3:GetObject', 's3:GetObjectVersion'), 'object']];
    case 'GetObjectTagging':
      return [[v('s3:GetObjectTagging', 's3:GetObjectVersionTagging'), 'object']];
    case 'PutObjectTagging':
      return [[v('s3:PutObjectTagging', 's3:PutObjectVersionTagging'), 'object']];
    case 'DeleteObjectTagging':
      return [[v('s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'), 'object']];
    case 'DeleteObject':
      return [[v('s3:DeleteObject', 's3:DeleteObjectVersion'), 'object']];
    case 'PutObject':
      return [['s3:PutObject', 'object'], ...(input['Tagging'] !== undefined ? ([['s3:PutObjectTagging', 'object']] as Array<[string, Target]>) : [])];
    case 'CopyObject':
      // The tags are copied too unless TaggingDirective is REPLACE.
      return [
        ['s3:PutObject', 'object'],
        ['s3:GetObject', 'copy-source'],
        ['s3:GetObjectTagging', 'copy-source'],
        ['s3:PutObjectTagging', 'object'],
      ];
    default:
      return undefined;
  }
}

/** The IAM actions a recorded call needs (the operation itself for services whose names match). */
export function iamActionsOf(call: RecordedCall): string[] {
  if (call.service === 'sts' && call.operation === 'GetCallerIdentity') return [];
  if (call.service !== 's3') return [`${call.service}:${call.operation}`];
  const actions = s3Actions(call.operation, (call.input ?? {}) as Input);
  if (actions === undefined) return [`s3:${call.operation}`];
  return [...new Set(actions.map(([a]) => a))];
}

/** The requests for an S3 call (or sts:GetCallerIdentity); undefined when the generic path applies. */
export function s3Requests(call: RecordedCall, base: Record<string, string | string[]>, why: string): Array<{ action: string; resource: string; context: Record<string, string | string[]>; why: string }> | undefined {
  if (call.service === 'sts' && call.operation === 'GetCallerIdentity') return [];
  if (call.service !== 's3') return undefined;
  const input = (call.input ?? {}) as Input;
  const actions = s3Actions(call.operation, input);
  if (actions === undefined) return undefined;
  const bucket = String(input['Bucket']);
  const source = decodeURIComponent(String(input['CopySource'] ?? ''));
  const arnOf = (target: Target): string =>
    target === 'bucket' ? `arn:aws:s3:::${bucket}` : target === 'object' ? `arn:aws:s3:::${bucket}/${String(input['Key'])}` : `arn:aws:s3:::${source.replace(/^\//, '')}`;
  return actions.map(([action, target]) => ({ action, resource: arnOf(target), context: base, why: `${why} (${action})` }));
}
