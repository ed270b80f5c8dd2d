/**
 * Streams bytes (a file, a gzip'd S3 export object, stdin) into records without holding JSON Lines input in memory
 * as one string: lines are parsed as they arrive. Gzip is recognized by its magic bytes, not the file name. A JSON
 * document (not JSON Lines) is necessarily buffered whole, then parsed. A broken gzip stream (e.g. a truncated
 * `.jsonl.gz`) keeps every record read before the break and adds one rejection saying where it broke.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { FindingParseError } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { isBlank, isJsonLines, parseJsonDocument, parseJsonLine } from './document.js';
import type { GuardDutyRecord } from './model.js';
import type { ResolvedOptions } from './parse-options.js';
import type { RecordSink } from './record-shapes.js';

const BOM = '\uFEFF';

/** Line splitter with format detection (see document.ts); feeds records to a sink. */
class TextRecords {
  private mode: 'detect' | 'jsonl' | 'doc' = 'detect';
  private raw: string[] = [];
  private partial = '';
  private lineNo = 0;
  private head: Array<[number, string]> = [];
  private nonEmpty: string[] = [];

  constructor(
    private readonly source: SourceRef,
    private readonly options: ResolvedOptions,
    private readonly sink: RecordSink,
  ) {}

  /** Lines completed so far (for messages about where a stream broke). */
  get lines(): number {
    return this.lineNo;
  }

  push(text: string): void {
    if (this.mode !== 'jsonl') this.raw.push(text);
    if (this.mode === 'doc') return;
    let data = this.partial + text;
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      this.line(data.slice(start, end));
      start = end + 1;
      if ((this.mode as string) === 'doc') {
        this.partial = '';
        return;
      }
    }
    data = data.slice(start);
    this.partial = data;
  }

  end(): void {
    if (this.mode !== 'doc' && this.partial.length > 0) {
      const last = this.partial;
      this.partial = '';
      this.line(last);
    }
    if (this.mode === 'detect') this.decide();
    if (this.mode === 'doc') {
      let text = this.raw.join('');
      this.raw = [];
      if (text.startsWith(BOM)) text = text.slice(1);
      if (isBlank(text)) this.sink(new FindingParseError(this.source, '$', 'a JSON document or JSON Lines', 'empty input'));
      else parseJsonDocument(text, this.source, this.options, this.sink);
    }
  }

  private line(text: string): void {
    this.lineNo++;
    let t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (this.lineNo === 1 && t.startsWith(BOM)) t = t.slice(1);
    if (this.mode === 'jsonl') {
      if (!isBlank(t)) parseJsonLine(t, this.source, this.lineNo, this.options, this.sink);
      return;
    }
    this.head.push([this.lineNo, t]);
    if (!isBlank(t)) this.nonEmpty.push(t.trim());
    if (this.nonEmpty.length === 2) this.decide();
  }

  private decide(): void {
    const [first, second] = this.nonEmpty;
    if (first !== undefined && isJsonLines(first, second)) {
      this.mode = 'jsonl';
      this.raw = [];
      for (const [n, t] of this.head) if (!isBlank(t)) parseJsonLine(t, this.source, n, this.options, this.sink);
    } else {
      this.mode = 'doc';
    }
    this.head = [];
    this.nonEmpty = [];
  }
}

async function* withFirst(first: Buffer | string, rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done === true) return;
    yield r.value;
  }
}

function describeStreamError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
}

/** All records of a byte stream, in order; each record or rejection as soon as its line is complete. */
export async function* streamRecords(stream: NodeJS.ReadableStream, source: SourceRef, options: ResolvedOptions): AsyncGenerator<GuardDutyRecord | FindingParseError> {
  const pending: Array<GuardDutyRecord | FindingParseError> = [];
  const text = new TextRecords(source, options, (r) => pending.push(r));
  const decoder = new StringDecoder('utf8');
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let gzip = false;
  try {
    const first = await it.next();
    if (first.done !== true) {
      const head = first.value;
      gzip = typeof head !== 'string' && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
      let chunks: AsyncIterable<Buffer | string> = withFirst(head, it);
      if (gzip) {
        const gunzip = createGunzip();
        const compressed = Readable.from(chunks);
        // `pipe` does not forward errors: a read error must fail the gunzip stream we iterate.
        compressed.on('error', (err) => gunzip.destroy(err));
        chunks = compressed.pipe(gunzip);
      }
      for await (const chunk of chunks) {
        text.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
        if (pending.length > 0) {
          yield* pending;
          pending.length = 0;
        }
      }
    }
  } catch (err) {
    // Keep what was read; say where the input broke (the records after it are lost, and the rejection says so).
    text.end();
    yield* pending;
    yield new FindingParseError(
      { ...source, line: text.lines + 1 },
      '$',
      gzip ? 'a complete gzip stream' : 'a readable stream',
      `${describeStreamError(err)} after ${text.lines} line(s)`,
      { cause: err },
    );
    return;
  }
  const tail = decoder.end();
  if (tail.length > 0) text.push(tail);
  text.end();
  yield* pending;
}
