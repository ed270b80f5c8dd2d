/**
 * A small text object in S3 edited optimistically: read it with its ETag, compute the new content, write it back
 * with `If-Match: <ETag read>` (or `If-None-Match: *` when it did not exist), and start over when another writer got
 * there first (S3 answers 412 PreconditionFailed or 409 ConditionalRequestConflict). Two responders editing at once
 * lose nothing; after `maxAttempts` lost races the edit fails with a ConflictError, never silently.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { ConflictError } from '../errors.js';

export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  /** Sent as ExpectedBucketOwner on every call, so a same-named bucket in another account is never read or written. */
  readonly expectedBucketOwner?: string;
}

export interface TextObject {
  /** The content, `''` when the object does not exist. */
  readonly text: string;
  readonly exists: boolean;
  readonly etag?: string;
  readonly versionId?: string;
}

export function s3Uri(location: S3ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Reads the object; a missing object (NoSuchKey) is an empty, non-existent one. Other errors are AwsCallErrors. */
export async function readTextObject(s3: S3Client, location: S3ObjectLocation): Promise<TextObject> {
  try {
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(location.expectedBucketOwner !== undefined ? { ExpectedBucketOwner: location.expectedBucketOwner } : {}),
      }),
    );
    const text = res.Body === undefined ? '' : await res.Body.transformToString('utf-8');
    return { text, exists: true, ...(res.ETag !== undefined ? { etag: res.ETag } : {}), ...(res.VersionId !== undefined ? { versionId: res.VersionId } : {}) };
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchKey') return { text: '', exists: false };
    throw wrapAwsError('s3', 'GetObject', error);
  }
}

/** What an edit wants: write `content`, or leave the object as it is; `result` is handed back either way. */
export type EditDecision<R> = { readonly write: true; readonly content: string; readonly result: R } | { readonly write: false; readonly result: R };

export interface EditOutcome<R> {
  readonly result: R;
  readonly written: boolean;
  readonly attempts: number;
  /** ETag of the object now in S3 (after the write, or as read when nothing was written). */
  readonly etag?: string;
  readonly versionId?: string;
}

export interface EditOptions {
  /** Read-edit-write attempts when another writer wins the race (default 5). */
  readonly maxAttempts?: number;
  readonly contentType?: string;
  /** What is being edited, for the ConflictError message (default: the s3:// URI). */
  readonly label?: string;
}

/**
 * Applies `edit` to the current content and writes the result conditionally, re-reading and re-applying on a lost
 * race. `edit` must be pure: it may run once per attempt. The upload relies on the bucket's default encryption.
 */
export async function editTextObject<R>(
  s3: S3Client,
  location: S3ObjectLocation,
  edit: (current: TextObject) => EditDecision<R>,
  options: EditOptions = {},
): Promise<EditOutcome<R>> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const current = await readTextObject(s3, location);
    const decision = edit(current);
    if (!decision.write) {
      return {
        result: decision.result,
        written: false,
        attempts: attempt,
        ...(current.etag !== undefined ? { etag: current.etag } : {}),
        ...(current.versionId !== undefined ? { versionId: current.versionId } : {}),
      };
    }
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Body: decision.content,
          ContentType: options.contentType ?? 'text/plain; charset=utf-8',
          // S3 always returns an ETag for an existing object; without one the write only succeeds if none exists.
          ...(current.etag !== undefined ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
          ...(location.expectedBucketOwner !== undefined ? { ExpectedBucketOwner: location.expectedBucketOwner } : {}),
        }),
      );
      return {
        result: decision.result,
        written: true,
        attempts: attempt,
        ...(put.ETag !== undefined ? { etag: put.ETag } : {}),
        ...(put.VersionId !== undefined ? { versionId: put.VersionId } : {}),
      };
    } catch (error) {
      if (isLostRace(error)) continue;
      throw wrapAwsError('s3', 'PutObject', error);
    }
  }
  throw new ConflictError(`${options.label ?? s3Uri(location)}: another writer changed it on each of ${maxAttempts} attempts; nothing was written`);
}

/** S3 answers 412 PreconditionFailed (ETag changed / object now exists) or 409 ConditionalRequestConflict. */
function isLostRace(error: unknown): boolean {
  const name = awsErrorName(error);
  const status = httpStatus(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
