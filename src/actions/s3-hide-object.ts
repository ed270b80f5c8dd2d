/**
 * `s3.hide-object`: in a versioned bucket, a delete marker on the key, so readers (a model server loading
 * `s3://bucket/model.pkl`) get 404 while the flagged version and every other version stay intact. Only with
 * versioning `Enabled`: in a suspended bucket a delete removes the `null` version, i.e. destroys data, so the step
 * fails there and changes nothing. Release deletes exactly the marker this step created (by its version id).
 * A flagged version that is not the latest is not what plain reads get; the marker still hides the key as a whole.
 */
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { httpStatusOf, isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { readVersioning, S3_ARN, s3Of } from './s3-bucket-state.js';
import { listKeyVersions, resolveObject, versionParam, type ObjectRef } from './s3-object-state.js';

const InputSchema = z.strictObject({ bucket: z.string().optional(), key: z.string().optional(), versionId: z.string().optional() });

export type HideObjectPreImage = { bucket: string; key: string; versioning: string | null; deleteMarkers: string[]; latestIsMarker: boolean };
export type HideObjectOutput = { changed: boolean; markerVersionId: string | null };

async function exists(ctx: BoundActionContext, ref: ObjectRef, withVersion: boolean): Promise<boolean> {
  try {
    await s3Of(ctx).send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, ...(withVersion ? versionParam(ref) : {}) }));
    return true;
  } catch (err) {
    // A key whose latest version is a delete marker answers 404 (405 when asked for the marker by id).
    if (isAwsError(err, 'NotFound', 'NoSuchKey', 'MethodNotAllowed') || httpStatusOf(err) === 404 || httpStatusOf(err) === 405) return false;
    throw err;
  }
}

export const hideObject = defineAction({
  name: 's3.hide-object',
  effect: 'contain',
  input: InputSchema,
  description: 'Put a delete marker on the key in its versioned bucket (every version kept). Release removes exactly that marker.',
  permissions: [
    { actions: ['s3:GetBucketVersioning', 's3:ListBucketVersions'], resources: [S3_ARN.bucket], why: 'Check the bucket is versioned and find the key’s delete markers' },
    {
      // DeleteObject without a VersionId only adds a marker; with the marker's VersionId (release) it is s3:DeleteObjectVersion.
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [S3_ARN.object],
      why: 'Hide the object behind a delete marker and remove that marker on release',
    },
  ],

  async capture(input, ctx): Promise<HideObjectPreImage> {
    const ref = resolveObject(input, ctx);
    const versioning = (await readVersioning(ctx, ref)).status;
    const listed = await listKeyVersions(ctx, ref);
    return {
      bucket: ref.bucket,
      key: ref.key,
      versioning,
      deleteMarkers: listed.deleteMarkers.map((m) => m.versionId),
      latestIsMarker: listed.deleteMarkers.some((m) => m.isLatest),
    };
  },

  async apply(input, pre, ctx): Promise<HideObjectOutput> {
    const ref = resolveObject(input, ctx);
    const versioning = (await readVersioning(ctx, ref)).status;
    if (versioning !== 'Enabled') {
      throw ctx.fail(`bucket ${ref.bucket} has versioning ${versioning ?? 'never enabled'}: a delete there would destroy the object, so no delete marker is put (nothing was changed)`);
    }
    const listed = await listKeyVersions(ctx, ref);
    const latestMarker = listed.deleteMarkers.find((m) => m.isLatest);
    if (latestMarker !== undefined) {
      // Hidden already: by this step on an earlier attempt (a marker that was not there at capture), or before the case.
      const ours = !pre.deleteMarkers.includes(latestMarker.versionId);
      return { changed: false, markerVersionId: ours ? latestMarker.versionId : null };
    }
    const out = await s3Of(ctx).send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner }));
    if (out.DeleteMarker !== true || out.VersionId === undefined) throw ctx.fail(`S3 did not answer with a delete marker for s3://${ref.bucket}/${ref.key}`);
    return { changed: true, markerVersionId: out.VersionId };
  },

  async release(input, pre, output, ctx): Promise<Json> {
    const ref = resolveObject(input, ctx);
    const listed = await listKeyVersions(ctx, ref);
    // The marker this step created: from its output, else (apply stopped before journaling it) the one not there at capture.
    const ours = output?.markerVersionId ?? listed.deleteMarkers.find((m) => !pre.deleteMarkers.includes(m.versionId))?.versionId ?? null;
    if (ours === null || !listed.deleteMarkers.some((m) => m.versionId === ours)) return { action: 'none', reason: 'no delete marker of this case on the key' };
    await s3Of(ctx).send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, ExpectedBucketOwner: ref.owner, VersionId: ours }));
    return { action: 'marker-removed', markerVersionId: ours };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveObject(input, ctx);
    const served = await exists(ctx, ref, false);
    const kept = ref.versionId === undefined ? true : await exists(ctx, ref, true);
    return {
      holds: !served && kept,
      detail: `s3://${ref.bucket}/${ref.key}: ${served ? 'still served' : 'not served (delete marker)'}; flagged version ${kept ? 'kept' : 'MISSING'}`,
    };
  },
});
