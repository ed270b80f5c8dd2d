/**
 * Evidence in S3: `s3://bucket/prefix/<caseId>/` holds the artefacts as objects plus the manifest.
 *
 * S3 has no append, so the manifest is kept as:
 *  - `manifest/<seq>.json` (seq zero-padded to 8 digits), one object per entry: the source of truth. Each is created
 *    with `If-None-Match: *`, so two writers (two Lambda invocations on one case) can never both claim a seq; the
 *    loser follows the winner's entries and links after them.
 *  - `manifest/head.json`, the last entry, rewritten after each one: where the next writer starts (see
 *    `s3-manifest-head.ts`), so writing an artefact never re-reads the whole manifest.
 *  - `manifest.jsonl`, the chain rolled up for people and tools, rewritten after each entry while the case has at most
 *    ROLLUP_MAX_ENTRIES entries (an incident writes a few dozen). Beyond, rewriting it would make every artefact cost
 *    as much as the case so far (and, under Object Lock, keep a growing copy per artefact): it stays at the first
 *    ROLLUP_MAX_ENTRIES lines and verifyManifest says so; the entry objects remain complete.
 * Artefacts are created with `If-None-Match: *` too (a taken name gets a `-2`, `-3` … suffix, found with one listing,
 * with no limit on how many) and every object is sent with its SHA-256 (`x-amz-checksum-sha256`) so S3 verifies it
 * on arrival. Optional: SSE-KMS key, Object Lock retention.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { TourniquetError } from '../errors.js';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { sanitizeArtefactName, sanitizeCaseId, suffixNumber, suffixStem, withSuffix } from './artefact-name.js';
import type { EvidenceEntry, EvidenceWriter } from './evidence-writer.js';
import { MANIFEST_FILE, encodeContent, entryLine, nextEntry, sha256Hex } from './manifest-chain.js';
import {
  MANIFEST_HEAD_KEY,
  cacheState,
  cachedState,
  forgetState,
  loadChainState,
  manifestEntryKey,
  moveForward,
  type S3ChainState,
  type S3Reads,
} from './s3-manifest-head.js';
import { formatS3Uri, parseS3Uri, type S3Location } from './s3-location.js';
import { runSerially } from './write-queue.js';

export { MANIFEST_ENTRY_DIR, manifestEntryKey } from './s3-manifest-head.js';

export interface ObjectLockOption {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Retention from the time of writing, in whole days. */
  readonly days: number;
}

export interface S3CaseWriterOptions {
  readonly client: S3Client;
  /** `s3://bucket/prefix` under which the case folder is created. */
  readonly s3Uri: string;
  readonly caseId: string;
  /** SSE-KMS key id or ARN; default: the bucket's default encryption. */
  readonly kmsKeyId?: string;
  readonly objectLock?: ObjectLockOption;
  readonly now?: () => Date;
  /** Entries up to which manifest.jsonl is kept complete (default ROLLUP_MAX_ENTRIES; tests). */
  readonly rollupMaxEntries?: number;
}

/** `manifest.jsonl` is kept complete up to this many entries (see above). */
export const ROLLUP_MAX_ENTRIES = 256;
/** Lost races in a row (for a sequence number or a name) before giving up. */
const MAX_RACES = 10;

export class S3CaseWriter implements EvidenceWriter {
  readonly location: string;
  private readonly where: S3Location;
  private readonly reads: S3Reads;

  constructor(private readonly options: S3CaseWriterOptions) {
    const base = parseS3Uri(options.s3Uri);
    this.where = { bucket: base.bucket, prefix: `${base.prefix}${sanitizeCaseId(options.caseId)}/` };
    this.location = formatS3Uri(this.where);
    const lock = options.objectLock;
    if (lock !== undefined && (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > 36500)) {
      throw new TourniquetError('evidence.object-lock', `Object Lock retention must be 1 to 36500 whole days, received ${String(lock.days)}`);
    }
    this.reads = {
      getText: (key) => getText(options.client, this.where.bucket, key),
      listKeys: (prefix) => listKeys(options.client, this.where.bucket, prefix),
    };
  }

  put(name: string, content: unknown): Promise<EvidenceEntry> {
    const encoded = encodeContent(name, content);
    return runSerially(this.location, () => this.write(sanitizeArtefactName(name), encoded.bytes, encoded.contentType));
  }

