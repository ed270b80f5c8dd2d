/**
 * The bytes of an input stream, gunzipped when it starts with the gzip magic bytes (file names and Content-Encoding
 * are not trusted), with the number of unpacked bytes capped: a small gzip that would unpack past the limit stops
 * with DecompressedTooLargeError instead of being read to the end, after yielding the bytes up to the limit.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { unpackedBeforeBreak } from './gzip-prefix.js';
import { utf16Encoding, utf16ToUtf8 } from './utf16-text.js';

/** The unpacked size passed the limit; reading stopped there. */
export class DecompressedTooLargeError extends Error {
  override readonly name = 'DecompressedTooLargeError';
  constructor(readonly limit: number) {
    super(`gzip input unpacks to more than ${limit} bytes`);
  }
}

const toBuffer = (chunk: Buffer | string | Uint8Array): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

async function* withFirst(first: Buffer, rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done === true) return;
    yield toBuffer(r.value);
  }
}

/**
 * Unpacked bytes per gunzip output chunk. Node's default (16 KiB) hands each chunk from the thread pool to the main
 * thread and back: on an export of a gigabyte that is 65,000 round trips, and the main thread spent much of a triage
 * run waiting on them. 256 KiB measured about twice as fast to gunzip on its own (bench/ingest.ts uses the same size for
 * its floor, so the ratio it prints compares the per-line work only). Memory: one chunk and its decoded text at a time.
 */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * How much compressed input is kept (references to the chunks already read, no copy) so that, when the gzip data
 * breaks, the lines unpacked in the failing call can be recovered (gzip-prefix.ts). Past either bound nothing is kept
 * and a break loses at most the last GUNZIP_CHUNK_BYTES of unpacked text before it.
 */
export const GZIP_RECOVERY_MAX_COMPRESSED_BYTES = 8 * 1024 * 1024;
export const GZIP_RECOVERY_MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

/** A gzip data error from zlib (`Z_DATA_ERROR`, `Z_BUF_ERROR` for a truncated end, …), not a read error. */
const isZlibError = (err: unknown): boolean => typeof (err as { code?: unknown } | null)?.code === 'string' && typeof (err as { errno?: unknown }).errno === 'number' && (err as { code: string }).code.startsWith('Z_');

export class UnpackedInput {
  /** True once the input was recognized as gzip. */
  gzip = false;
  /** Bytes yielded so far (after unpacking). */
  bytes = 0;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly maxDecompressedBytes: number,
    /** Gunzip even without the magic bytes (the object says it is gzip): bad data then fails as broken gzip. */
    private readonly declaredGzip = false,
  ) {}

  /**
   * The unpacked chunks, in order. Read errors and broken gzip data are thrown as they come. When the consumer stops
   * early or the limit is hit, the source stream is destroyed, so no file descriptor or connection stays open.
   */
  async *chunks(): AsyncGenerator<Buffer> {
    const it = (this.stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    let finished = false;
    let gunzip: ReturnType<typeof createGunzip> | undefined;
    let compressed: Readable | undefined;
    try {
      let head: Buffer = Buffer.alloc(0);
      // The magic is two bytes; a first chunk of one byte (a pipe can deliver that) must not hide it.
      while (head.length < 2) {
        const r = await it.next();
        if (r.done === true) break;
        head = head.length === 0 ? toBuffer(r.value) : Buffer.concat([head, toBuffer(r.value)]);
      }
      if (head.length === 0) {
        finished = true;
        return;
      }
      this.gzip = this.declaredGzip || (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b);
      const utf16 = this.gzip ? undefined : utf16Encoding(head);
      if (utf16 !== undefined) {
        for await (const chunk of utf16ToUtf8(utf16, withFirst(head, it))) {
          this.bytes += chunk.length;
          yield chunk;
        }
        finished = true;
        return;
      }
      if (!this.gzip) {
        this.bytes += head.length;
        yield head;
        for (;;) {
          const r = await it.next();
          if (r.done === true) break;
          const chunk = toBuffer(r.value);
          this.bytes += chunk.length;
          yield chunk;
        }
        finished = true;
        return;
      }
      const unzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
      gunzip = unzip;
      let kept: Buffer[] | undefined = [];
      let keptBytes = 0;
      const keep = async function* (this: UnpackedInput, source: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
        for await (const chunk of source) {
          if (kept !== undefined) {
            kept.push(chunk);
            keptBytes += chunk.length;
            if (keptBytes > GZIP_RECOVERY_MAX_COMPRESSED_BYTES || this.bytes > GZIP_RECOVERY_MAX_UNPACKED_BYTES) kept = undefined;
          }
          yield chunk;
        }
      }.bind(this);
      compressed = Readable.from(keep(withFirst(head, it)));
      // `pipe` does not forward errors: a read error must fail the gunzip stream we iterate.
      compressed.on('error', (err) => unzip.destroy(err));
      compressed.pipe(unzip);
      const deliver = function* (this: UnpackedInput, chunk: Buffer): Generator<Buffer> {
        const room = this.maxDecompressedBytes - this.bytes;
        if (chunk.length > room) {
          // The bytes up to the limit still count (the lines they complete are read): chunks are large, and where
          // reading stops should not depend on how the unpacked bytes were cut.
          if (room > 0) {
            this.bytes += room;
            yield chunk.subarray(0, room);
          }
          throw new DecompressedTooLargeError(this.maxDecompressedBytes);
        }
        this.bytes += chunk.length;
        yield chunk;
      }.bind(this);
      try {
        for await (const chunk of unzip as AsyncIterable<Buffer>) yield* deliver(chunk);
      } catch (err) {
        if (!isZlibError(err) || kept === undefined) throw err;
        // The gunzip call that failed dropped what it unpacked (and the stream dropped what it had buffered):
        // unpack the kept input again up to the break and deliver the lines before it, then report the break.
        const tail = unpackedBeforeBreak(Buffer.concat(kept), unzip.bytesWritten, this.bytes, this.bytes + 4 * GUNZIP_CHUNK_BYTES);
        kept = undefined;
        for (let at = 0; at < tail.length; at += GUNZIP_CHUNK_BYTES) yield* deliver(tail.subarray(at, at + GUNZIP_CHUNK_BYTES));
        throw err;
      }
      finished = true;
    } finally {
      if (!finished) {
        compressed?.destroy();
        gunzip?.destroy();
        const s = this.stream as Partial<Readable>;
        if (typeof s.destroy === 'function') s.destroy();
      }
    }
  }
}

