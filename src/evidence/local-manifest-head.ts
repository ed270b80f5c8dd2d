/**
 * The chain head of a local case folder, kept between artefacts. `manifest.jsonl` is append-only, so a later
 * artefact needs only the lines appended since the last one (by this process or another): the head remembers how
 * many bytes it has read, the file's inode, the last entry and the names already used. A write therefore costs the
 * same for the 10th and the 10,000th artefact of a case, where re-reading the whole manifest made it grow with the
 * case. A file that shrank or was replaced is read again from the start; a line that does not continue the chain
 * stops the case (a damaged chain is never extended).
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TourniquetError } from '../errors.js';
import { BoundedCache } from './bounded-cache.js';
import type { EvidenceEntry } from './evidence-writer.js';
import { GENESIS_CHAIN, MANIFEST_FILE, chainHash, parseEntryLine } from './manifest-chain.js';

export interface LocalManifestHead {
  /** Bytes of manifest.jsonl read so far. */
  offset: number;
  /** Lines read so far. */
  lines: number;
  /** Inode and modification time of the file as last read or written (a rewrite in place changes the time). */
  ino: number;
  mtimeMs: number;
  last: EvidenceEntry | undefined;
  /** Every name in the manifest: never handed out again, even if its file is gone. */
  readonly names: Set<string>;
  /** The next suffix to try, per name already taken (so the 1,000th copy of a name is no slower than the 2nd). */
  readonly nextSuffix: Map<string, number>;
}

/** Case folders whose head this process keeps (a CLI run touches a few; a long-lived process is bounded). */
const heads = new BoundedCache<string, LocalManifestHead>(256);

function emptyHead(ino: number): LocalManifestHead {
  return { offset: 0, lines: 0, ino, mtimeMs: 0, last: undefined, names: new Set(), nextSuffix: new Map() };
}

/** The head of the case folder `dir`, brought up to date with what was appended since it was last read. */
export async function localManifestHead(dir: string): Promise<LocalManifestHead> {
  const path = join(dir, MANIFEST_FILE);
  let size: number;
  let ino: number;
  let mtimeMs: number;
  try {
    ({ size, ino, mtimeMs } = await stat(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const fresh = emptyHead(0);
    heads.set(dir, fresh);
    return fresh;
  }
  let head = heads.get(dir);
  // Read again from the start when the file is another one, shrank, or was rewritten in place since we last saw it.
  if (head === undefined || head.ino !== ino || size < head.offset || (size === head.offset && mtimeMs !== head.mtimeMs)) head = emptyHead(ino);
  if (size > head.offset) {
    try {
      await readAppended(path, head, size);
    } catch (err) {
      heads.delete(dir);
      throw err;
    }
  }
  head.mtimeMs = mtimeMs;
  heads.set(dir, head);
  return head;
}

/** Records the line just appended; the file's size after the append tells whether anyone else wrote. */
export function recordAppended(
  dir: string,
  head: LocalManifestHead,
  entry: EvidenceEntry,
  lineBytes: number,
  after: { readonly size: number; readonly mtimeMs: number; readonly ino: number },
): void {
  head.names.add(entry.name);
  head.last = entry;
  head.lines += 1;
  head.offset += lineBytes;
  head.mtimeMs = after.mtimeMs;
  const sizeAfter = after.ino === head.ino || head.ino === 0 ? after.size : -1;
  head.ino = after.ino;
  // Another writer appended too: forget the head, the next artefact reads the file again.
  if (sizeAfter !== head.offset) heads.delete(dir);
}

async function readAppended(path: string, head: LocalManifestHead, size: number): Promise<void> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(size - head.offset);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, head.offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    text = buffer.subarray(0, read).toString('utf8');
  } finally {
    await handle.close();
  }
  const lines = text.split('\n');
  // A complete append ends with a newline: anything after the last one is a cut line.
  const cut = lines.pop() !== '';
  const damaged = (): TourniquetError =>
    new TourniquetError(
      'evidence.manifest-damaged',
      `${path} line ${head.lines + 1} is not a valid next entry; refusing to extend a damaged chain (run verify-evidence)`,
    );
  for (const line of lines) {
    const entry = parseEntryLine(line);
    const previous = head.last;
    if (
      entry === undefined ||
      entry.seq !== (previous?.seq ?? 0) + 1 ||
      entry.chain !== chainHash(previous?.chain ?? GENESIS_CHAIN, entry.sha256, entry.name, entry.recordedAt)
    ) {
      throw damaged();
    }
    head.names.add(entry.name);
    head.last = entry;
    head.lines += 1;
    head.offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  if (cut) throw damaged();
}
