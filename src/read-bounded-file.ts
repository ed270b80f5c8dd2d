/**
 * Reads a small file a user names (a policy) with a bound: `readFile` of a device such as `/dev/zero`, or of a
 * mistaken multi-gigabyte path, never ends or takes the process's memory. A FIFO (`<(…)` process substitution) is
 * read like a file, up to the bound.
 */
import { open } from 'node:fs/promises';
import { formatBytes } from './findings/input-limits.js';

/** The path is a device or socket: not read (a device such as `/dev/zero` never ends). */
export class NotAFileError extends Error {
  override readonly name = 'NotAFileError';
  constructor() {
    super('not a file: a device');
  }
}

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`larger than ${formatBytes(maxBytes)}`);
  }
}

/** The file's bytes; throws NotAFileError for a device, FileTooLargeError past `maxBytes`, the fs error (with its `code`) otherwise. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (info.isCharacterDevice() || info.isBlockDevice() || info.isSocket()) {
      throw new NotAFileError();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new FileTooLargeError(maxBytes);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
