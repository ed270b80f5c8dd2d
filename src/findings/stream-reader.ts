/**
 * Streams bytes (a file, a gzip'd S3 export object, stdin) into records without holding JSON Lines input in memory
 * as one string: lines are parsed as they arrive. Gzip is recognized by its magic bytes, not the file name. A JSON
 * document (not JSON Lines) is necessarily buffered whole, then parsed.
 *
 * Limits (input-limits.ts): a line longer than `maxLineBytes` is rejected with its line number and the lines after it
 * are read; a JSON document larger than that is rejected whole; a gzip stream unpacking past `maxDecompressedBytes`
 * stops there. A broken stream (a truncated or corrupt `.jsonl.gz`, a read error) keeps every complete record read
 * before the break and adds exactly one rejection saying where it broke; the unfinished line is not parsed (it would
 * only report the same break a second time).
 */
import { FindingParseError } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { isBlank, isJsonLines, parseJsonDocument, parseJsonLine } from './document.js';
import { formatBytes, limitText } from './input-limits.js';
import { LineSplitter } from './line-splitter.js';
import type { GuardDutyRecord } from './model.js';
import type { ResolvedOptions } from './parse-options.js';
import type { RecordSink } from './record-shapes.js';
import { DecompressedTooLargeError, UnpackedInput } from './unpacked-input.js';

const BOM = '\uFEFF';
/** Stands for a line too long to keep while the format is being detected (it can only be a JSON value). */
const TOO_LONG = '{}';

interface HeadLine {
  readonly line: number;
  /** Without the trailing `\r`; undefined when the line was too long. */
  readonly text: string | undefined;
  readonly bytes: number;
}

/** Format detection (see document.ts) over complete lines; feeds records and rejections to a sink. */
class TextRecords {
  private mode: 'detect' | 'jsonl' | 'doc' | 'skip' = 'detect';
  private head: HeadLine[] = [];
  private nonEmpty: string[] = [];
  /** Raw lines of what may be (or is) one JSON document, and their size with newlines. */
  private docLines: string[] = [];
  private docBytes = 0;
  private docTooLong = false;

  constructor(
    private readonly source: SourceRef,
    private readonly options: ResolvedOptions,
    private readonly sink: RecordSink,
  ) {}

  line(raw: string, n: number): void {
    if (this.mode === 'skip') return;
    let t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (n === 1 && t.startsWith(BOM)) t = t.slice(1);
    if (this.mode === 'jsonl') {
      if (!isBlank(t)) parseJsonLine(t, this.source, n, this.options, this.sink);
      return;
    }
    const bytes = Buffer.byteLength(raw, 'utf8');
    this.addToDocument(raw, bytes);
    if (this.mode !== 'detect') return;
    this.head.push({ line: n, text: t, bytes });
    if (!isBlank(t)) this.nonEmpty.push(t.trim());
    if (this.nonEmpty.length === 2) this.decide();
  }

  tooLong(n: number, bytes: number): void {
    if (this.mode === 'skip') return;
    if (this.mode === 'jsonl') {
      this.rejectLine(n, bytes);
      return;
    }
    this.docTooLong = true;
    if (this.mode === 'doc') {
      this.rejectDocument();
      return;
    }
    this.head.push({ line: n, text: undefined, bytes });
    this.nonEmpty.push(TOO_LONG);
    if (this.nonEmpty.length === 2) this.decide();
  }

  /** The input ended normally. */
  end(): void {
    if (this.mode === 'detect') this.decide();
    // A document over the limit was rejected when it crossed it (the mode is then `skip`).
    if (this.mode !== 'doc') return;
    let text = this.docLines.join('\n');
    this.docLines = [];
    if (text.startsWith(BOM)) text = text.slice(1);
    if (isBlank(text)) this.sink(new FindingParseError(this.source, '$', 'a JSON document or JSON Lines', 'empty input'));
    else parseJsonDocument(text, this.source, this.options, this.sink);
  }

  /**
   * The input broke off. Complete JSON Lines read so far still count; a document cut short is not parsed (its only
   * error would be the break itself, which the caller reports).
   */
  abort(): void {
    if (this.mode === 'detect') {
      const first = this.nonEmpty[0];
      if (first !== undefined && first.startsWith('{') && first.endsWith('}')) this.startJsonLines();
    }
    this.mode = 'skip';
    this.docLines = [];
  }

