/**
 * The unpacked bytes of a gzip stream up to the point where its data breaks (a corrupt byte, garbage after a complete
 * member, a truncated end). Node's gunzip stream throws away what it unpacked in the call that failed: with 256 KiB
 * output chunks that is up to 256 KiB of complete lines (an export under 256 KiB lost every line). Used only after
 * such a failure, so the normal path pays nothing but keeping references to the compressed chunks it already read.
 */
import { constants, gunzipSync } from 'node:zlib';

/**
 * Gunzips the longest prefix of `compressed` that holds no error and returns its unpacked bytes from offset `from`.
 * `goodPrefix` compressed bytes are known to unpack without error (the failing stream's `bytesWritten`). A prefix that
 * ends inside the data is not an error here (`Z_SYNC_FLUSH` as the final flush), so "unpacks without error" only
 * gets false once the break is inside the prefix: a binary search finds where the data breaks. `maxUnpacked` bounds
 * what one attempt may unpack (a gzip bomb stays bounded); a prefix unpacking past it counts as failing.
 */
export function unpackedBeforeBreak(compressed: Buffer, goodPrefix: number, from: number, maxUnpacked: number): Buffer {
  const attempt = (length: number): Buffer | undefined => {
    try {
      return gunzipSync(compressed.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: maxUnpacked });
    } catch {
      return undefined;
    }
  };
  let lo = Math.min(goodPrefix, compressed.length);
  let best = attempt(lo);
  if (best === undefined) {
    lo = 0;
    best = Buffer.alloc(0);
  }
  let hi = compressed.length;
  const whole = attempt(hi);
  if (whole !== undefined) return whole.subarray(Math.min(from, whole.length));
  // Invariant: the prefix of `lo` bytes unpacks (to `best`), the prefix of `hi` bytes fails.
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const out = attempt(mid);
    if (out === undefined) hi = mid;
    else {
      lo = mid;
      best = out;
    }
  }
  return best.subarray(Math.min(from, best.length));
}
