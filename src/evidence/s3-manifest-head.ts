/**
 * The chain head of an S3 case, kept between artefacts. The entry objects `manifest/<seq>.json` are the manifest;
 * `manifest/head.json` (rewritten after each entry) says which one is last, so a new writer (each Lambda invocation
 * opens one) reads the head and that entry, then looks for entries written after it (another writer's, or one whose
 * head write was lost), instead of listing and reading every entry of the case. A process keeps the head of the cases
 * it writes to, so the next artefact costs no read at all; a lost race on a sequence number moves it forward.
 * A head that does not match its entry object, or a case without a head (written by an earlier version), is loaded
 * from the full listing as before.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { TourniquetError } from '../errors.js';
import { BoundedCache } from './bounded-cache.js';
import type { EvidenceEntry } from './evidence-writer.js';
import { GENESIS_CHAIN, chainHash, entryLine, parseEntryLine } from './manifest-chain.js';

export const MANIFEST_ENTRY_DIR = 'manifest/';
/** Relative to the case prefix; inside `manifest/` but not an entry (entries are `<digits>.json`). */
export const MANIFEST_HEAD_KEY = `${MANIFEST_ENTRY_DIR}head.json`;
const SEQ_DIGITS = 8;

export function manifestEntryKey(prefix: string, seq: number): string {
  return `${prefix}${MANIFEST_ENTRY_DIR}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
}

export interface S3ChainState {
  last: EvidenceEntry | undefined;
  /** The manifest's lines, while the case is small enough to keep the rolled-up manifest.jsonl (see the writer). */
  rollup: string[] | undefined;
  /** The next suffix to try, per name already taken. */
  readonly nextSuffix: Map<string, number>;
}

/** What loading needs from S3: an object's text (undefined when absent) and a listing. */
export interface S3Reads {
  getText(key: string): Promise<string | undefined>;
  listKeys(prefix: string): Promise<string[]>;
}

/** Per S3 client (an endpoint, an account), per case location. */
const states = new WeakMap<S3Client, BoundedCache<string, S3ChainState>>();

export function cachedState(client: S3Client, location: string): S3ChainState | undefined {
  return states.get(client)?.get(location);
}

export function cacheState(client: S3Client, location: string, state: S3ChainState): void {
  let cache = states.get(client);
  if (cache === undefined) states.set(client, (cache = new BoundedCache(256)));
  cache.set(location, state);
}

export function forgetState(client: S3Client, location: string): void {
  states.get(client)?.delete(location);
}

function damaged(location: string, seq: number): TourniquetError {
  return new TourniquetError(
    'evidence.manifest-damaged',
    `${location}: manifest entry ${seq} is missing or invalid; refusing to extend a damaged chain (run verify-evidence)`,
  );
}

/** Reads the chain head: head object + its entry + anything after it; the full listing when there is no usable head. */
export async function loadChainState(io: S3Reads, prefix: string, location: string): Promise<S3ChainState> {
  const headText = (await io.getText(`${prefix}${MANIFEST_HEAD_KEY}`))?.trim();
  const head = headText === undefined ? undefined : parseEntryLine(headText);
  if (head !== undefined && (await io.getText(manifestEntryKey(prefix, head.seq)))?.trim() === headText) {
    const state: S3ChainState = { last: head, rollup: undefined, nextSuffix: new Map() };
    await moveForward(io, prefix, location, state);
    return state;
  }
  return loadFromListing(io, prefix, location);
}

/** Follows entries written after `state.last` (by another writer) until the first sequence number that is free. */
export async function moveForward(io: S3Reads, prefix: string, location: string, state: S3ChainState): Promise<void> {
  for (;;) {
    const seq = (state.last?.seq ?? 0) + 1;
    const text = (await io.getText(manifestEntryKey(prefix, seq)))?.trim();
    if (text === undefined) return;
    const entry = parseEntryLine(text);
    const prev = state.last;
    if (entry === undefined || entry.seq !== seq || entry.chain !== chainHash(prev?.chain ?? GENESIS_CHAIN, entry.sha256, entry.name, entry.recordedAt)) {
      throw damaged(location, seq);
    }
    state.last = entry;
    state.rollup?.push(entryLine(entry));
  }
}

/** The whole chain from the entry objects: for cases without a head object. */
async function loadFromListing(io: S3Reads, prefix: string, location: string): Promise<S3ChainState> {
  const keys = await io.listKeys(`${prefix}${MANIFEST_ENTRY_DIR}`);
  const seqs = keys
    .map((k) => /\/(\d+)\.json$/.exec(k)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const lines: string[] = [];
  let last: EvidenceEntry | undefined;
  for (const [i, seq] of seqs.entries()) {
    const line = ((await io.getText(manifestEntryKey(prefix, seq))) ?? '').trim();
    const entry = parseEntryLine(line);
    if (seq !== i + 1 || entry === undefined || entry.seq !== seq) throw damaged(location, seq);
    lines.push(line);
    last = entry;
  }
  return { last, rollup: lines, nextSuffix: new Map() };
}
