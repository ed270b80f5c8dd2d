/**
 * Appends a confirmed-malicious IP address to the responder-managed GuardDuty threat list, so a playbook step can
 * make GuardDuty flag every other resource that talks to it.
 *
 * The responder-managed list is a separate S3 object (and ThreatIntelSet) from the repository's threat-intel.txt:
 * deploys upload the repository list, the responder edits its own list, neither overwrites the other.
 *
 * GuardDuty does not notice a changed S3 object by itself: after uploading, call `activateThreatIntelSet`
 * (UpdateThreatIntelSet with `activate: true`), which makes GuardDuty re-read the file (≈15 minutes, status
 * ACTIVATING → ACTIVE). `appendAndActivate` does both.
 *
 * Writes are optimistic: the object is re-uploaded with `If-Match: <ETag read>` (S3 conditional writes), and the
 * read-append-write is retried when another writer got there first, so two responders appending at once lose
 * nothing.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UpdateThreatIntelSetCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { awsErrorName, wrapAwsError } from '../../src/aws/wrap-aws-error.js';
import { ConflictError, TourniquetError, describeValue } from '../../src/errors.js';
import { GUARDDUTY_LIST_LIMITS, isPubliclyRoutable, parseIpEntry, rangeContains, validateIpListText } from './validate-list.js';
import type { ListLimits } from './validate-list.js';

export interface AppendToTextResult {
  /** The new list content (unchanged when `added` is false). */
  readonly content: string;
  readonly added: boolean;
  /** When not added: the entry that already covers the address. */
  readonly coveredBy?: string;
  readonly entries: number;
}

export interface AppendOptions {
  /** Label for messages, e.g. `s3://bucket/key`. */
  readonly source?: string;
  readonly limits?: ListLimits;
}

/**
 * Pure: validates `ip` (one public IPv4 address, optionally written `/32`) and the existing list, and returns the
 * list with the address appended unless an entry already covers it.
 */
export function appendIpToListText(existing: string, ip: string, options: AppendOptions = {}): AppendToTextResult {
  const source = options.source ?? 'threat list';
  const token = ip.trim();
  const parsed = parseIpEntry(token);
  if (!parsed.ok) {
    throw new TourniquetError('infra.threat-ip-invalid', `cannot add to ${source}: ${parsed.reason}, received ${describeValue(ip)}`);
  }
  if (parsed.prefix !== 32) {
    // A range from a finding would let one attacker-influenced value flag many unrelated addresses.
    throw new TourniquetError('infra.threat-ip-invalid', `cannot add to ${source}: a single address is expected, received ${describeValue(ip)}`);
  }
  const limits = options.limits ?? GUARDDUTY_LIST_LIMITS.threat;
  const list = validateIpListText(existing, { kind: 'threat', source, limits });
  const candidate = { family: parsed.family, network: parsed.network, prefix: parsed.prefix };
  const covering = list.entries.find((entry) => rangeContains(entry, candidate));
  if (covering !== undefined) {
    return { content: list.content, added: false, coveredBy: covering.value, entries: list.entries.length };
  }
  if (!isPubliclyRoutable(parsed.family, parsed.network, parsed.prefix)) {
    throw new TourniquetError(
      'infra.threat-ip-invalid',
      `cannot add to ${source}: ${token} is not a publicly routable address (GuardDuty only matches public addresses)`,
    );
  }
  if (list.entries.length + 1 > limits.maxEntries) {
    throw new TourniquetError(
      'infra.list-invalid',
      `cannot add to ${source}: the threat list already holds ${list.entries.length} entries; GuardDuty accepts at most ${limits.maxEntries}`,
    );
  }
  const bareAddress = token.endsWith('/32') ? token.slice(0, -3) : token;
  const content = `${list.content}${bareAddress}\n`;
  return { content, added: true, entries: list.entries.length + 1 };
}

export interface AppendThreatIntelIpOptions {
  readonly expectedBucketOwner?: string;
  /** Read-append-write attempts when another writer wins the race (default 5). */
  readonly maxAttempts?: number;
  readonly limits?: ListLimits;
}

export interface AppendThreatIntelIpResult {
  readonly added: boolean;
  readonly coveredBy?: string;
  readonly entries: number;
  /** ETag of the object now in S3 (after the write, or as read when nothing changed). */
  readonly etag?: string;
  readonly versionId?: string;
  readonly attempts: number;
}

