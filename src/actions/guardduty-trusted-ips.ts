/**
 * The addresses GuardDuty is told to trust: every trusted IP list (IPSet) and trusted entity set of a detector, read
 * from S3. Tourniquet never puts such an address on a threat list (GuardDuty lets the trusted list win anyway, so the
 * entry would do nothing but contradict a person's decision).
 *
 * Lists in the DELETED or DELETE_PENDING state are ignored; inactive ones still count (a person trusted those
 * addresses). Files are read generously (every IPv4 token, whatever the format). A list that cannot be read fails the
 * caller: the address cannot be shown not to be trusted.
 */
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { S3Client } from '@aws-sdk/client-s3';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import { TourniquetError, describeValue } from '../errors.js';
import type { ParsedRange } from '../lists/ip-list.js';
import { ipv4RangesIn } from '../lists/threat-list-text.js';
import { loadGuardDuty } from './guardduty-sdk.js';
import { readTextObject, type S3ObjectLocation } from './s3-text-object.js';

export interface TrustedList {
  readonly kind: 'ip-set' | 'trusted-entity-set';
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly status: string;
  readonly ranges: readonly ParsedRange[];
}

const IGNORED_STATUSES: ReadonlySet<string> = new Set(['DELETED', 'DELETE_PENDING']);

/**
 * An S3 object location as GuardDuty accepts it: `s3://bucket/key`, path style `https://s3[.-]<region>.amazonaws.com
 * /bucket/key` or virtual-hosted `https://bucket.s3[.-]<region>.amazonaws.com/key` (http too, `.com.cn` in China).
 */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (s3) return { bucket: s3[1]!, key: s3[2]! };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const host = parsed.hostname.toLowerCase();
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const pathStyle = /^s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.exec(host);
  if (pathStyle) {
    const slash = path.indexOf('/');
    return slash > 0 && slash < path.length - 1 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
  }
  const virtual = /^(.+)\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.exec(host);
  if (virtual && path !== '') return { bucket: virtual[1]!, key: path };
  return undefined;
}

/** Reads every trusted list of `detectorId`. */
export async function readTrustedLists(guardduty: GuardDutyClient, s3: S3Client, detectorId: string): Promise<TrustedList[]> {
  const { GetIPSetCommand, GetTrustedEntitySetCommand, ListIPSetsCommand, ListTrustedEntitySetsCommand } = await loadGuardDuty();
  const sets: Array<Omit<TrustedList, 'ranges'> & { expectedBucketOwner?: string }> = [];
  for (const id of await listIds('ListIPSets', (token) => guardduty.send(new ListIPSetsCommand({ DetectorId: detectorId, ...(token ? { NextToken: token } : {}) })).then((r) => ({ ids: r.IpSetIds, next: r.NextToken })))) {
    const set = await call('GetIPSet', () => guardduty.send(new GetIPSetCommand({ DetectorId: detectorId, IpSetId: id })));
    sets.push({ kind: 'ip-set', id, name: set.Name ?? id, location: set.Location ?? '', status: set.Status ?? 'UNKNOWN', ...(set.ExpectedBucketOwner ? { expectedBucketOwner: set.ExpectedBucketOwner } : {}) });
  }
  for (const id of await listIds('ListTrustedEntitySets', (token) =>
    guardduty
      .send(new ListTrustedEntitySetsCommand({ DetectorId: detectorId, ...(token ? { NextToken: token } : {}) }))
      .then((r) => ({ ids: r.TrustedEntitySetIds, next: r.NextToken })),
  )) {
    const set = await call('GetTrustedEntitySet', () => guardduty.send(new GetTrustedEntitySetCommand({ DetectorId: detectorId, TrustedEntitySetId: id })));
    sets.push({ kind: 'trusted-entity-set', id, name: set.Name ?? id, location: set.Location ?? '', status: set.Status ?? 'UNKNOWN', ...(set.ExpectedBucketOwner ? { expectedBucketOwner: set.ExpectedBucketOwner } : {}) });
  }
  const out: TrustedList[] = [];
  for (const { expectedBucketOwner, ...set } of sets) {
    if (IGNORED_STATUSES.has(set.status)) continue;
    const where = parseS3Url(set.location);
    if (where === undefined) {
      throw new TourniquetError(
        'blocklist.trusted-list-unreadable',
        `trusted list ${set.name} (${set.kind} ${set.id}): its location is not an S3 URL, received ${describeValue(set.location)}`,
      );
    }
    const location: S3ObjectLocation = { ...where, ...(expectedBucketOwner !== undefined ? { expectedBucketOwner } : {}) };
    const object = await readTextObject(s3, location);
    if (!object.exists) {
      throw new TourniquetError('blocklist.trusted-list-unreadable', `trusted list ${set.name} (${set.kind} ${set.id}): ${set.location} does not exist`);
    }
    out.push({ ...set, ranges: ipv4RangesIn(object.text) });
  }
  return out;
}

async function listIds(
  operation: string,
  page: (token: string | undefined) => Promise<{ ids: string[] | undefined; next: string | undefined }>,
): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const r = await call(operation, () => page(token));
    ids.push(...(r.ids ?? []));
    token = r.next;
  } while (token);
  return ids;
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw wrapAwsError('guardduty', operation, error);
  }
}
