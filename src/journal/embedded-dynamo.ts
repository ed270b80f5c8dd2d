/**
 * An in-process DynamoDB emulator (dynalite) on a free loopback port, so the journal runs with no AWS account and no
 * extra service: in memory by default, on disk (LevelDB) with a path. It serves the real DynamoDB API, so the journal
 * code is the same one that runs against a table.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import dynalite from 'dynalite';
import { EnvironmentError } from '../errors.js';

export interface EmbeddedDynamo {
  readonly endpoint: string;
  /** Stops the server and closes the store. */
  close(): Promise<void>;
}

export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const path = options.path === undefined ? undefined : resolve(options.path);
  if (path !== undefined) {
    try {
      await mkdir(path, { recursive: true });
    } catch (err) {
      throw new EnvironmentError(`cannot create the journal folder ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  // LevelDB allows one process per folder, and a second one would hang rather than fail: take our own lock first.
  const releaseLock = path !== undefined ? await lockFolder(path) : async () => undefined;
  // Tables become ACTIVE at once: no waiting on start.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path !== undefined ? { path } : {}) });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port, so there is no check-then-bind race.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new EnvironmentError('the embedded journal got no TCP port'));
      else resolvePort(address.port);
    });
  }).catch(async (err: unknown) => {
    await releaseLock();
    throw new EnvironmentError(`could not start the embedded journal: ${(err as Error).message}`, { cause: err });
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((done, fail) => {
        server.close((err) => (err ? fail(new EnvironmentError(`the embedded journal did not close cleanly: ${err.message}`, { cause: err })) : done()));
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      }).finally(releaseLock)),
  };
}

const LOCK_FILE = 'tourniquet.lock';

/** Creates `<folder>/tourniquet.lock` holding our pid; a lock left by a process that no longer runs is taken over. */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const lockPath = join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(lockPath).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvironmentError(`cannot lock the journal folder ${folder}: ${(err as Error).message}`, { cause: err });
      }
    }
    const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new EnvironmentError(
        `the journal at ${folder} is in use by process ${holder} (another tourniquet command?); wait for it, or use another --journal-path`,
      );
    }
    // Stale (its process is gone) or unreadable: take it over.
    await unlink(lockPath).catch(() => undefined);
  }
  throw new EnvironmentError(`could not lock the journal folder ${folder}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
