/**
 * Verifies a case's evidence: every manifest entry is well-formed and in sequence, every chain link recomputes, every
 * artefact exists with the recorded size and SHA-256; for S3, the rolled-up manifest.jsonl agrees with the entry
 * objects (as far as it goes: it is kept complete up to ROLLUP_MAX_ENTRIES entries). Reports the first break.
 * Files or objects the manifest does not list are reported separately.
 *
 * The chain proves the manifest is internally consistent; it cannot by itself reveal a cut tail or a wholesale rewrite
 * by someone who recomputes every hash. Anchor it: pass `expectHead` (a chain hash recorded elsewhere, e.g. in the
 * journal) and keep S3 evidence under Object Lock.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../errors.js';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { withAwsAnswerCheck } from '../aws/not-aws-answer.js';
import { TOURNIQUET_USER_AGENT } from '../aws/user-agent.js';
import { isSafeArtefactName } from './artefact-name.js';
import type { EvidenceEntry } from './evidence-writer.js';
import { GENESIS_CHAIN, MANIFEST_FILE, chainHash, entryLine, parseEntryLine } from './manifest-chain.js';
import { MANIFEST_ENTRY_DIR, ROLLUP_MAX_ENTRIES, listKeys } from './s3-case-writer.js';
import { parseS3Uri } from './s3-location.js';

export type BreakReason =
  | 'malformed-entry' // not a valid entry (bad JSON, missing field, unsafe name)
  | 'seq-mismatch' // entries out of order or missing
  | 'chain-mismatch' // the chain hash does not recompute: an entry was edited, removed or reordered
  | 'missing-artefact'
  | 'size-mismatch'
  | 'hash-mismatch' // the artefact's content changed
  | 'rollup-mismatch' // S3: manifest.jsonl disagrees with the entry objects
  | 'head-missing'; // `expectHead` is not a chain hash of this manifest

export interface ManifestBreak {
  readonly reason: BreakReason;
  /** The entry's position (1-based) in the manifest. */
  readonly seq: number;
  readonly name?: string;
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface VerifyReport {
  readonly location: string;
  readonly ok: boolean;
  /** Entries in the manifest. */
  readonly entries: number;
  /** Entries verified before the first break (all of them when ok). */
  readonly verified: number;
  readonly firstBreak?: ManifestBreak;
  /** The last verified entry's chain hash (record it elsewhere to detect a cut tail later). */
  readonly headChain?: string;
  /** Artefacts present but not in the manifest. */
  readonly unlisted: readonly string[];
  /** The manifest's entries as read (well-formed ones, in order), verified or not: see `verified` and `firstBreak`. */
  readonly listed: readonly EvidenceEntry[];
  readonly warnings: readonly string[];
}

export interface VerifyOptions {
  /** For `s3://` locations (default: a client from the environment). */
  readonly s3Client?: S3Client;
  /** A chain hash recorded earlier; the manifest must contain it. */
  readonly expectHead?: string;
}

/** `location`: `file://<path>`, a plain folder path, or `s3://bucket/prefix/<caseId>/`. */
export async function verifyManifest(location: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  if (location.startsWith('s3://')) {
    const client = options.s3Client ?? defaultS3Client();
    try {
      return await verifyS3(location, client, options.expectHead);
    } finally {
      if (options.s3Client === undefined) client.destroy();
    }
  }
  return verifyLocal(location.startsWith('file://') ? location.slice('file://'.length) : location, location, options.expectHead);
}

function defaultS3Client(): S3Client {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return withAwsAnswerCheck(new S3Client({ customUserAgent: TOURNIQUET_USER_AGENT, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }), endpoint);
}

interface Source {
  /** Content hash and size, or undefined when the artefact is missing. */
  artefact(name: string): Promise<{ sha256: string; bytes: number } | undefined>;
}

