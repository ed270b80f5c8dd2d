/**
 * Which incidents hold which address on the responder blocklist. Two instances talking to the same command-and-control
 * server give two incidents that block the same address; releasing the first must not unblock it while the second is
 * open. So each address Tourniquet added has an entry listing the cases that hold it, in a JSON object next to the
 * list (`<list key>.cases.json`: GuardDuty reads only the list), edited with the same conditional writes.
 *
 * An entry whose case list is empty means "being removed": release removes the address from the list and only then
 * drops the entry, so a release interrupted half-way can be finished by running it again. An address on the list
 * without an entry was put there by someone else, and Tourniquet never removes it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { TourniquetError, describeValue } from '../errors.js';
import { editTextObject, readTextObject, s3Uri, type S3ObjectLocation } from './s3-text-object.js';

const ClaimSchema = z.strictObject({
  ip: z.string(),
  /** Case (incident) ids holding the address, oldest first. */
  cases: z.array(z.string()),
  /** The case that put the address on the list, and when. */
  addedBy: z.string(),
  addedAt: z.string(),
});

const ClaimsSchema = z.strictObject({
  version: z.literal(1),
  /** The list these claims are about (s3:// URI), for people reading the object. */
  list: z.string().optional(),
  entries: z.array(ClaimSchema),
});

export type Claim = z.infer<typeof ClaimSchema>;
type Claims = z.infer<typeof ClaimsSchema>;

/** The key of the claims of the list at `listKey`. */
export function claimsKeyFor(listKey: string): string {
  return `${listKey}.cases.json`;
}

/**
 * The content of a claims object with no claims. Deploys create the object with it next to the list: without
 * s3:ListBucket (which the responder does not get), reading a missing object is AccessDenied, not NoSuchKey.
 */
export const EMPTY_CLAIMS_TEXT = `${JSON.stringify({ version: 1, entries: [] }, null, 2)}\n`;

export function claimsLocation(list: S3ObjectLocation): S3ObjectLocation {
  return { ...list, key: claimsKeyFor(list.key) };
}

/** Parses the claims object; an empty text is no claims. Anything else that does not fit the schema throws. */
export function parseClaims(text: string, list: S3ObjectLocation): Claims {
  const source = s3Uri(claimsLocation(list));
  if (text.trim() === '') return { version: 1, list: s3Uri(list), entries: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TourniquetError('blocklist.claims-invalid', `${source} is not JSON: received ${describeValue(text)}`, { cause });
  }
  const parsed = ClaimsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TourniquetError('blocklist.claims-invalid', `${source} does not hold blocklist claims: ${issues}`, { cause: parsed.error });
  }
  return parsed.data;
}

const serialize = (claims: Claims): string => `${JSON.stringify(claims, null, 2)}\n`;

/** The claim on `ip`, or undefined when Tourniquet holds none. */
export async function readClaim(s3: S3Client, list: S3ObjectLocation, ip: string): Promise<Claim | undefined> {
  const current = await readTextObject(s3, claimsLocation(list));
  return parseClaims(current.text, list).entries.find((e) => e.ip === ip);
}

/** Adds `caseId` to the holders of `ip` (creating the entry when there is none). Idempotent. */
export async function claimIp(s3: S3Client, list: S3ObjectLocation, ip: string, caseId: string, at: string): Promise<Claim> {
  const outcome = await editTextObject(
    s3,
    claimsLocation(list),
    (current) => {
      const claims = parseClaims(current.text, list);
      const existing = claims.entries.find((e) => e.ip === ip);
      if (existing?.cases.includes(caseId)) return { write: false, result: existing };
      const claim: Claim = existing ? { ...existing, cases: [...existing.cases, caseId] } : { ip, cases: [caseId], addedBy: caseId, addedAt: at };
      const entries = existing ? claims.entries.map((e) => (e === existing ? claim : e)) : [...claims.entries, claim];
      return { write: true, content: serialize({ ...claims, entries }), result: claim };
    },
    { contentType: 'application/json' },
  );
  return outcome.result;
}

export interface UnclaimResult {
  /** Whether there was an entry for the address at all. */
  readonly entry: boolean;
  /** Whether `caseId` was one of its holders. */
  readonly wasHolder: boolean;
  /** The holders left (empty: the address should leave the list). */
  readonly remaining: readonly string[];
}

/** Removes `caseId` from the holders of `ip`, keeping the entry (possibly empty) until `dropIfUnclaimed`. Idempotent. */
export async function unclaimIp(s3: S3Client, list: S3ObjectLocation, ip: string, caseId: string): Promise<UnclaimResult> {
  const outcome = await editTextObject(
    s3,
    claimsLocation(list),
    (current) => {
      const claims = parseClaims(current.text, list);
      const existing = claims.entries.find((e) => e.ip === ip);
      if (existing === undefined) return { write: false, result: { entry: false, wasHolder: false, remaining: [] } };
      if (!existing.cases.includes(caseId)) return { write: false, result: { entry: true, wasHolder: false, remaining: existing.cases } };
      const remaining = existing.cases.filter((c) => c !== caseId);
      const entries = claims.entries.map((e) => (e === existing ? { ...e, cases: remaining } : e));
      return { write: true, content: serialize({ ...claims, entries }), result: { entry: true, wasHolder: true, remaining } };
    },
    { contentType: 'application/json' },
  );
  return outcome.result;
}

/**
 * Drops the entry of `ip` if nobody holds it; returns the holders otherwise (a case that claimed the address while
 * it was being removed: the caller puts it back on the list).
 */
export async function dropIfUnclaimed(s3: S3Client, list: S3ObjectLocation, ip: string): Promise<{ readonly dropped: boolean; readonly holders: readonly string[] }> {
  const outcome = await editTextObject(
    s3,
    claimsLocation(list),
    (current) => {
      const claims = parseClaims(current.text, list);
      const existing = claims.entries.find((e) => e.ip === ip);
      if (existing === undefined) return { write: false, result: { dropped: false, holders: [] } };
      if (existing.cases.length > 0) return { write: false, result: { dropped: false, holders: existing.cases } };
      const entries = claims.entries.filter((e) => e !== existing);
      return { write: true, content: serialize({ ...claims, entries }), result: { dropped: true, holders: [] } };
    },
    { contentType: 'application/json' },
  );
  return outcome.result;
}
