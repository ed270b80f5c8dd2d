/**
 * Streams one object version from S3, hashing every byte (SHA-256) and keeping the bytes only up to a bound, so a
 * multi-gigabyte model never has to fit in memory to be fingerprinted: over the bound the hash is still exact and
 * the copy is reported as not kept. An unversioned object is read with If-Match on the flagged ETag, so a newer
 * upload under the same key is never taken for the flagged one.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { BoundActionContext } from './action.js';
import { isAwsError } from './action-support.js';
import { s3Of } from './s3-bucket-state.js';
import { versionParam, type ObjectRef } from './s3-object-state.js';

export interface StreamedObject {
  readonly sha256: string;
  readonly size: number;
  /** The bytes, when `size <= maxBytes`. */
  readonly body?: Buffer;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
}

export async function streamObject(ctx: BoundActionContext, ref: ObjectRef, maxBytes: number): Promise<StreamedObject> {
  let out;
  try {
    out = await s3Of(ctx).send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ExpectedBucketOwner: ref.owner,
        ...versionParam(ref),
        ...(ref.versionId === undefined && ref.eTag !== undefined ? { IfMatch: ref.eTag } : {}),
      }),
    );
  } catch (err) {
    if (isAwsError(err, 'PreconditionFailed')) throw ctx.fail(`s3://${ref.bucket}/${ref.key} has been replaced since the finding (ETag is no longer ${ref.eTag ?? ''})`, err);
    throw err;
  }
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  let keep = true;
  for await (const chunk of (out.Body ?? []) as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (keep && size <= maxBytes) kept.push(Buffer.from(chunk));
    else if (keep) {
      keep = false;
      kept.length = 0;
    }
  }
  return {
    sha256: hash.digest('hex'),
    size,
    ...(keep ? { body: Buffer.concat(kept) } : {}),
    ...(out.ETag !== undefined ? { eTag: out.ETag } : {}),
    ...(out.VersionId !== undefined ? { versionId: out.VersionId } : {}),
    ...(out.ContentType !== undefined ? { contentType: out.ContentType } : {}),
    metadata: out.Metadata ?? {},
  };
}

/** The evidence artefact name of an object version's copy. */
export function objectArtefactName(ref: ObjectRef): string {
  return `s3-object/${ref.bucket}/${ref.key}@${ref.versionId ?? 'unversioned'}`;
}
