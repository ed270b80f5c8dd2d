/**
 * The responder-managed GuardDuty threat list in S3 (a ThreatIntelSet's TXT file): append an address, remove it
 * again, and re-activate the set. Moved from infra/lists/append-threat-ip.ts (which re-exports it).
 *
 * The responder-managed list is a separate S3 object (and ThreatIntelSet) from the repository's threat-intel.txt:
 * deploys upload the repository list, the responder edits its own list, neither overwrites the other.
 *
 * GuardDuty does not notice a changed S3 object by itself: after a change, `activateThreatIntelSet`
 * (UpdateThreatIntelSet with Activate=true) makes it re-read the file (≈15 minutes, status ACTIVATING → ACTIVE).
 * Writes are conditional on the ETag read (src/actions/s3-text-object.ts), so concurrent responders lose nothing.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import type { ListEntry, ListLimits } from '../lists/ip-list.js';
import { appendIpToListText, inspectList, removeIpFromListText } from '../lists/threat-list-text.js';
import { loadGuardDuty } from './guardduty-sdk.js';
import { editTextObject, readTextObject, s3Uri, type S3ObjectLocation } from './s3-text-object.js';

export interface ThreatListOptions {
  readonly expectedBucketOwner?: string;
  /** Read-edit-write attempts when another writer wins the race (default 5). */
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

export interface RemoveThreatIntelIpResult {
  readonly removed: boolean;
  readonly entries: number;
  readonly etag?: string;
  readonly versionId?: string;
  readonly attempts: number;
}

function locationOf(bucket: string, key: string, options: ThreatListOptions): S3ObjectLocation {
  return { bucket, key, ...(options.expectedBucketOwner !== undefined ? { expectedBucketOwner: options.expectedBucketOwner } : {}) };
}

/**
 * Reads `s3://bucket/key`, validates it, appends `ip` (one public IPv4 address) unless already covered, and writes it
 * back conditionally. A missing object is an empty list (created with `If-None-Match: *`). The upload relies on the
 * bucket's default encryption (SSE-KMS with the findings key).
 */
export async function appendThreatIntelIp(
  s3: S3Client,
  bucket: string,
  key: string,
  ip: string,
  options: ThreatListOptions = {},
): Promise<AppendThreatIntelIpResult> {
  const location = locationOf(bucket, key, options);
  const source = s3Uri(location);
  const outcome = await editTextObject(
    s3,
    location,
    (current) => {
      const r = appendIpToListText(current.text, ip, { source, ...(options.limits ? { limits: options.limits } : {}) });
      const result = { added: r.added, entries: r.entries, ...(r.coveredBy !== undefined ? { coveredBy: r.coveredBy } : {}) };
      return r.added ? { write: true, content: r.content, result } : { write: false, result };
    },
    { ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}), label: `${source} (threat list)` },
  );
  return {
    ...outcome.result,
    attempts: outcome.attempts,
    ...(outcome.etag !== undefined ? { etag: outcome.etag } : {}),
    ...(outcome.versionId !== undefined ? { versionId: outcome.versionId } : {}),
  };
}

/** Removes the single-address entry for `ip` (never a range that covers it) and writes the list back conditionally. */
export async function removeThreatIntelIp(
  s3: S3Client,
  bucket: string,
  key: string,
  ip: string,
  options: ThreatListOptions = {},
): Promise<RemoveThreatIntelIpResult> {
  const location = locationOf(bucket, key, options);
  const source = s3Uri(location);
  const outcome = await editTextObject(
    s3,
    location,
    (current) => {
      if (!current.exists) return { write: false, result: { removed: false, entries: 0 } };
      const r = removeIpFromListText(current.text, ip, { source, ...(options.limits ? { limits: options.limits } : {}) });
      const result = { removed: r.removed, entries: r.entries };
      return r.removed ? { write: true, content: r.content, result } : { write: false, result };
    },
    { ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}), label: `${source} (threat list)` },
  );
  return {
    ...outcome.result,
    attempts: outcome.attempts,
    ...(outcome.etag !== undefined ? { etag: outcome.etag } : {}),
    ...(outcome.versionId !== undefined ? { versionId: outcome.versionId } : {}),
  };
}

export interface ThreatListState {
  readonly exists: boolean;
  /** The entry (address or range) that covers the address, or undefined. */
  readonly covering?: ListEntry;
  readonly entries: number;
  readonly etag?: string;
  readonly versionId?: string;
}

/** Reads the list and says whether `ip` is on it (a corrupted list throws, naming its bad lines). */
export async function readThreatListState(s3: S3Client, bucket: string, key: string, ip: string, options: ThreatListOptions = {}): Promise<ThreatListState> {
  const location = locationOf(bucket, key, options);
  const current = await readTextObject(s3, location);
  const source = s3Uri(location);
  const { covering, entries } = inspectList(current.text, ip, { source, ...(options.limits ? { limits: options.limits } : {}) });
  return {
    exists: current.exists,
    entries,
    ...(covering !== undefined ? { covering } : {}),
    ...(current.etag !== undefined ? { etag: current.etag } : {}),
    ...(current.versionId !== undefined ? { versionId: current.versionId } : {}),
  };
}

/**
 * Makes GuardDuty re-read a ThreatIntelSet's file (UpdateThreatIntelSet with Activate=true). Needed after every
 * change to the S3 object; the set stays ACTIVATING for about 15 minutes. Failures are AwsCallErrors, never swallowed.
 */
export async function activateThreatIntelSet(guardduty: GuardDutyClient, detectorId: string, threatIntelSetId: string): Promise<void> {
  const { UpdateThreatIntelSetCommand } = await loadGuardDuty();
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
  readonly options?: ThreatListOptions;
}

/** Appends and, only when the list changed, re-activates the set. */
export async function appendAndActivate(args: AppendAndActivateArgs): Promise<AppendThreatIntelIpResult & { readonly activated: boolean }> {
  const result = await appendThreatIntelIp(args.s3, args.bucket, args.key, args.ip, args.options);
  if (!result.added) return { ...result, activated: false };
  await activateThreatIntelSet(args.guardduty, args.detectorId, args.threatIntelSetId);
  return { ...result, activated: true };
}
