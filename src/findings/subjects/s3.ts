/**
 * `resource.s3BucketDetails[]` → one `s3-bucket` subject per bucket and one `s3-object` subject per
 * `s3ObjectDetails[]` entry (Malware Protection for S3, `Object:S3/MaliciousFile`).
 */
import type { AiReason, Subject } from '../model.js';
import { nameReasons, objectKeyReason } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { otherSubject, readTags, type SubjectEnv } from './subject-env.js';
import { item, sub } from '../json-path.js';

const S3_ARN_PREFIX = /^arn:[a-z-]+:s3:::/;

/** `arn:aws:s3:::bucket[/key]` → bucket, or undefined. */
export function bucketFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const m = S3_ARN_PREFIX.exec(arn);
  if (m === null) return undefined;
  const rest = arn.slice(m[0].length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  return bucket.length > 0 ? bucket : undefined;
}

export function s3ObjectSubject(
  env: SubjectEnv,
  bucket: string,
  o: { key: string; objectArn?: string | undefined; versionId?: string | undefined; eTag?: string | undefined; hash?: string | undefined },
  extra: { role?: string | undefined; accountId?: string | undefined; region?: string | undefined } = {},
): Subject {
  const reasons: AiReason[] = [];
  objectKeyReason(o.key, reasons);
  nameReasons('bucket', bucket, reasons);
  return otherSubject(
    env,
    's3-object',
    { ...extra, id: `${bucket}/${o.key}`, arn: o.objectArn, name: o.key, reasons },
    { bucket, key: o.key, versionId: o.versionId, eTag: o.eTag, hash: o.hash },
  );
}

/** Subjects for every bucket in `resource.s3BucketDetails` (path `.resource`). */
export function s3BucketSubjects(env: SubjectEnv, buckets: readonly unknown[], path: string): Subject[] {
  const { ctx } = env;
  const out: Subject[] = [];
  for (let i = 0; i < buckets.length; i++) {
    const b = ctx.element(buckets, i, path);
    if (b === undefined) continue;
    const bp = item(path, i);
    const arn = ctx.optString(b, 'arn', bp);
    const name = ctx.optString(b, 'name', bp) ?? bucketFromArn(arn) ?? ctx.fail(sub(bp, 'name'), 'a bucket name (or an S3 bucket arn)', b['name']);
    const owner = ctx.optObject(b, 'owner', bp);
    const publicAccess = ctx.optObject(b, 'publicAccess', bp);
    const sse = ctx.optObject(b, 'defaultServerSideEncryption', bp);
    const reasons: AiReason[] = [];
    nameReasons('bucket', name, reasons);
    out.push(
      otherSubject(env, 's3-bucket', { id: name, arn, name, tags: readTags(env, b, 'tags', bp), reasons }, {
        bucketName: name,
        type: ctx.optString(b, 'type', bp),
        createdAt: ctx.optTimestamp(b, 'createdAt', bp),
        ownerId: owner === undefined ? undefined : ctx.optString(owner, 'id', sub(bp, 'owner')),
        effectivePermission: publicAccess === undefined ? undefined : ctx.optString(publicAccess, 'effectivePermission', sub(bp, 'publicAccess')),
        encryptionType: sse === undefined ? undefined : ctx.optString(sse, 'encryptionType', sub(bp, 'defaultServerSideEncryption')),
        kmsMasterKeyArn: sse === undefined ? undefined : ctx.optString(sse, 'kmsMasterKeyArn', sub(bp, 'defaultServerSideEncryption')),
      }),
    );
    const objects = ctx.optArray(b, 's3ObjectDetails', bp);
    if (objects === undefined) continue;
    const op = sub(bp, 's3ObjectDetails');
    for (let j = 0; j < objects.length; j++) {
      const o: JsonObject | undefined = ctx.element(objects, j, op);
      if (o === undefined) continue;
      const oj = item(op, j);
      const objectArn = ctx.optString(o, 'objectArn', oj);
      let key = ctx.optString(o, 'key', oj);
      if (key === undefined && objectArn !== undefined) {
        const m = S3_ARN_PREFIX.exec(objectArn);
        const rest = m === null ? '' : objectArn.slice(m[0].length);
        const slash = rest.indexOf('/');
        if (slash > 0) key = rest.slice(slash + 1);
      }
      out.push(
        s3ObjectSubject(env, name, {
          key: key ?? ctx.fail(sub(oj, 'key'), 'an object key (or an S3 object arn)', o['key']),
          objectArn,
          versionId: ctx.optString(o, 'versionId', oj),
          eTag: ctx.optString(o, 'eTag', oj),
          hash: ctx.optString(o, 'hash', oj),
        }),
      );
    }
  }
  return out;
}
