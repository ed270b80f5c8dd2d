/**
 * `s3.enforce-bucket-owner`: object ownership `BucketOwnerEnforced`, which disables every ACL on the bucket and its
 * objects (a public or cross-account ACL grant stops working at once). S3 refuses it while the bucket ACL grants
 * access to another account (InvalidBucketAclWithObjectOwnership): the step then fails with that error, nothing is
 * changed. Release restores the recorded setting, or deletes the ownership controls when the bucket had none.
 */
import { DeleteBucketOwnershipControlsCommand, PutBucketOwnershipControlsCommand, type ObjectOwnership } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { readOwnership, resolveBucket, S3_ARN, s3Of, type BucketRef } from './s3-bucket-state.js';
import type { BoundActionContext } from './action.js';

const InputSchema = z.strictObject({ bucket: z.string().optional() });

export type EnforceBucketOwnerPreImage = { bucket: string; ownership: string | null };

const ENFORCED = 'BucketOwnerEnforced';

async function put(ctx: BoundActionContext, ref: BucketRef, ownership: string): Promise<void> {
  await s3Of(ctx).send(
    new PutBucketOwnershipControlsCommand({
      Bucket: ref.bucket,
      ExpectedBucketOwner: ref.owner,
      OwnershipControls: { Rules: [{ ObjectOwnership: ownership as ObjectOwnership }] },
    }),
  );
}

export const enforceBucketOwner = defineAction({
  name: 's3.enforce-bucket-owner',
  effect: 'contain',
  input: InputSchema,
  description: 'Set object ownership to BucketOwnerEnforced (ACLs disabled). Release restores the recorded setting, or removes the ownership controls when there were none.',
  permissions: [
    {
      // s3:PutBucketOwnershipControls also authorises DeleteBucketOwnershipControls.
      actions: ['s3:GetBucketOwnershipControls', 's3:PutBucketOwnershipControls'],
      resources: [S3_ARN.bucket],
      why: 'Disable ACLs on the bucket and restore the ownership setting on release',
    },
  ],

  async capture(input, ctx): Promise<EnforceBucketOwnerPreImage> {
    const ref = resolveBucket(input, ctx);
    return { bucket: ref.bucket, ownership: await readOwnership(ctx, ref) };
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    if ((await readOwnership(ctx, ref)) === ENFORCED) return { changed: false };
    await put(ctx, ref, ENFORCED);
    return { changed: true };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    const now = await readOwnership(ctx, ref);
    if (now === pre.ownership) return { action: 'none', ownership: pre.ownership };
    if (pre.ownership === null) {
      await s3Of(ctx).send(new DeleteBucketOwnershipControlsCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
      return { action: 'deleted', ownership: null };
    }
    await put(ctx, ref, pre.ownership);
    return { action: 'restored', ownership: pre.ownership };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveBucket(input, ctx);
    const now = await readOwnership(ctx, ref);
    return { holds: now === ENFORCED, detail: `${ref.bucket}: object ownership ${now ?? 'absent'}` };
  },
});
