/**
 * The object (one version of it) an s3-object step works on, its tags, and the versions S3 holds under its key.
 * A flagged object in a versioned bucket is named by its version id; in an unversioned bucket (no version id, or S3's
 * literal `null`) calls carry no VersionId and the object's ETag pins the content that was flagged.
 */
import { GetObjectTaggingCommand, ListObjectVersionsCommand, type ListObjectVersionsCommandOutput, type Tag } from '@aws-sdk/client-s3';
import { describeValue } from '../errors.js';
import type { BoundActionContext } from './action.js';
import { resolveBucket, s3Of, type BucketRef } from './s3-bucket-state.js';

export interface ObjectRef extends BucketRef {
  readonly key: string;
  /** Absent for an unversioned object. */
  readonly versionId?: string;
  readonly eTag?: string;
}

export type ObjectInput = { bucket?: string | undefined; key?: string | undefined; versionId?: string | undefined; eTag?: string | undefined };

/** The object: the input's fields first, else the subject's (an s3-object). */
export function resolveObject(input: ObjectInput, ctx: BoundActionContext): ObjectRef {
  const ref = resolveBucket(input, ctx);
  const d = ctx.subject.kind === 's3-object' ? ctx.subject.details : undefined;
  const key = input.key ?? d?.key;
  if (key === undefined || key === '' || key.length > 1024) throw ctx.fail(`no object key to act on (received ${describeValue(key)})`);
  const versionId = input.versionId ?? d?.versionId ?? undefined;
  const eTag = input.eTag ?? d?.eTag ?? undefined;
  return {
    ...ref,
    key,
    ...(versionId !== undefined && versionId !== 'null' ? { versionId } : {}),
    ...(eTag !== undefined ? { eTag: eTag.startsWith('"') ? eTag : `"${eTag}"` } : {}),
  };
}

export const versionParam = (ref: ObjectRef): { VersionId?: string } => (ref.versionId !== undefined ? { VersionId: ref.versionId } : {});

export type TagSet = Array<{ Key: string; Value: string }>;

export async function readObjectTags(ctx: BoundActionContext, ref: ObjectRef): Promise<TagSet> {
  const out = await s3Of(ctx).send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, ...versionParam(ref) }));
  return (out.TagSet ?? []).map((t: Tag) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

export interface KeyVersions {
  /** Versions of exactly this key (newest first, as S3 lists them). */
  readonly versions: Array<{ versionId: string; isLatest: boolean }>;
  readonly deleteMarkers: Array<{ versionId: string; isLatest: boolean }>;
}

/** Every version and delete marker of exactly `ref.key` (the prefix listing also returns longer keys: dropped). */
export async function listKeyVersions(ctx: BoundActionContext, ref: ObjectRef): Promise<KeyVersions> {
  const versions: KeyVersions['versions'] = [];
  const deleteMarkers: KeyVersions['deleteMarkers'] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const out: ListObjectVersionsCommandOutput = await s3Of(ctx).send(
      new ListObjectVersionsCommand({ Bucket: ref.bucket, Prefix: ref.key, ExpectedBucketOwner: ref.owner, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    for (const v of out.Versions ?? []) if (v.Key === ref.key) versions.push({ versionId: v.VersionId ?? 'null', isLatest: v.IsLatest === true });
    for (const m of out.DeleteMarkers ?? []) if (m.Key === ref.key) deleteMarkers.push({ versionId: m.VersionId ?? 'null', isLatest: m.IsLatest === true });
    if (out.IsTruncated !== true) break;
    // Past this key: the rest of the listing is longer keys only.
    if (out.NextKeyMarker !== ref.key) break;
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
  return { versions, deleteMarkers };
}
