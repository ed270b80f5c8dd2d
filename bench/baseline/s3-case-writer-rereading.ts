/**
 * BASELINE for bench/evidence-write.ts only: the S3 case writer as it was before the chain head was kept (commit
 * 9e7f42b). A new writer lists and reads every manifest entry object, and each entry rewrites the whole
 * manifest.jsonl. Not used by Tourniquet.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { TourniquetError } from '../../src/errors.js';
import { awsErrorName, wrapAwsError } from '../../src/aws/wrap-aws-error.js';
import { sanitizeArtefactName, sanitizeCaseId, withSuffix } from '../../src/evidence/artefact-name.js';
import type { EvidenceEntry, EvidenceWriter } from '../../src/evidence/evidence-writer.js';
import { MANIFEST_FILE, encodeContent, entryLine, nextEntry, parseEntryLine, sha256Hex } from '../../src/evidence/manifest-chain.js';
import { formatS3Uri, parseS3Uri, type S3Location } from '../../src/evidence/s3-location.js';
import { runSerially } from '../../src/evidence/write-queue.js';

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
}

export const MANIFEST_ENTRY_DIR = 'manifest/';
const SEQ_DIGITS = 8;
const MAX_SUFFIX = 1000;
const MAX_SEQ_RACES = 10;

export function manifestEntryKey(prefix: string, seq: number): string {
  return `${prefix}${MANIFEST_ENTRY_DIR}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
}

interface ChainState {
  last: EvidenceEntry | undefined;
  lines: string[];
}

export class BaselineS3CaseWriter implements EvidenceWriter {
  readonly location: string;
  private readonly where: S3Location;
  private state: ChainState | undefined;

  constructor(private readonly options: S3CaseWriterOptions) {
    const base = parseS3Uri(options.s3Uri);
    this.where = { bucket: base.bucket, prefix: `${base.prefix}${sanitizeCaseId(options.caseId)}/` };
    this.location = formatS3Uri(this.where);
    const lock = options.objectLock;
    if (lock !== undefined && (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > 36500)) {
      throw new TourniquetError('evidence.object-lock', `Object Lock retention must be 1 to 36500 whole days, received ${String(lock.days)}`);
    }
  }

  put(name: string, content: unknown): Promise<EvidenceEntry> {
    const encoded = encodeContent(name, content);
    return runSerially(this.location, () => this.write(sanitizeArtefactName(name), encoded.bytes, encoded.contentType));
  }

  private async write(name: string, bytes: Buffer, contentType: string): Promise<EvidenceEntry> {
    const now = this.options.now?.() ?? new Date();
    const sha256 = sha256Hex(bytes);
    const finalName = await this.createArtefact(name, bytes, sha256, contentType, now);
    let state = this.state ?? (await this.loadState());
    for (let race = 0; race < MAX_SEQ_RACES; race++) {
      const entry = nextEntry(state.last, finalName, sha256, bytes.byteLength, now.toISOString());
      const line = entryLine(entry);
      const created = await this.putObject(manifestEntryKey(this.where.prefix, entry.seq), Buffer.from(line, 'utf8'), 'application/json', now, true);
      if (!created) {
        // Another writer took this seq: continue its chain.
        state = await this.loadState();
        continue;
      }
      state = { last: entry, lines: [...state.lines, line] };
      this.state = state;
      await this.putObject(`${this.where.prefix}${MANIFEST_FILE}`, Buffer.from(`${state.lines.join('\n')}\n`, 'utf8'), 'application/x-ndjson', now, false);
      return entry;
    }
    throw new TourniquetError('evidence.contention', `${this.location}: lost the manifest race ${MAX_SEQ_RACES} times in a row`);
  }

  private async createArtefact(name: string, bytes: Buffer, sha256: string, contentType: string, now: Date): Promise<string> {
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = n === 1 ? name : withSuffix(name, n);
      if (await this.putObject(`${this.where.prefix}${candidate}`, bytes, contentType, now, true, sha256)) return candidate;
    }
    throw new TourniquetError('evidence.write', `no free name for ${JSON.stringify(name)} under ${this.location} after ${MAX_SUFFIX} tries`);
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

  /** Reads the chain from the entry objects (the source of truth). */
  private async loadState(): Promise<ChainState> {
    const keys = await listKeys(this.options.client, this.where.bucket, `${this.where.prefix}${MANIFEST_ENTRY_DIR}`);
    const seqs = keys
      .map((k) => /\/(\d+)\.json$/.exec(k)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const lines: string[] = [];
    let last: EvidenceEntry | undefined;
    for (const [i, seq] of seqs.entries()) {
      const line = (await getText(this.options.client, this.where.bucket, manifestEntryKey(this.where.prefix, seq))).trim();
      const entry = parseEntryLine(line);
      if (seq !== i + 1 || entry === undefined || entry.seq !== seq) {
        throw new TourniquetError(
          'evidence.manifest-damaged',
          `${this.location}: manifest entry ${seq} is missing or invalid; refusing to extend a damaged chain (run verify-evidence)`,
        );
      }
      lines.push(line);
      last = entry;
    }
    return { last, lines };
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

async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const bytes = await getBytes(client, bucket, key);
  return bytes === undefined ? '' : Buffer.from(bytes).toString('utf8');
}
