/**
 * BASELINE for bench/evidence-write.ts only: the local case folder as it was before the chain head was kept
 * (commit 9e7f42b). Every artefact re-reads and re-parses the whole manifest.jsonl. Not used by Tourniquet.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TourniquetError } from '../../src/errors.js';
import { sanitizeArtefactName, sanitizeCaseId, withSuffix } from '../../src/evidence/artefact-name.js';
import type { EvidenceEntry, EvidenceWriter } from '../../src/evidence/evidence-writer.js';
import { MANIFEST_FILE, encodeContent, entryLine, nextEntry, parseEntryLine, sha256Hex } from '../../src/evidence/manifest-chain.js';
import { runSerially } from '../../src/evidence/write-queue.js';

export interface LocalCaseFolderOptions {
  /** Clock for `recordedAt` (tests). */
  readonly now?: () => Date;
}

const MAX_SUFFIX = 10_000;

export class BaselineLocalCaseFolder implements EvidenceWriter {
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
    await mkdir(this.dir, { recursive: true });
    const { last, names } = await readManifestState(this.dir);
    const finalName = await this.createExclusive(name, bytes, names);
    const entry = nextEntry(last, finalName, sha256Hex(bytes), bytes.byteLength, (this.options.now?.() ?? new Date()).toISOString());
    const handle = await open(join(this.dir, MANIFEST_FILE), 'a');
    try {
      await handle.appendFile(`${entryLine(entry)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return entry;
  }

  /** Writes the artefact under `name`, or the first free suffixed name; returns the name used. */
  private async createExclusive(name: string, bytes: Buffer, taken: ReadonlySet<string>): Promise<string> {
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = n === 1 ? name : withSuffix(name, n);
      if (taken.has(candidate)) continue;
      const path = join(this.dir, candidate);
      await mkdir(dirname(path), { recursive: true });
      let handle;
      try {
        handle = await open(path, 'wx'); // O_CREAT | O_EXCL: fails if anything exists there
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new TourniquetError('evidence.write', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
      }
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return candidate;
    }
    throw new TourniquetError('evidence.write', `no free name for ${JSON.stringify(name)} in ${this.dir} after ${MAX_SUFFIX} tries`);
  }
}

/** The last entry and every name already in the manifest. A damaged manifest is never extended. */
async function readManifestState(dir: string): Promise<{ last: EvidenceEntry | undefined; names: Set<string> }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { last: undefined, names: new Set() };
    throw err;
  }
  const names = new Set<string>();
  let last: EvidenceEntry | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const entry = parseEntryLine(line);
    if (entry === undefined || entry.seq !== (last?.seq ?? 0) + 1) {
      throw new TourniquetError(
        'evidence.manifest-damaged',
        `${join(dir, MANIFEST_FILE)} line ${i + 1} is not a valid next entry; refusing to extend a damaged chain (run verify-evidence)`,
      );
    }
    names.add(entry.name);
    last = entry;
  }
  return { last, names };
}
