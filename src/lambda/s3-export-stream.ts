/**
 * Streams a GuardDuty export object (`.jsonl.gz`, KMS-encrypted at rest: S3 decrypts for a caller allowed to use
 * the key) line by line, so a large export never sits in memory whole. Each line yields a record or a typed error
 * naming the object and the line.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FindingParseError } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { parseRecord } from '../findings/read-input.js';

export type ExportItem = { readonly record: GuardDutyRecord } | { readonly error: FindingParseError; readonly text: string };

export async function* streamExportObject(s3: S3Client, bucket: string, key: string): AsyncGenerator<ExportItem> {
  const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!obj.Body) return;
  let stream = obj.Body as Readable;
  if (key.endsWith('.gz') || obj.ContentEncoding === 'gzip') stream = stream.pipe(createGunzip());
  const name = `s3://${bucket}/${key}`;
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    const source = { name, line };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { error: new FindingParseError(source, '$', 'one JSON finding per line', `unparseable JSON (${(err as Error).message})`), text };
      continue;
    }
    try {
      yield { record: parseRecord(value, source) };
    } catch (err) {
      if (err instanceof FindingParseError) yield { error: err, text };
      else throw err;
    }
  }
}

