/**
 * `s3.block-public-access`: the bucket's own public access block with all four flags on (public ACLs and policies
 * blocked and ignored). Breaks legitimate public sites and datasets: exempt those buckets with the exemption tag or
 * leave the step out with the playbook option. Release restores the recorded flags, or deletes the configuration
 * when the bucket had none (an absent configuration is not the same as four `false` flags to an auditor).
 */
import { DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { readPublicAccessBlock, resolveBucket, S3_ARN, s3Of, type PublicAccessBlockFlags } from './s3-bucket-state.js';

const InputSchema = z.strictObject({ bucket: z.string().optional() });

export type BlockPublicAccessPreImage = { bucket: string; publicAccessBlock: PublicAccessBlockFlags | null };

const ALL_ON: PublicAccessBlockFlags = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const allOn = (f: PublicAccessBlockFlags | null): boolean => f !== null && Object.values(f).every((v) => v);
const same = (a: PublicAccessBlockFlags | null, b: PublicAccessBlockFlags | null): boolean => JSON.stringify(a) === JSON.stringify(b);

export const blockPublicAccess = defineAction({
  name: 's3.block-public-access',
  effect: 'contain',
  input: InputSchema,
  description: 'Turn on all four public-access-block flags of the bucket. Release restores the recorded flags, or removes the configuration when there was none.',
  permissions: [
    {
      // s3:PutBucketPublicAccessBlock also authorises DeletePublicAccessBlock; GetPublicAccessBlock is s3:GetBucketPublicAccessBlock.
      actions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      resources: [S3_ARN.bucket],
      why: 'Block public access on the bucket and restore it on release',
    },
  ],

  async capture(input, ctx): Promise<BlockPublicAccessPreImage> {
    const ref = resolveBucket(input, ctx);
    return { bucket: ref.bucket, publicAccessBlock: await readPublicAccessBlock(ctx, ref) };
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    if (allOn(await readPublicAccessBlock(ctx, ref))) return { changed: false };
    await s3Of(ctx).send(new PutPublicAccessBlockCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner, PublicAccessBlockConfiguration: ALL_ON }));
    return { changed: true };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    const now = await readPublicAccessBlock(ctx, ref);
    if (same(now, pre.publicAccessBlock)) return { action: 'none', publicAccessBlock: pre.publicAccessBlock };
    if (pre.publicAccessBlock === null) {
      await s3Of(ctx).send(new DeletePublicAccessBlockCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
      return { action: 'deleted', publicAccessBlock: null };
    }
    await s3Of(ctx).send(new PutPublicAccessBlockCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner, PublicAccessBlockConfiguration: pre.publicAccessBlock }));
    return { action: 'restored', publicAccessBlock: pre.publicAccessBlock };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveBucket(input, ctx);
    const now = await readPublicAccessBlock(ctx, ref);
    return { holds: allOn(now), detail: `${ref.bucket}: public access block ${now === null ? 'absent' : JSON.stringify(now)}` };
  },
});