  private async write(name: string, bytes: Buffer, contentType: string): Promise<EvidenceEntry> {
    const now = this.options.now?.() ?? new Date();
    const sha256 = sha256Hex(bytes);
    const state = await this.state();
    try {
      const finalName = await this.createArtefact(name, bytes, sha256, contentType, now, state);
      for (let race = 0; race < MAX_RACES; race++) {
        const entry = nextEntry(state.last, finalName, sha256, bytes.byteLength, now.toISOString());
        const line = entryLine(entry);
        const created = await this.putObject(manifestEntryKey(this.where.prefix, entry.seq), Buffer.from(line, 'utf8'), 'application/json', now, true);
        if (!created) {
          // Another writer took this seq: continue its chain.
          await moveForward(this.reads, this.where.prefix, this.location, state);
          continue;
        }
        state.last = entry;
        await this.putObject(`${this.where.prefix}${MANIFEST_HEAD_KEY}`, Buffer.from(line, 'utf8'), 'application/json', now, false);
        await this.rollUp(state, line, now);
        return entry;
      }
    } catch (err) {
      // Whatever happened, the next artefact starts from what S3 holds.
      forgetState(this.options.client, this.location);
      throw err;
    }
    forgetState(this.options.client, this.location);
    throw new TourniquetError('evidence.contention', `${this.location}: lost the manifest race ${MAX_RACES} times in a row`);
  }

  private async state(): Promise<S3ChainState> {
    let state = cachedState(this.options.client, this.location);
    if (state === undefined) {
      state = await loadChainState(this.reads, this.where.prefix, this.location);
      cacheState(this.options.client, this.location, state);
    }
    return state;
  }

  /** Rewrites manifest.jsonl with the new line while the case is small; filled in from the entries if it fell behind. */
  private async rollUp(state: S3ChainState, line: string, now: Date): Promise<void> {
    const seq = state.last?.seq ?? 0;
    if (seq > (this.options.rollupMaxEntries ?? ROLLUP_MAX_ENTRIES)) {
      state.rollup = undefined;
      return;
    }
    let lines = state.rollup;
    if (lines === undefined) {
      const text = await this.reads.getText(`${this.where.prefix}${MANIFEST_FILE}`);
      lines = text === undefined ? [] : text.split('\n').filter((l) => l !== '');
    }
    if (lines.length > seq - 1) lines = lines.slice(0, seq - 1);
    for (let missing = lines.length + 1; missing < seq; missing++) {
      lines.push(((await this.reads.getText(manifestEntryKey(this.where.prefix, missing))) ?? '').trim());
    }
    lines.push(line);
    state.rollup = lines;
    await this.putObject(`${this.where.prefix}${MANIFEST_FILE}`, Buffer.from(`${lines.join('\n')}\n`, 'utf8'), 'application/x-ndjson', now, false);
  }

  private async createArtefact(name: string, bytes: Buffer, sha256: string, contentType: string, now: Date, state: S3ChainState): Promise<string> {
    let n = state.nextSuffix.get(name) ?? 1;
    for (let race = 0; race < MAX_RACES; race++) {
      const candidate = n === 1 ? name : withSuffix(name, n);
      if (await this.putObject(`${this.where.prefix}${candidate}`, bytes, contentType, now, true, sha256)) {
        state.nextSuffix.set(name, n + 1);
        return candidate;
      }
      // Taken: one listing says which suffixes exist, and the next attempt goes past the highest.
      n = (await this.highestSuffix(name)) + 1;
    }
    throw new TourniquetError('evidence.contention', `${this.location}: lost the race for a free name for ${JSON.stringify(name)} ${MAX_RACES} times in a row`);
  }

  private async highestSuffix(name: string): Promise<number> {
    const keys = await listKeys(this.options.client, this.where.bucket, `${this.where.prefix}${suffixStem(name)}`);
    let highest = 1;
    for (const key of keys) highest = Math.max(highest, suffixNumber(name, key.slice(this.where.prefix.length)) ?? 1);
    return highest;
  }

  /** PutObject with checksum, encryption and retention. With `exclusive`, returns false when the key already exists. */
  private async putObject(key: string, body: Buffer, contentType: string, now: Date, exclusive: boolean, sha256 = sha256Hex(body)): Promise<boolean> {
    const input: PutObjectCommandInput = {
      Bucket: this.where.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      Metadata: { 'tourniquet-sha256': sha256 },
      ...(exclusive ? { IfNoneMatch: '*' } : {}),
      ...(this.options.kmsKeyId !== undefined ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.options.kmsKeyId } : {}),
      ...(this.options.objectLock !== undefined
        ? {
            ObjectLockMode: this.options.objectLock.mode,
            ObjectLockRetainUntilDate: new Date(now.getTime() + this.options.objectLock.days * 86_400_000),
          }
        : {}),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.client.send(new PutObjectCommand(input));
        return true;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (exclusive && (awsErrorName(err) === 'PreconditionFailed' || status === 412)) return false;
        // A concurrent conditional write on the same key: S3 asks to retry.
        if (awsErrorName(err) === 'ConditionalRequestConflict' && attempt < 3) continue;
        throw wrapAwsError('s3', 'PutObject', err);
      }
    }
  }
}

export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    let out;
    try {
      out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
    } catch (err) {
      throw wrapAwsError('s3', 'ListObjectsV2', err);
    }
    for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return undefined;
    throw wrapAwsError('s3', 'GetObject', err);
  }
}

/** The object's text; undefined when it does not exist. */
async function getText(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const bytes = await getBytes(client, bucket, key);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}
