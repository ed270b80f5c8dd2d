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
