/**
 * `s3.capture-bucket-config`: the bucket's configuration into the case evidence before anything changes it: policy
 * and policy status, ACL, public access block, ownership controls, versioning, Object Lock, logging, replication,
 * encryption, lifecycle, notifications and tags. Attacker changes to lifecycle (mass expiry) or encryption (SSE-C, a
 * foreign KMS key) are ransom paths, so they are recorded even though no step changes them. A setting the bucket
 * does not have (AWS answers NoSuch…/NotFound) is recorded as null; any other error fails the step.
 */
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyStatusCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { readBucketPolicy, readOwnership, readPublicAccessBlock, readVersioning, resolveBucket, S3_ARN, s3Of } from './s3-bucket-state.js';

const InputSchema = z.strictObject({ bucket: z.string().optional() });

/** The error codes meaning "the bucket has no such configuration". */
const ABSENT = [
  'NoSuchBucketPolicy',
  'NoSuchLifecycleConfiguration',
  'ReplicationConfigurationNotFoundError',
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchTagSet',
  'ObjectLockConfigurationNotFoundError',
];

async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (isAwsError(err, ...ABSENT)) return null;
    throw err;
  }
}

/** The SDK output without its `$metadata` (request ids are not configuration). */
function body(out: object): Json {
  const { $metadata: _m, ...rest } = out as { $metadata?: unknown };
  return JSON.parse(JSON.stringify(rest)) as Json;
}

export const captureBucketConfig = defineAction({
  name: 's3.capture-bucket-config',
  effect: 'read',
  input: InputSchema,
  description: 'Record the bucket configuration (policy, ACL, public access block, ownership, versioning, logging, replication, encryption, lifecycle, tags) in the case evidence.',
  permissions: [
    {
      actions: [
        's3:GetBucketPolicy',
        's3:GetBucketPolicyStatus',
        's3:GetBucketAcl',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketOwnershipControls',
        's3:GetBucketVersioning',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketLogging',
        's3:GetReplicationConfiguration',
        's3:GetEncryptionConfiguration',
        's3:GetLifecycleConfiguration',
        's3:GetBucketNotification',
        's3:GetBucketTagging',
      ],
      resources: [S3_ARN.bucket],
      why: 'Record the bucket configuration as evidence',
    },
  ],

  capture(input, ctx): Promise<{ bucket: string }> {
    return Promise.resolve({ bucket: resolveBucket(input, ctx).bucket });
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    const s3 = s3Of(ctx);
    const b = { Bucket: ref.bucket, ExpectedBucketOwner: ref.owner };
    const config = {
      bucket: ref.bucket,
      policy: await readBucketPolicy(ctx, ref),
      policyStatus: await orNull(async () => body(await s3.send(new GetBucketPolicyStatusCommand(b)))),
      acl: body(await s3.send(new GetBucketAclCommand(b))),
      publicAccessBlock: await readPublicAccessBlock(ctx, ref),
      ownership: await readOwnership(ctx, ref),
      versioning: await readVersioning(ctx, ref),
      objectLock: await orNull(async () => body(await s3.send(new GetObjectLockConfigurationCommand(b)))),
      logging: body(await s3.send(new GetBucketLoggingCommand(b))),
      replication: await orNull(async () => body(await s3.send(new GetBucketReplicationCommand(b)))),
      encryption: await orNull(async () => body(await s3.send(new GetBucketEncryptionCommand(b)))),
      lifecycle: await orNull(async () => body(await s3.send(new GetBucketLifecycleConfigurationCommand(b)))),
      notifications: body(await s3.send(new GetBucketNotificationConfigurationCommand(b))),
      tags: await orNull(async () => body(await s3.send(new GetBucketTaggingCommand(b)))),
    };
    const entry = await ctx.evidence.put(`s3-bucket-${ref.bucket}-config.json`, config);
    return { bucket: ref.bucket, artefact: entry.name, sha256: entry.sha256 };
  },
});
