/**
 * `s3.quarantine-object` (destructive): for an object in a bucket WITHOUT versioning, where a delete marker is not
 * possible. The flagged content is first copied to the quarantine location (the `quarantine` input: an S3 bucket and
 * prefix; default the case's evidence store), the copy is read back, and only then is the object deleted from its
 * key. Destructive because the delete cannot be undone by S3 itself: release copies the quarantined bytes back to the
 * key (from the quarantine bucket, or from the evidence store's artefact), and refuses when something new was
 * uploaded to the key meanwhile. A versioned bucket is refused (`s3.hide-object` is the step there).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { parseS3Uri } from '../evidence/s3-location.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { httpStatusOf, isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { readVersioning, S3_ARN, s3Of } from './s3-bucket-state.js';
import { DEFAULT_EVIDENCE_MAX_BYTES } from './s3-capture-object-version.js';
import { objectArtefactName, streamObject } from './s3-object-copy.js';
import { readObjectTags, resolveObject, type ObjectRef, type TagSet } from './s3-object-state.js';

export const QuarantineLocationSchema = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'an S3 bucket name' }),
  prefix: z.string().max(512).default('quarantine/'),
});

const InputSchema = z.strictObject({
  bucket: z.string().optional(),
  key: z.string().optional(),
  eTag: z.string().optional(),
  quarantine: QuarantineLocationSchema.optional(),
  maxBytes: z.number().int().min(0).max(5 * 1024 * 1024 * 1024).default(DEFAULT_EVIDENCE_MAX_BYTES),
});

type Head = { eTag: string | null; size: number; contentType: string | null; metadata: Record<string, string> };
export type QuarantineObjectPreImage = { bucket: string; key: string; versioning: string | null; head: Head | null; tags: TagSet };
type Copy = { kind: 's3'; bucket: string; key: string } | { kind: 'evidence'; location: string; artefact: string; sha256: string };
export type QuarantineObjectOutput = { changed: boolean; copy: Copy | null };

async function head(ctx: BoundActionContext, bucket: string, key: string, owner?: string): Promise<Head | null> {
  try {
    const h = await s3Of(ctx).send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(owner !== undefined ? { ExpectedBucketOwner: owner } : {}) }));
    return { eTag: h.ETag ?? null, size: h.ContentLength ?? 0, contentType: h.ContentType ?? null, metadata: h.Metadata ?? {} };
  } catch (err) {
    if (isAwsError(err, 'NotFound', 'NoSuchKey') || httpStatusOf(err) === 404) return null;
    throw err;
  }
}

const quarantineKey = (prefix: string, caseId: string, ref: ObjectRef): string => `${prefix.replace(/^\/+/, '')}${caseId}/${ref.bucket}/${ref.key}`;

/** The quarantined bytes from the evidence store (an s3:// or file:// case location). */
async function evidenceBytes(ctx: BoundActionContext, location: string, artefact: string): Promise<Uint8Array> {
  if (location.startsWith('s3://')) {
    const where = parseS3Uri(location);
    const out = await s3Of(ctx).send(new GetObjectCommand({ Bucket: where.bucket, Key: `${where.prefix}${artefact}` }));
    return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
  }
  if (location.startsWith('file://')) return readFile(join(fileURLToPath(location), artefact));
  throw ctx.fail(`the quarantined copy is in ${location}, which release cannot read; restore ${artefact} from there by hand`);
}