/**
 * Reads `s3://bucket/key`, validates it, appends `ip` unless already covered, and re-uploads it conditionally.
 * A missing object is treated as an empty list (created with `If-None-Match: *`). The upload relies on the
 * bucket's default encryption (SSE-KMS with the findings key).
 */
export async function appendThreatIntelIp(
  s3: S3Client,
  bucket: string,
  key: string,
  ip: string,
  options: AppendThreatIntelIpOptions = {},
): Promise<AppendThreatIntelIpResult> {
  const source = `s3://${bucket}/${key}`;
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const current = await readListObject(s3, bucket, key, options.expectedBucketOwner);
    const result = appendIpToListText(current.text, ip, { source, ...(options.limits ? { limits: options.limits } : {}) });
    if (!result.added) {
      return {
        added: false,
        entries: result.entries,
        attempts: attempt,
        ...(result.coveredBy !== undefined ? { coveredBy: result.coveredBy } : {}),
        ...(current.etag !== undefined ? { etag: current.etag } : {}),
      };
    }
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: result.content,
          ContentType: 'text/plain; charset=utf-8',
          ...(current.etag !== undefined ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
          ...(options.expectedBucketOwner !== undefined ? { ExpectedBucketOwner: options.expectedBucketOwner } : {}),
        }),
      );
      return {
        added: true,
        entries: result.entries,
        attempts: attempt,
        ...(put.ETag !== undefined ? { etag: put.ETag } : {}),
        ...(put.VersionId !== undefined ? { versionId: put.VersionId } : {}),
      };
    } catch (error) {
      if (isLostRace(error)) continue;
      throw wrapAwsError('s3', 'PutObject', error);
    }
  }
  throw new ConflictError(`${source}: another writer changed the threat list on each of ${maxAttempts} attempts; nothing was appended`);
}

/**
 * Makes GuardDuty re-read a ThreatIntelSet's file (UpdateThreatIntelSet with activate=true). Needed after every
 * change to the S3 object; the set stays ACTIVATING for about 15 minutes.
 */
export async function activateThreatIntelSet(guardduty: GuardDutyClient, detectorId: string, threatIntelSetId: string): Promise<void> {
  try {
    await guardduty.send(new UpdateThreatIntelSetCommand({ DetectorId: detectorId, ThreatIntelSetId: threatIntelSetId, Activate: true }));
  } catch (error) {
    throw wrapAwsError('guardduty', 'UpdateThreatIntelSet', error);
  }
}

export interface AppendAndActivateArgs {
  readonly s3: S3Client;
  readonly guardduty: GuardDutyClient;
  readonly bucket: string;
  readonly key: string;
  readonly detectorId: string;
  readonly threatIntelSetId: string;
  readonly ip: string;
  readonly options?: AppendThreatIntelIpOptions;
}

/** Appends and, only when the list changed, re-activates the set. */
export async function appendAndActivate(args: AppendAndActivateArgs): Promise<AppendThreatIntelIpResult & { readonly activated: boolean }> {
  const result = await appendThreatIntelIp(args.s3, args.bucket, args.key, args.ip, args.options);
  if (!result.added) return { ...result, activated: false };
  await activateThreatIntelSet(args.guardduty, args.detectorId, args.threatIntelSetId);
  return { ...result, activated: true };
}

async function readListObject(
  s3: S3Client,
  bucket: string,
  key: string,
  expectedBucketOwner: string | undefined,
): Promise<{ text: string; etag?: string }> {
  try {
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(expectedBucketOwner !== undefined ? { ExpectedBucketOwner: expectedBucketOwner } : {}),
      }),
    );
    const text = res.Body === undefined ? '' : await res.Body.transformToString('utf-8');
    return res.ETag !== undefined ? { text, etag: res.ETag } : { text };
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return { text: '' };
    throw wrapAwsError('s3', 'GetObject', error);
  }
}

/** S3 answers 412 PreconditionFailed (ETag changed / object now exists) or 409 ConditionalRequestConflict. */
function isLostRace(error: unknown): boolean {
  const name = errorName(error);
  const status = httpStatus(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

function errorName(error: unknown): string {
  return awsErrorName(error) ?? 'Unknown';
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
