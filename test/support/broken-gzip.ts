/**
 * Gzip'd JSON Lines that break at a known line: garbage after a complete member, a corrupt byte in the middle (an
 * invalid deflate block type right after a flush point, so the data breaks exactly after the lines before it), and a
 * stream cut at that flush point (truncated). For the tests that every complete line before the break is read,
 * whichever gunzip chunk it was unpacked in.
 */
import { constants, gzipSync } from 'node:zlib';

export type GzipBreak = 'garbage after a complete member' | 'a corrupt byte in the middle' | 'a truncated stream';
export const GZIP_BREAKS: readonly GzipBreak[] = ['garbage after a complete member', 'a corrupt byte in the middle', 'a truncated stream'];

/** The gzip bytes of `lines` (each ended by a newline) broken as `how`; every line is before the break. */
export function brokenGzip(lines: readonly string[], how: GzipBreak): Buffer {
  const text = lines.map((l) => `${l}\n`).join('');
  if (how === 'garbage after a complete member') return Buffer.concat([gzipSync(text), Buffer.from('garbage\n')]);
  // Header and deflate data of the lines, ending at a byte boundary (full flush), without final block or trailer.
  const flushed = gzipSync(text, { finishFlush: constants.Z_FULL_FLUSH });
  if (how === 'a truncated stream') return flushed;
  // 0x07: last block, block type 3 (reserved): zlib stops with "invalid block type"; more (valid-looking) data follows.
  return Buffer.concat([flushed, Buffer.from([0x07]), gzipSync(text).subarray(10)]);
}