export const quarantineObject = defineAction({
  name: 's3.quarantine-object',
  effect: 'destructive',
  input: InputSchema,
  description: 'Unversioned bucket: copy the flagged object to the quarantine location (default the evidence store), read the copy back, then delete it from its key. Release copies it back.',
  permissions: [
    { actions: ['s3:GetBucketVersioning'], resources: [S3_ARN.bucket], why: 'Refuse a versioned bucket (a delete marker is the step there)' },
    {
      // Source object (read, delete, put back on release) and the quarantine copy (write, read back).
      // Tags are read for the pre-image and written back with the object on release (s3:PutObjectTagging).
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
      resources: [S3_ARN.object],
      why: 'Move the flagged object to quarantine and back on release',
    },
  ],

  async capture(input, ctx): Promise<QuarantineObjectPreImage> {
    const ref = resolveObject(input, ctx);
    const found = await head(ctx, ref.bucket, ref.key, ref.owner);
    return { bucket: ref.bucket, key: ref.key, versioning: (await readVersioning(ctx, ref)).status, head: found, tags: found === null ? [] : await readObjectTags(ctx, ref) };
  },

  async apply(input, _pre, ctx): Promise<QuarantineObjectOutput> {
    const ref = resolveObject(input, ctx);
    if ((await readVersioning(ctx, ref)).status === 'Enabled') {
      throw ctx.fail(`bucket ${ref.bucket} is versioned: the object is hidden with a delete marker (s3.hide-object), not deleted (nothing was changed)`);
    }
    const now = await head(ctx, ref.bucket, ref.key, ref.owner);
    if (now === null) return { changed: false, copy: null };
    if (ref.eTag !== undefined && now.eTag !== ref.eTag) throw ctx.fail(`s3://${ref.bucket}/${ref.key} has been replaced since the finding (ETag ${now.eTag ?? 'none'}, flagged ${ref.eTag}); nothing was changed`);
    let copy: Copy;
    if (input.quarantine !== undefined) {
      const q = { bucket: input.quarantine.bucket, key: quarantineKey(input.quarantine.prefix, ctx.caseId, ref) };
      await s3Of(ctx).send(
        new CopyObjectCommand({
          Bucket: q.bucket,
          Key: q.key,
          CopySource: `${ref.bucket}/${encodeURIComponent(ref.key)}`,
          ExpectedSourceBucketOwner: ref.owner,
          ...(now.eTag !== null ? { CopySourceIfMatch: now.eTag } : {}),
        }),
      );
      const back = await head(ctx, q.bucket, q.key);
      if (back === null || back.size !== now.size) throw ctx.fail(`the quarantine copy s3://${q.bucket}/${q.key} did not read back with ${now.size} bytes; the object was not deleted`);
      copy = { kind: 's3', ...q };
    } else {
      const got = await streamObject(ctx, { ...ref, ...(now.eTag !== null ? { eTag: now.eTag } : {}) }, input.maxBytes);
      if (got.body === undefined) {
        throw ctx.fail(`s3://${ref.bucket}/${ref.key} is ${got.size} bytes, over the evidence bound of ${input.maxBytes}: set the quarantine bucket option; the object was not deleted`);
      }
      const entry = await ctx.evidence.put(objectArtefactName(ref), got.body);
      copy = { kind: 'evidence', location: ctx.evidence.location, artefact: entry.name, sha256: entry.sha256 };
    }
    await s3Of(ctx).send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner }));
    return { changed: true, copy };
  },

  async release(input, pre, output, ctx): Promise<Json> {
    const ref = resolveObject(input, ctx);
    const copy = output?.copy ?? null;
    if (copy === null) return { action: 'none', reason: 'nothing was quarantined by this step' };
    const now = await head(ctx, ref.bucket, ref.key, ref.owner);
    // Already put back (same content as before the step: a single-part object's ETag is its MD5).
    if (now !== null && pre.head !== null && now.eTag === pre.head.eTag) return { action: 'none', reason: 'the object is back at its key' };
    if (now !== null) {
      throw ctx.fail(`s3://${ref.bucket}/${ref.key} exists again (uploaded meanwhile): not overwritten; the quarantined copy stays where it is`);
    }
    // The evidence copy is bytes only: content type, metadata and tags come back from the pre-image.
    const tagging = pre.tags.length > 0 ? { Tagging: new URLSearchParams(pre.tags.map((t): [string, string] => [t.Key, t.Value])).toString() } : {};
    const original = { ...(pre.head?.contentType != null ? { ContentType: pre.head.contentType } : {}), Metadata: pre.head?.metadata ?? {}, ...tagging };
    if (copy.kind === 's3') {
      await s3Of(ctx).send(new CopyObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, CopySource: `${copy.bucket}/${encodeURIComponent(copy.key)}` }));
    } else {
      const body = await evidenceBytes(ctx, copy.location, copy.artefact);
      await s3Of(ctx).send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, Body: body, ...original }));
    }
    return { action: 'restored', from: copy.kind === 's3' ? `s3://${copy.bucket}/${copy.key}` : `${copy.location} ${copy.artefact}` };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveObject(input, ctx);
    const served = (await head(ctx, ref.bucket, ref.key, ref.owner)) !== null;
    const q = input.quarantine;
    const kept = q === undefined ? undefined : (await head(ctx, q.bucket, quarantineKey(q.prefix, ctx.caseId, ref))) !== null;
    return {
      holds: !served && kept !== false,
      detail: `s3://${ref.bucket}/${ref.key}: ${served ? 'still served' : 'deleted from its key'}; quarantine copy ${kept === undefined ? 'in the case evidence' : kept ? 'present' : 'MISSING'}`,
    };
  },
});