  private addToDocument(raw: string, bytes: number): void {
    this.docBytes += bytes + (this.docLines.length > 0 ? 1 : 0);
    if (this.docTooLong) return;
    if (this.docBytes > this.options.limits.maxLineBytes) {
      this.docTooLong = true;
      this.docLines = [];
      if (this.mode === 'doc') this.rejectDocument();
      return;
    }
    this.docLines.push(raw);
  }

  private decide(): void {
    const [first, second] = this.nonEmpty;
    if (first !== undefined && isJsonLines(first, second)) {
      this.startJsonLines();
    } else {
      const lone = this.nonEmpty.length === 1 && first === TOO_LONG ? this.head.find((h) => h.text === undefined) : undefined;
      this.mode = 'doc';
      this.head = [];
      this.nonEmpty = [];
      if (lone !== undefined) {
        // One over-long line and nothing else: say "line N is too long", as for JSON Lines.
        this.mode = 'skip';
        this.docLines = [];
        this.rejectLine(lone.line, lone.bytes);
      } else if (this.docTooLong) {
        this.rejectDocument();
      }
    }
  }

  private startJsonLines(): void {
    this.mode = 'jsonl';
    this.docLines = [];
    const head = this.head;
    this.head = [];
    this.nonEmpty = [];
    for (const h of head) {
      if (h.text === undefined) this.rejectLine(h.line, h.bytes);
      else if (!isBlank(h.text)) parseJsonLine(h.text, this.source, h.line, this.options, this.sink);
    }
  }

  private rejectLine(n: number, bytes: number): void {
    const limit = this.options.limits.maxLineBytes;
    this.sink(new FindingParseError({ name: this.source.name, line: n }, '$', `a line of ${limitText('maxLineBytes', this.options.limits)}`, `a line of ${bytes} bytes (more than ${formatBytes(limit)})`));
  }

  private rejectDocument(): void {
    this.mode = 'skip';
    this.docLines = [];
    this.sink(
      new FindingParseError(this.source, '$', `a JSON document of ${limitText('maxLineBytes', this.options.limits)}`, `a larger document (more than ${formatBytes(this.options.limits.maxLineBytes)})`),
    );
  }
}

function describeStreamError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
}

/** All records of a byte stream, in order; each record or rejection as soon as its line is complete. */
export async function* streamRecords(stream: NodeJS.ReadableStream, source: SourceRef, options: ResolvedOptions): AsyncGenerator<GuardDutyRecord | FindingParseError> {
  for await (const batch of streamRecordBatches(stream, source, options)) yield* batch;
}

/**
 * The same records in batches: those completed by each chunk of input, in order (never an empty batch). A consumer of
 * millions of records pays one asynchronous step per chunk instead of one per record.
 */
export async function* streamRecordBatches(
  stream: NodeJS.ReadableStream,
  source: SourceRef,
  options: ResolvedOptions,
): AsyncGenerator<Array<GuardDutyRecord | FindingParseError>> {
  let pending: Array<GuardDutyRecord | FindingParseError> = [];
  const text = new TextRecords(source, options, (r) => pending.push(r));
  const lines = new LineSplitter(options.limits.maxLineBytes, {
    line: (t, n) => text.line(t, n),
    tooLong: (n, bytes) => text.tooLong(n, bytes),
  });
  const input = new UnpackedInput(stream, options.limits.maxDecompressedBytes);
  try {
    for await (const chunk of input.chunks()) {
      lines.push(chunk);
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        yield batch;
      }
    }
  } catch (err) {
    // Keep what was read; say once where the input broke (the records after it are lost, and the rejection says so).
    text.abort();
    const at = { ...source, line: lines.lines + 1 };
    if (err instanceof DecompressedTooLargeError) {
      pending.push(
        new FindingParseError(
          at,
          '$',
          `a gzip stream that unpacks to ${limitText('maxDecompressedBytes', options.limits)}`,
          `more than ${formatBytes(err.limit)} after ${lines.lines} complete line(s); the rest was not read`,
        ),
      );
    } else {
      pending.push(
        new FindingParseError(
          at,
          '$',
          input.gzip ? 'a complete gzip stream' : 'a readable stream',
          `${describeStreamError(err)} after ${lines.lines} complete line(s)`,
          { cause: err },
        ),
      );
    }
    yield pending;
    return;
  }
  lines.end();
  text.end();
  if (pending.length > 0) yield pending;
}