/** Checks entries in order; returns the first break, or the verified count and head. */
async function checkEntries(
  lines: readonly string[],
  source: Source,
  rollup: readonly string[] | undefined,
): Promise<{ verified: number; head?: string; chains: Set<string>; firstBreak?: ManifestBreak }> {
  let prev = GENESIS_CHAIN;
  const chains = new Set<string>();
  let head: string | undefined;
  for (const [i, line] of lines.entries()) {
    const seq = i + 1;
    const done = (b: ManifestBreak) => ({ verified: i, chains, firstBreak: b, ...(head !== undefined ? { head } : {}) });
    const entry = parseEntryLine(line);
    if (entry === undefined) return done({ reason: 'malformed-entry', seq, message: `entry ${seq} is not a valid manifest entry` });
    if (!isSafeArtefactName(entry.name)) {
      return done({ reason: 'malformed-entry', seq, name: entry.name, message: `entry ${seq} names an unsafe path ${JSON.stringify(entry.name)}` });
    }
    if (entry.seq !== seq) {
      return done({ reason: 'seq-mismatch', seq, name: entry.name, message: `entry ${seq} says seq ${entry.seq}`, expected: String(seq), actual: String(entry.seq) });
    }
    const chain = chainHash(prev, entry.sha256, entry.name, entry.recordedAt);
    if (chain !== entry.chain) {
      return done({ reason: 'chain-mismatch', seq, name: entry.name, message: `entry ${seq} (${entry.name}) does not chain from the entry before it`, expected: chain, actual: entry.chain });
    }
    if (rollup !== undefined && rollup[i] !== undefined && !sameEntry(rollup[i] as string, entry)) {
      return done({ reason: 'rollup-mismatch', seq, name: entry.name, message: `${MANIFEST_FILE} line ${seq} differs from manifest entry ${seq}` });
    }
    const found = await source.artefact(entry.name);
    if (found === undefined) return done({ reason: 'missing-artefact', seq, name: entry.name, message: `artefact ${entry.name} (entry ${seq}) is missing` });
    if (found.bytes !== entry.bytes) {
      return done({ reason: 'size-mismatch', seq, name: entry.name, message: `artefact ${entry.name} has ${found.bytes} bytes, the manifest says ${entry.bytes}`, expected: String(entry.bytes), actual: String(found.bytes) });
    }
    if (found.sha256 !== entry.sha256) {
      return done({ reason: 'hash-mismatch', seq, name: entry.name, message: `artefact ${entry.name} does not match its SHA-256`, expected: entry.sha256, actual: found.sha256 });
    }
    prev = chain;
    head = chain;
    chains.add(chain);
  }
  return { verified: lines.length, chains, ...(head !== undefined ? { head } : {}) };
}

function sameEntry(line: string, entry: EvidenceEntry): boolean {
  const other = parseEntryLine(line);
  return other !== undefined && entryLine(other) === entryLine(entry);
}

function report(
  location: string,
  lines: readonly string[],
  result: Awaited<ReturnType<typeof checkEntries>>,
  expectHead: string | undefined,
  unlisted: string[],
  warnings: string[],
): VerifyReport {
  const entries = lines.length;
  let firstBreak = result.firstBreak;
  if (firstBreak === undefined && expectHead !== undefined && !result.chains.has(expectHead)) {
    firstBreak = { reason: 'head-missing', seq: entries + 1, message: 'the expected chain head is not in this manifest (entries were cut or rewritten)', expected: expectHead, ...(result.head !== undefined ? { actual: result.head } : {}) };
  }
  return {
    location,
    ok: firstBreak === undefined,
    entries,
    verified: result.verified,
    ...(firstBreak !== undefined ? { firstBreak } : {}),
    ...(result.head !== undefined ? { headChain: result.head } : {}),
    unlisted: unlisted.sort(),
    listed: lines.map(parseEntryLine).filter((e): e is EvidenceEntry => e !== undefined),
    warnings,
  };
}

// ---------------------------------------------------------------- local folder

