/**
 * `s3.tag-object-quarantine`: the flagged version tagged `tourniquet:quarantine=<case>` (its other tags kept, the
 * GuardDuty scan-status tag included). S3 allows 10 tags per object: with 10 other tags already the step fails and
 * changes nothing. Release removes only that tag and gives back the value it had before, if any, so the prior tag
 * set is restored and tags others changed meanwhile are kept.
 */
import { DeleteObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { S3_ARN, s3Of } from './s3-bucket-state.js';
import { readObjectTags, resolveObject, versionParam, type ObjectRef, type TagSet } from './s3-object-state.js';

export const QUARANTINE_TAG = 'tourniquet:quarantine';
const MAX_OBJECT_TAGS = 10;

const InputSchema = z.strictObject({ bucket: z.string().optional(), key: z.string().optional(), versionId: z.string().optional() });

export type TagObjectPreImage = { bucket: string; key: string; versionId: string | null; tags: TagSet };

async function writeTags(ctx: BoundActionContext, ref: ObjectRef, tags: TagSet): Promise<void> {
  const target = { Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, ...versionParam(ref) };
  if (tags.length === 0) await s3Of(ctx).send(new DeleteObjectTaggingCommand(target));
  else await s3Of(ctx).send(new PutObjectTaggingCommand({ ...target, Tagging: { TagSet: tags } }));
}

export const tagObjectQuarantine = defineAction({
  name: 's3.tag-object-quarantine',
  effect: 'contain',
  input: InputSchema,
  description: 'Tag the flagged object version tourniquet:quarantine=<case> (other tags kept). Release restores the prior tag set.',
  permissions: [
    {
      // With a VersionId the calls are authorised as the …Version actions.
      actions: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
      resources: [S3_ARN.object],
      why: 'Tag the flagged object version and restore its tags on release',
    },
  ],

  async capture(input, ctx): Promise<TagObjectPreImage> {
    const ref = resolveObject(input, ctx);
    return { bucket: ref.bucket, key: ref.key, versionId: ref.versionId ?? null, tags: await readObjectTags(ctx, ref) };
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveObject(input, ctx);
    const now = await readObjectTags(ctx, ref);
    if (now.some((t) => t.Key === QUARANTINE_TAG && t.Value === ctx.caseId)) return { changed: false };
    const merged = [...now.filter((t) => t.Key !== QUARANTINE_TAG), { Key: QUARANTINE_TAG, Value: ctx.caseId }];
    if (merged.length > MAX_OBJECT_TAGS) {
      throw ctx.fail(`s3://${ref.bucket}/${ref.key} already has ${now.length} tags; S3 allows ${MAX_OBJECT_TAGS}, so ${QUARANTINE_TAG} cannot be added (nothing was changed)`);
    }
    await writeTags(ctx, ref, merged);
    return { changed: true };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const ref = resolveObject(input, ctx);
    const now = await readObjectTags(ctx, ref);
    const before = pre.tags.find((t) => t.Key === QUARANTINE_TAG);
    const ours = now.find((t) => t.Key === QUARANTINE_TAG);
    if (ours?.Value !== ctx.caseId) return { action: 'none', reason: `${QUARANTINE_TAG} is not this case's` };
    const next = [...now.filter((t) => t.Key !== QUARANTINE_TAG), ...(before !== undefined ? [before] : [])];
    await writeTags(ctx, ref, next);
    return { action: 'restored', tags: next };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveObject(input, ctx);
    const now = await readObjectTags(ctx, ref);
    const holds = now.some((t) => t.Key === QUARANTINE_TAG && t.Value === ctx.caseId);
    return { holds, detail: `s3://${ref.bucket}/${ref.key}${ref.versionId !== undefined ? `?versionId=${ref.versionId}` : ''}: ${now.map((t) => `${t.Key}=${t.Value}`).join(', ') || 'no tags'}` };
  },
});
