/**
 * Streams a GuardDuty export object (`.jsonl.gz`, KMS-encrypted at rest: S3 decrypts for a caller allowed to use
 * the key) line by line, so a large export never sits in memory whole. Each line yields a record or a typed error
 * naming the object and the line. The CLI reader's limits apply (input-limits.ts): a line over `maxLineBytes` is an
 * error item and the lines after it are read; past `maxDecompressedBytes` one error item says where reading stopped.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FindingParseError } from '../errors.js';
import { DEFAULT_INPUT_LIMITS, formatBytes, limitText, type InputLimits } from '../findings/input-limits.js';
import { LineSplitter } from '../findings/line-splitter.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { parseRecord } from '../findings/read-input.js';
import { DecompressedTooLargeError, UnpackedInput } from '../findings/unpacked-input.js';

export type ExportItem = { readonly record: GuardDutyRecord } | { readonly error: FindingParseError; readonly text: string };

export async function* streamExportObject(s3: S3Client, bucket: string, key: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): AsyncGenerator<ExportItem> {
  const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!obj.Body) return;
  const body = obj.Body as Readable;
  const name = `s3://${bucket}/${key}`;
  // Gzip by its magic bytes, or because the object says so (then data that is not gzip fails as broken gzip).
  const input = new UnpackedInput(body, limits.maxDecompressedBytes, key.endsWith('.gz') || obj.ContentEncoding === 'gzip');
  const pending: ExportItem[] = [];
  let nonBlank = 0;
  const lines = new LineSplitter(limits.maxLineBytes, {
    line: (raw, line) => {
      let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      // A leading byte order mark (an object uploaded from a file an editor saved with one) is skipped, as the file
      // reader skips it; its first line was quarantined as unparseable JSON.
      if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
      if (text.trim() !== '') {
        nonBlank++;
        pending.push(parseLine(text, { name, line }));
      }
    },
    tooLong: (line, bytes) => {
      nonBlank++;
      const error = new FindingParseError({ name, line }, '$', `a line of ${limitText('maxLineBytes', limits)}`, `a line of ${bytes} bytes (more than ${formatBytes(limits.maxLineBytes)})`);
      pending.push({ error, text: `(not kept: ${bytes} bytes; the line is in ${name}, line ${line})` });
    },
  });
  try {
    for await (const chunk of input.chunks()) {
      lines.push(chunk);
      if (pending.length > 0) {
        yield* pending;
        pending.length = 0;
      }
    }
    lines.end();
    yield* pending;
    // Permanent: an object with nothing in it will never hold a finding (GuardDuty writes none such); keep it in
    // quarantine with the reason rather than let it pass unnoticed.
    if (nonBlank === 0) {
      const error = new FindingParseError({ name }, '$', 'an export object with at least one finding', (obj.ContentLength ?? 0) === 0 ? 'an empty object (0 bytes)' : 'an object with no finding in it (only blank lines, or a gzip of nothing)');
      yield { error, text: '(empty)' };
    }
  } catch (err) {
    if (isCorruptGzip(err)) {
      // Permanent: the stored object is not gzip (or its data is broken); a redelivery reads the same bytes.
      yield* pending;
      const error = new FindingParseError(
        { name, line: lines.lines + 1 },
        '$',
        'a complete gzip stream',
        `corrupt gzip data (${(err as Error).message}) after ${lines.lines} complete line(s); the rest was not read`,
      );
      yield { error, text: `(not kept: ${name} from line ${lines.lines + 1})` };
      return;
    }
    if (!(err instanceof DecompressedTooLargeError)) throw err;
    // Permanent: the object will never fit. The lines before the cut were handled; say where reading stopped.
    yield* pending;
    const error = new FindingParseError(
      { name, line: lines.lines + 1 },
      '$',
      `an export object that unpacks to ${limitText('maxDecompressedBytes', limits)}`,
      `more than ${formatBytes(err.limit)} after ${lines.lines} complete line(s); the rest was not read`,
    );
    yield { error, text: `(not kept: ${name} from line ${lines.lines + 1})` };
  } finally {
    // A consumer that stops early (the engine failed on a record) must not leave the S3 connection open. Errors
    // while reading reached the loop above; once it is left, the body is being thrown away, and the socket's
    // "aborted" that Node raises on an unfinished response would otherwise be an uncaught exception.
    body.on('error', () => undefined);
    body.destroy();
  }
}

/** zlib's error for data that is not gzip or is broken (not a read error of the S3 body, which may pass). */
function isCorruptGzip(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'Z_DATA_ERROR';
}

function parseLine(text: string, source: { name: string; line: number }): ExportItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: new FindingParseError(source, '$', 'one JSON finding per line', `unparseable JSON (${(err as Error).message})`), text };
  }
  try {
    return { record: parseRecord(value, source) };
  } catch (err) {
    if (err instanceof FindingParseError) return { error: err, text };
    throw err;
  }
}
