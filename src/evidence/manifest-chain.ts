/**
 * The evidence manifest: one entry per artefact, each with the artefact's SHA-256 and a chain hash that covers the
 * previous entry's chain hash, so removing, reordering or editing an entry breaks every later link.
 * `chain = SHA-256(prevChain + sha256 + name + recordedAt)` (UTF-8 concatenation, hex), first `prevChain` = 64 zeros.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TourniquetError } from '../errors.js';
import type { EvidenceEntry } from './evidence-writer.js';

export const GENESIS_CHAIN = '0'.repeat(64);
export const MANIFEST_FILE = 'manifest.jsonl';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function chainHash(prevChain: string, sha256: string, name: string, recordedAt: string): string {
  return sha256Hex(prevChain + sha256 + name + recordedAt);
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const evidenceEntrySchema = z
  .object({
    seq: z.number().int().min(1),
    name: z.string().min(1).max(2000),
    sha256: hex64,
    bytes: z.number().int().min(0),
    recordedAt: z.string().min(1).max(64),
    chain: hex64,
  })
  .strict();

/** Builds the entry that follows `prev` (undefined for the first). */
export function nextEntry(prev: EvidenceEntry | undefined, name: string, sha256: string, bytes: number, recordedAt: string): EvidenceEntry {
  return {
    seq: (prev?.seq ?? 0) + 1,
    name,
    sha256,
    bytes,
    recordedAt,
    chain: chainHash(prev?.chain ?? GENESIS_CHAIN, sha256, name, recordedAt),
  };
}

/** One manifest line (fixed key order). */
export function entryLine(entry: EvidenceEntry): string {
  const { seq, name, sha256, bytes, recordedAt, chain } = entry;
  return JSON.stringify({ seq, name, sha256, bytes, recordedAt, chain });
}

/** Parses one manifest line; undefined when it is not a well-formed entry. */
export function parseEntryLine(line: string): EvidenceEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = evidenceEntrySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface EncodedContent {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** Bytes are stored as they are, strings as UTF-8 text, anything else as pretty-printed JSON. */
export function encodeContent(name: string, content: unknown): EncodedContent {
  // Copied: the caller may reuse its buffer while the write waits in the queue.
  if (content instanceof Uint8Array) return { bytes: Buffer.from(content), contentType: 'application/octet-stream' };
  if (typeof content === 'string') return { bytes: Buffer.from(content, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  let text: string | undefined;
  try {
    text = JSON.stringify(content, null, 2);
  } catch (err) {
    throw new TourniquetError('evidence.content', `artefact ${JSON.stringify(name)} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new TourniquetError('evidence.content', `artefact ${JSON.stringify(name)} has no JSON value (received ${typeof content})`);
  return { bytes: Buffer.from(`${text}\n`, 'utf8'), contentType: 'application/json' };
}