async function verifyLocal(path: string, location: string, expectHead: string | undefined): Promise<VerifyReport> {
  const dir = resolve(path);
  try {
    if (!(await stat(dir)).isDirectory()) throw new NotFoundError('evidence case folder', dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('evidence case folder', dir);
    throw err;
  }
  let text = '';
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const source: Source = {
    artefact: async (name) => {
      try {
        return await hashFile(join(dir, name));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
        throw err;
      }
    },
  };
  const result = await checkEntries(lines, source, undefined);
  const listed = new Set(lines.map((l) => parseEntryLine(l)?.name).filter((n): n is string => n !== undefined));
  const files = await walk(dir, '');
  const unlisted = files.filter((f) => f !== MANIFEST_FILE && !listed.has(f));
  const warnings = text === '' ? [`no ${MANIFEST_FILE} in ${dir}`] : [];
  return report(location, lines, result, expectHead, unlisted, warnings);
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) out.push(...(await walk(root, path)));
    else out.push(path); // files, and symlinks (listed, never followed)
  }
  return out;
}

// ---------------------------------------------------------------- S3

async function verifyS3(location: string, client: S3Client, expectHead: string | undefined): Promise<VerifyReport> {
  const { bucket, prefix } = parseS3Uri(location);
  const keys = await listKeys(client, bucket, prefix);
  if (keys.length === 0) throw new NotFoundError('evidence case', location);
  const entryDir = `${prefix}${MANIFEST_ENTRY_DIR}`;
  const entryKeys = keys
    .filter((k) => k.startsWith(entryDir))
    .map((key) => ({ key, seq: /^(\d+)\.json$/.exec(key.slice(entryDir.length))?.[1] }))
    .filter((e): e is { key: string; seq: string } => e.seq !== undefined)
    .sort((a, b) => Number(a.seq) - Number(b.seq));
  // Lines in key order: a missing entry object shows up as a seq mismatch at its position.
  const lines: string[] = [];
  for (const { key } of entryKeys) lines.push((await readText(client, bucket, key)) ?? '');
  const rollupText = await readText(client, bucket, `${prefix}${MANIFEST_FILE}`);
  const warnings: string[] = [];
  let rollup: string[] | undefined;
  if (rollupText === undefined) {
    warnings.push(`no ${MANIFEST_FILE} next to the entry objects`);
  } else {
    rollup = rollupText.split('\n');
    if (rollup[rollup.length - 1] === '') rollup.pop();
    if (rollup.length < lines.length) {
      warnings.push(
        rollup.length >= ROLLUP_MAX_ENTRIES
          ? `${MANIFEST_FILE} lists the first ${rollup.length} of ${lines.length} entries (it is kept up to ${ROLLUP_MAX_ENTRIES}; the entry objects are the manifest)`
          : `${MANIFEST_FILE} lists ${rollup.length} of ${lines.length} entries (stale copy)`,
      );
    }
  }
  const source: Source = { artefact: (name) => hashObject(client, bucket, `${prefix}${name}`) };
  let result = await checkEntries(lines, source, rollup);
  if (result.firstBreak === undefined && rollup !== undefined && rollup.length > lines.length) {
    const seq = lines.length + 1;
    result = { ...result, firstBreak: { reason: 'rollup-mismatch', seq, message: `${MANIFEST_FILE} lists entry ${seq} but there is no entry object for it (deleted?)` } };
  }
  const listed = new Set(lines.map((l) => parseEntryLine(l)?.name).filter((n): n is string => n !== undefined));
  const unlisted = keys
    .map((k) => k.slice(prefix.length))
    .filter((k) => k !== MANIFEST_FILE && !k.startsWith(MANIFEST_ENTRY_DIR) && !listed.has(k));
  return report(location, lines, result, expectHead, unlisted, warnings);
}

async function readText(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const found = await getObject(client, bucket, key);
  if (found === undefined) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of found) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function hashObject(client: S3Client, bucket: string, key: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const body = await getObject(client, bucket, key);
  if (body === undefined) return undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function getObject(client: S3Client, bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    // In Node the body is a Readable stream (async iterable of Buffers).
    return (out.Body ?? (async function* () {})()) as AsyncIterable<Uint8Array>;
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return undefined;
    throw wrapAwsError('s3', 'GetObject', err);
  }
}
