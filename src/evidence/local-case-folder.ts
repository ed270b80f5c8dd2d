/**
 * Evidence in a local folder: `<root>/<caseId>/` holds the artefacts as files and `manifest.jsonl`, one chained
 * entry per line. Artefacts are created exclusively (never overwritten: a taken name gets a `-2`, `-3` … suffix, with
 * no limit on how many) and flushed to disk before their manifest line is appended. Writes to one folder are
 * serialized within the process; the chain head is kept between artefacts (`local-manifest-head.ts`), reading only
 * what was appended since, so a case can be continued by a later run and writing stays linear in the case's size.
 * Location: `file://` followed by the absolute folder path (not URL-encoded).
 */
import { open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TourniquetError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';
import { sanitizeArtefactName, sanitizeCaseId, withSuffix } from './artefact-name.js';
import type { EvidenceEntry, EvidenceWriter } from './evidence-writer.js';
import { localManifestHead, recordAppended, type LocalManifestHead } from './local-manifest-head.js';
import { MANIFEST_FILE, encodeContent, entryLine, nextEntry, sha256Hex } from './manifest-chain.js';
import { runSerially } from './write-queue.js';

export interface LocalCaseFolderOptions {
  /** Clock for `recordedAt` (tests). */
  readonly now?: () => Date;
}

export class LocalCaseFolder implements EvidenceWriter {
  readonly location: string;
  /** Absolute path of the case folder. */
  readonly dir: string;

  constructor(
    root: string,
    caseId: string,
    private readonly options: LocalCaseFolderOptions = {},
  ) {
    this.dir = join(resolve(root), sanitizeCaseId(caseId));
    this.location = `file://${this.dir}`;
  }

  put(name: string, content: unknown): Promise<EvidenceEntry> {
    // Encode before queueing: a bad value fails alone, without holding up the queue.
    const encoded = encodeContent(name, content);
    return runSerially(`file://${this.dir}`, () => this.write(sanitizeArtefactName(name), encoded.bytes));
  }

  private async write(name: string, bytes: Buffer): Promise<EvidenceEntry> {
    await makeDirectory(this.dir, 'the evidence folder');
    const head = await localManifestHead(this.dir);
    const finalName = await this.createExclusive(name, bytes, head);
    const entry = nextEntry(head.last, finalName, sha256Hex(bytes), bytes.byteLength, (this.options.now?.() ?? new Date()).toISOString());
    const line = `${entryLine(entry)}\n`;
    const manifest = join(this.dir, MANIFEST_FILE);
    const handle = await open(manifest, 'a').catch(async (err: unknown) => {
      await rm(join(this.dir, finalName), { force: true }).catch(() => undefined);
      return cannotWrite(manifest, err);
    });
    let after: { size: number; mtimeMs: number; ino: number };
    let sizeBefore: number | undefined;
    try {
      sizeBefore = (await handle.stat()).size;
      await handle.appendFile(line, 'utf8');
      await handle.sync();
      after = await handle.stat();
    } catch (err) {
      // A disk that filled mid-line left part of it: taken back, so the chain ends at its last whole entry and the next
      // write continues it; the artefact it would have listed goes too (an unlisted file, and its name, would stay).
      if (sizeBefore !== undefined) await handle.truncate(sizeBefore).catch(() => undefined);
      await rm(join(this.dir, finalName), { force: true }).catch(() => undefined);
      cannotWrite(manifest, err);
    } finally {
      await handle.close();
    }
    recordAppended(this.dir, head, entry, Buffer.byteLength(line, 'utf8'), after);
    return entry;
  }

  /**
   * Writes the artefact under `name`, or the first free suffixed name; returns the name used. Names in the manifest
   * are skipped without touching the disk, and the head remembers where the suffixes of a name stopped.
   */
  private async createExclusive(name: string, bytes: Buffer, head: LocalManifestHead): Promise<string> {
    for (let n = head.nextSuffix.get(name) ?? 1; ; n++) {
      const candidate = n === 1 ? name : withSuffix(name, n);
      if (head.names.has(candidate)) continue;
      const path = join(this.dir, candidate);
      await makeDirectory(dirname(path), 'the evidence folder');
      let handle;
      try {
        handle = await open(path, 'wx'); // O_CREAT | O_EXCL: fails if anything exists there
      } catch (err) {
        // Taken by a file the manifest does not list: never overwritten. (The loop ends: there are finitely many.)
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new TourniquetError('evidence.write', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
      }
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } catch (err) {
        await handle.close();
        // A part-written artefact the manifest does not list would only push the next try to a `-2` name.
        await rm(path, { force: true }).catch(() => undefined);
        cannotWrite(path, err);
      }
      await handle.close();
      head.nextSuffix.set(name, n + 1);
      return candidate;
    }
  }
}

/**
 * A write that failed (a full disk: ENOSPC, a quota: EDQUOT, an I/O error) as one line naming the file; it was Node's
 * bare `ENOSPC: no space left on device, write`, an unexpected error without the path.
 */
function cannotWrite(path: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on device (ENOSPC)' : code === 'EDQUOT' ? 'disk quota exceeded (EDQUOT)' : (err as Error).message;
  throw new TourniquetError('evidence.write', `cannot write the evidence file ${path}: ${why}`, { cause: err });
}
