/** `s3://bucket/prefix` parsing. The prefix is normalized to end with `/` (or to be empty). */
import { TourniquetError, describeValue } from '../errors.js';

export interface S3Location {
  readonly bucket: string;
  /** '' or `some/prefix/`. */
  readonly prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = m?.[1];
  if (m === null || bucket === undefined || !BUCKET.test(bucket)) {
    throw new TourniquetError('evidence.s3-uri', `expected s3://bucket/prefix, received ${describeValue(uri)}`);
  }
  const rest = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (rest.split('/').some((s) => s === '..' || s === '.')) {
    throw new TourniquetError('evidence.s3-uri', `the S3 prefix may not contain . or .. segments: ${describeValue(uri)}`);
  }
  return { bucket, prefix: rest === '' ? '' : `${rest.replace(/\/{2,}/g, '/')}/` };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}
