/**
 * One process per embedded-journal folder (LevelDB allows one, and a second one fails later with "Database is
 * closed"). The lock must also be taken over when its holder died (kill -9, a crash), and two processes finding the
 * same stale lock must not both win.
 *
 * Deleting a stale lock and creating a new one is racy (the second process deletes the first one's fresh lock), so
 * stale locks are never deleted. A lock is a generation file, `tourniquet.lock.<n>`, holding the holder's pid; the
 * current lock is the highest generation. Taking over a stale generation `n` means creating generation `n + 1`, which
 * only one process can do (a hard link fails if the name exists, and the file is complete the moment it appears).
 * On release the holder deletes its own generation; a crash leaves one small stale file behind.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';

const PREFIX = 'tourniquet.lock';
const GENERATION = /^tourniquet\.lock\.(\d{1,15})$/;
/** Lost claims in a row before giving up (each one means another process just took the lock). */
const MAX_CLAIMS = 20;

/** Locks held by this process (a stale lock may carry our pid, left by an earlier process with the same pid). */
const heldHere = new Set<string>();

export interface LockFolderOptions {
  /** Whether a pid belongs to a running process (tests). */
  readonly isRunning?: (pid: number) => boolean;
}

/** Takes the folder's lock; returns the function that releases it. Throws when a live process holds it. */
export async function lockFolder(folder: string, options: LockFolderOptions = {}): Promise<() => Promise<void>> {
  const alive = options.isRunning ?? isRunning;
  const failed = (action: string, err: unknown): EnvironmentError =>
    new EnvironmentError(`cannot lock the journal folder ${folder}: ${action} failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      cause: err,
    });
  const inUse = (pid: number): EnvironmentError =>
    new EnvironmentError(`the journal at ${folder} is in use by process ${pid} (another tourniquet command?); wait for it, or use another --journal-path`);

  for (let claim = 0; claim < MAX_CLAIMS; claim++) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      throw failed('reading the folder', err);
    }
    // A lock file of an earlier version (one fixed name): respected while its process runs, otherwise ignored.
    if (names.includes(PREFIX)) {
      const legacy = await holderOf(join(folder, PREFIX));
      if (legacy !== undefined && legacy !== process.pid && alive(legacy)) throw inUse(legacy);
    }
    const top = Math.max(0, ...names.map((n) => GENERATION.exec(n)?.[1]).filter((g): g is string => g !== undefined).map(Number));
    if (top > 0) {
      const topPath = join(folder, `${PREFIX}.${top}`);
      const holder = await holderOf(topPath);
      if (holder === undefined) continue; // released while we looked: look again
      if (heldHere.has(topPath) || (holder !== process.pid && alive(holder))) throw inUse(holder);
    }
    const mine = join(folder, `${PREFIX}.${top + 1}`);
    const temp = join(folder, `${PREFIX}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(temp, String(process.pid), { flag: 'wx' });
    } catch (err) {
      throw failed('writing the lock file', err);
    }
    let claimed = false;
    try {
      await link(temp, mine);
      claimed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw failed('creating the lock', err);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    if (!claimed) continue; // another process claimed this generation first: look again
    heldHere.add(mine);
    let released: Promise<void> | undefined;
    return () =>
      (released ??= (async () => {
        heldHere.delete(mine);
        await unlink(mine).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw failed('removing the lock', err);
        });
      })());
  }
  throw new EnvironmentError(`could not lock the journal folder ${folder}: other processes kept taking it`);
}

/** The pid in a lock file; undefined when the file is gone; 0 when it holds no pid (never written by us). */
async function holderOf(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError(`cannot read the journal lock ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

function isRunning(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
