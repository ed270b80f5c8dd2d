/**
 * GuardDuty timestamps: top-level ones are ISO-8601 strings; nested `timestamp` members arrive as epoch seconds
 * (fractional) in events and exports, and as ISO strings in AWS CLI output. The model carries ISO strings.
 */

/** Above this an epoch number is taken as milliseconds (1e11 s is year 5138; 1e11 ms is 1973). */
const MS_THRESHOLD = 1e11;
/** Date's own limit (±8.64e15 ms). */
const MAX_MS = 8.64e15;

/** The same nested timestamps recur across findings (a bucket's or cluster's createdAt): a small cache pays. */
const cache = new Map<number, string>();
const CACHE_LIMIT = 2048;

/** ISO string for an epoch number (seconds, or milliseconds when clearly so); undefined when out of Date's range. */
export function epochToIso(epoch: number): string | undefined {
  const hit = cache.get(epoch);
  if (hit !== undefined) return hit;
  if (!Number.isFinite(epoch)) return undefined;
  const ms = Math.abs(epoch) >= MS_THRESHOLD ? epoch : epoch * 1000;
  if (Math.abs(ms) > MAX_MS) return undefined;
  const iso = new Date(Math.round(ms)).toISOString();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(epoch, iso);
  return iso;
}

/**
 * ISO-8601 date and time as GuardDuty and the AWS CLI write them: `2026-08-01T10:23:57Z`, `…57.123Z`,
 * `…57.123000+00:00`; a space for `T` and a missing seconds field or zone are ISO too. Anything else (`"yesterday"`,
 * a bare date, an impossible date) is refused: timestamps go into journal keys and the timeline.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::(?:[0-5]\d|60)(?:\.\d{1,9})?)?(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;

export function isIsoTimestamp(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (leap years included).
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
