/**
 * Writes the report where `report` was told to (or its default path), with one line naming the path when it cannot:
 * a path that can never be written (a folder, a file in the way, no permission, a link loop) is bad input (exit 2);
 * anything else (a full disk, an I/O error) is a failed run (exit 1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TourniquetError, UsageError } from '../errors.js';

const DESTINATION_CODES: Readonly<Record<string, string>> = {
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'a symbolic link loop',
  EROFS: 'a read-only file system',
  ENAMETOOLONG: 'the name is too long',
};

export async function writeReportFile(path: string, text: string, flag: string | undefined): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = DESTINATION_CODES[code];
    const where = `${flag !== undefined ? `${flag} ` : ''}${JSON.stringify(path)}`;
    if (why !== undefined) throw new UsageError(`cannot write the report to ${where}: ${why} (${code})`);
    throw new TourniquetError('evidence.write', `cannot write the report to ${where}: ${(err as Error).message}`, { cause: err });
  }
}
