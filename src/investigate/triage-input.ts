/**
 * Where triage reads from: a file or folder (anything `inspect` reads: `.json`, `.jsonl`, `.jsonl.gz`), stdin (`-`),
 * or `s3://bucket/prefix` — every export object under the prefix, listed in key order (GuardDuty's keys sort by
 * date) and streamed line by line; S3 decrypts KMS-encrypted objects for a caller allowed to use the key.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../errors.js';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import type { InputLimits } from '../findings/input-limits.js';
import { readRecordBatches } from '../findings/read-input.js';
import { streamExportObject } from '../lambda/s3-export-stream.js';
import type { TriageItem } from './triage.js';

const EXPORT_KEY = /\.(?:json|jsonl|jsonl\.gz)$/i;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export interface TriageSourceOptions {
  readonly limits?: InputLimits;
  readonly aiTagKeys?: readonly string[];
  /** The S3 client for `s3://` targets (built only when one is given). */
  readonly s3?: () => S3Client;
  readonly stdin?: NodeJS.ReadableStream;
  /** Called when a source (file or object) starts, with its index and, for S3, the total. */
  readonly onSource?: (name: string, index: number, total: number | undefined) => void;
}

export function isS3Target(target: string): boolean {
  return target.startsWith('s3://');
}

async function listExportKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }))
      .catch((err: unknown) => {
        throw wrapAwsError('s3', `ListObjectsV2 s3://${bucket}/${prefix}`, err);
      });
    for (const o of page.Contents ?? []) if (o.Key !== undefined && EXPORT_KEY.test(o.Key)) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every record and rejection of `target`, streamed. */
export async function* triageItems(target: string, options: TriageSourceOptions = {}): AsyncGenerator<TriageItem> {
  for await (const batch of triageBatches(target, options)) yield* batch;
}

/**
 * Every record and rejection of `target`, streamed in batches (in order, never empty): a file's records a chunk of
 * input at a time, so triaging an export of millions of lines costs one asynchronous step per chunk, not per line.
 */
export async function* triageBatches(target: string, options: TriageSourceOptions = {}): AsyncGenerator<readonly TriageItem[]> {
  if (!isS3Target(target)) {
    let last: string | undefined;
    let index = 0;
    for await (const batch of readRecordBatches(target, { ...(options.limits ? { limits: options.limits } : {}), ...(options.aiTagKeys ? { aiTagKeys: options.aiTagKeys } : {}), ...(options.stdin ? { stdin: options.stdin } : {}) })) {
      // A batch never spans two files.
      const name = batch[0]!.source.name;
      if (name !== last) {
        last = name;
        options.onSource?.(name, index++, undefined);
      }
      yield batch;
    }
    return;
  }
  const m = S3_URI.exec(target);
  if (m === null) throw new UsageError(`an S3 target must look like s3://bucket/prefix, received ${JSON.stringify(target)}`);
  if (options.s3 === undefined) throw new UsageError('no S3 client for an s3:// target');
  const s3 = options.s3();
  const [, bucket = '', prefix = ''] = m;
  const keys = await listExportKeys(s3, bucket, prefix);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    options.onSource?.(`s3://${bucket}/${key}`, i, keys.length);
    try {
      for await (const item of streamExportObject(s3, bucket, key, options.limits)) {
        yield ['record' in item ? item.record : item.error];
      }
    } catch (err) {
      throw wrapAwsError('s3', `GetObject s3://${bucket}/${key}`, err);
    }
  }
}
