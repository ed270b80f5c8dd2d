/**
 * `s3.enable-versioning`: versioning on, so an attacker's overwrite or delete keeps the previous version (evidence,
 * recovery). Release cannot give the bucket back its never-versioned state: AWS only offers `Suspended` once a
 * bucket has been versioned. Release therefore suspends versioning when it was off or suspended before, and says so;
 * the versions written meanwhile stay (deleting them would destroy data). MFA delete is never touched.
 */
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { readVersioning, resolveBucket, S3_ARN, s3Of } from './s3-bucket-state.js';

const InputSchema = z.strictObject({ bucket: z.string().optional() });

export type EnableVersioningPreImage = { bucket: string; status: 'Enabled' | 'Suspended' | null };

/** What release says when the bucket was never versioned. */
export const NEVER_VERSIONED_NOTE = 'the bucket was never versioned; AWS cannot return a bucket to unversioned, so versioning is Suspended (the versions kept meanwhile stay)';

export const enableVersioning = defineAction({
  name: 's3.enable-versioning',
  effect: 'contain',
  input: InputSchema,
  description: 'Enable bucket versioning so overwrites and deletes keep the previous version. Release suspends it again (AWS cannot return a bucket to unversioned).',
  permissions: [
    {
      actions: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'],
      resources: [S3_ARN.bucket],
      why: 'Enable versioning on the bucket and suspend it again on release',
    },
  ],

  async capture(input, ctx): Promise<EnableVersioningPreImage> {
    const ref = resolveBucket(input, ctx);
    return { bucket: ref.bucket, status: (await readVersioning(ctx, ref)).status };
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    if ((await readVersioning(ctx, ref)).status === 'Enabled') return { changed: false };
    await s3Of(ctx).send(new PutBucketVersioningCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner, VersioningConfiguration: { Status: 'Enabled' } }));
    return { changed: true };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    if (pre.status === 'Enabled') return { action: 'none', status: 'Enabled' };
    const now = (await readVersioning(ctx, ref)).status;
    const note: Record<string, string> = pre.status === null ? { note: NEVER_VERSIONED_NOTE } : {};
    if (now === 'Suspended') return { action: 'none', status: 'Suspended', ...note };
    await s3Of(ctx).send(new PutBucketVersioningCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner, VersioningConfiguration: { Status: 'Suspended' } }));
    return { action: 'suspended', status: 'Suspended', ...note };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveBucket(input, ctx);
    const now = await readVersioning(ctx, ref);
    return { holds: now.status === 'Enabled', detail: `${ref.bucket}: versioning ${now.status ?? 'never enabled'}` };
  },
});
