/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` loops forever (at full CPU) when the
 * kernel answers ENOENT for a folder whose parent exists, as it does under `/proc/<pid>/`; here each missing level is
 * created once, from the deepest existing ancestor down, and any refusal is one error naming the folder.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EnvironmentError } from './errors.js';

/** Creates `path` and its missing parents. `what` names the folder in the error ("the journal folder"). */
export async function makeDirectory(path: string, what = 'the folder'): Promise<void> {
  const target = resolve(path);
  const fail = (at: string, err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? `${at} is a file, not a folder`
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied at ${at}`
          : code === 'EROFS'
            ? `${at} is on a read-only file system`
            : `mkdir ${at} failed with ${code ?? (err as Error).message}`;
    throw new EnvironmentError(`cannot create ${what} ${target}: ${reason}`, { cause: err });
  };

  // Walk up to the deepest level that exists (bounded by the number of path segments).
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(dir)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a level above is a file; the walk up finds which.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail(dir, err);
      missing.push(dir);
      if (dirname(dir) === dir) fail(dir, err); // not even the root exists
      continue;
    }
    if (!isDirectory) fail(dir, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
    break;
  }

  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (err) {
      // Created by someone else meanwhile: fine if it is a folder.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      fail(dir, err);
    }
  }
}
