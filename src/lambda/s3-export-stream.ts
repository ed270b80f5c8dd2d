/**
 * Streams a GuardDuty export object (`.jsonl.gz`, KMS-encrypted at rest: S3 decrypts for a caller allowed to use
 * the key) line by line, so a large export never sits in memory whole. Each line yields a record or a typed error
 * naming the object and the line.
 */
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FindingParseError } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { parseRecord } from '../findings/read-input.js';

export type ExportItem = { readonly record: GuardDutyRecord } | { readonly error: FindingParseError; readonly text: string };

export async function* streamExportObject(s3: S3Client, bucket: string, key: string): AsyncGenerator<ExportItem> {
  const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!obj.Body) return;
  const body = obj.Body as Readable;
  let stream = body;
  // pipeline, not pipe: an error of the S3 body (connection reset) must reach the reader, not crash the process as
  // an unhandled 'error' event nor leave gunzip waiting forever. The error surfaces through the line iterator.
  if (key.endsWith('.gz') || obj.ContentEncoding === 'gzip') stream = pipeline(body, createGunzip(), () => undefined);
  const name = `s3://${bucket}/${key}`;
  let line = 0;
  try {
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
  } finally {
    // A consumer that stops early (the engine failed on a record) must not leave the S3 connection open.
    body.destroy();
  }
}

