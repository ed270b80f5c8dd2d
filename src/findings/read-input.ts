/**
 * Public entry points for reading GuardDuty input.
 *
 * - `parseRecord(value)`: one parsed JSON value that is a single record (event, bare finding, PascalCase finding).
 * - `parseDocument(text)`: a JSON document (event, finding, array of either, `{"Findings": [...]}`) or JSON Lines.
 * - `readFindings(target)`: a file (`.json`, `.jsonl`, `.jsonl.gz` — gzip recognized by content, JSON Lines
 *   streamed line by line), a directory (recursive, sorted, `.json` / `.jsonl` / `.jsonl.gz` files), or `-` (stdin).
 * - `readRecords(target)`: the same as an async stream of records and rejections, for exports too large to batch;
 *   `readRecordBatches(target)` streams them a chunk's worth at a time.
 *
 * A batch continues past bad records and reports every one as a FindingParseError naming the source (file, line for
 * JSON Lines, index in arrays) and the JSON path; nothing is dropped silently.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { FindingParseError, UsageError } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { batchSink, parseText } from './document.js';
import type { GuardDutyRecord } from './model.js';
import { resolveOptions, type ParseBatch, type ParseOptions, type ResolvedOptions } from './parse-options.js';
import { findingListKey, recordAt } from './record-shapes.js';
import { streamRecordBatches } from './stream-reader.js';

export type { ParseBatch, ParseOptions } from './parse-options.js';
export { DEFAULT_AI_TAG_KEYS } from './ai-context.js';
export { parseFindingType } from './finding-type.js';
export { severityBand } from './severity.js';

/** Parses one record; throws FindingParseError (arrays and finding lists belong to `parseDocument`). */
export function parseRecord(value: unknown, source: SourceRef, options?: ParseOptions): GuardDutyRecord {
  const resolved = resolveOptions(options);
  if (Array.isArray(value) || findingListKey(value) !== undefined) {
    throw new FindingParseError(source, '$', 'a single finding or event (parse arrays and {"Findings": [...]} with parseDocument)', Array.isArray(value) ? `array of ${value.length}` : 'a finding list');
  }
  return recordAt(value, source, '$', resolved);
}

/** Parses a whole text: one JSON document or JSON Lines (detected). */
export function parseDocument(text: string, source: SourceRef, options?: ParseOptions): ParseBatch {
  const resolved = resolveOptions(options);
  const { records, rejected, sink } = batchSink();
  parseText(text, source, resolved, sink);
  return { records, rejected };
}

const INPUT_FILE = /\.(?:json|jsonl|jsonl\.gz)$/i;

/** A file of a folder to read, or a path in it that could not be (reported as a rejection: nothing is skipped silently). */
type ListedInput = { readonly path: string; readonly error?: string };

const WHY: Readonly<Record<string, string>> = { ENOENT: 'a link to nothing', ELOOP: 'a symbolic link loop', EACCES: 'permission denied' };
const errorCode = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? String(err) : `${code}${WHY[code] !== undefined ? ` (${WHY[code]})` : ''}`;
};

async function listInputFiles(dir: string): Promise<ListedInput[]> {
  const out: ListedInput[] = [];
  // Real paths of the folders walked: a symbolic link to a folder is followed, and a link back up (a loop) is walked once.
  const walked = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      const real = await realpath(d);
      if (walked.has(real)) return;
      walked.add(real);
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      out.push({ path: d, error: errorCode(err) });
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      // A link is judged by its target; a dangling or looping link named like an input is reported, not skipped.
      const target = e.isSymbolicLink() ? await stat(p).catch((err: unknown) => errorCode(err)) : e;
      if (typeof target === 'string') {
        if (INPUT_FILE.test(e.name)) out.push({ path: p, error: target });
      } else if (target.isDirectory()) await walk(p);
      else if (INPUT_FILE.test(e.name) && target.isFile()) out.push({ path: p });
    }
  };
  await walk(dir);
  // Code-point order: deterministic across locales (S3 export keys sort by date this way).
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function* fileRecordBatches(file: string, options: ResolvedOptions): AsyncGenerator<Array<GuardDutyRecord | FindingParseError>> {
  yield* streamRecordBatches(createReadStream(file), { name: file }, options);
}

/** Records and rejections of `target`, streamed in input order. Throws UsageError when `target` does not exist. */
export async function* readRecords(
  target: string,
  options: ParseOptions & { stdin?: NodeJS.ReadableStream } = {},
): AsyncGenerator<GuardDutyRecord | FindingParseError> {
  for await (const batch of readRecordBatches(target, options)) yield* batch;
}

/**
 * `readRecords` in batches (the records each chunk of input completed, in order; a batch never spans two files):
 * for consumers of whole exports, which then pay one asynchronous step per chunk rather than per record.
 */
export async function* readRecordBatches(
  target: string,
  options: ParseOptions & { stdin?: NodeJS.ReadableStream } = {},
): AsyncGenerator<Array<GuardDutyRecord | FindingParseError>> {
  const resolved = resolveOptions(options);
  if (target === '-') {
    yield* streamRecordBatches(options.stdin ?? process.stdin, { name: '-' }, resolved);
    return;
  }
  const info = await stat(target).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read findings from ${JSON.stringify(target)}: ${err.code ?? err.message}`);
  });
  // A device (`/dev/zero`, `/dev/urandom`) never ends: refused, not read for ever. Pipes are read (use `-` for stdin).
  if (info.isCharacterDevice() || info.isBlockDevice() || info.isSocket()) {
    throw new UsageError(`cannot read findings from ${JSON.stringify(target)}: a ${info.isSocket() ? 'socket' : 'device'}, not a file, folder or pipe (use - to read standard input)`);
  }
  if (!info.isDirectory()) {
    yield* fileRecordBatches(target, resolved);
    return;
  }
  for (const file of await listInputFiles(target)) {
    if (file.error !== undefined) yield [new FindingParseError({ name: file.path }, '$', 'a readable file or folder', file.error)];
    else yield* fileRecordBatches(file.path, resolved);
  }
}

/** Reads every record of a file, directory or stdin (`-`) into one batch. */
export async function readFindings(target: string, options: ParseOptions & { stdin?: NodeJS.ReadableStream } = {}): Promise<ParseBatch> {
  const records: GuardDutyRecord[] = [];
  const rejected: FindingParseError[] = [];
  for await (const r of readRecords(target, options)) {
    if (r instanceof FindingParseError) rejected.push(r);
    else records.push(r);
  }
  return { records, rejected };
}
