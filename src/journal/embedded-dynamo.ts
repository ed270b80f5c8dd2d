/**
 * An in-process DynamoDB emulator (dynalite) on a free loopback port, so the journal runs with no AWS account and no
 * extra service: in memory by default, on disk (LevelDB) with a path. It serves the real DynamoDB API, so the journal
 * code is the same one that runs against a table.
 */
import { resolve } from 'node:path';
import dynalite from 'dynalite';
import { EnvironmentError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';
import { lockFolder } from './folder-lock.js';

export interface EmbeddedDynamo {
  readonly endpoint: string;
  /** Stops the server and closes the store. */
  close(): Promise<void>;
}

export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const path = options.path === undefined ? undefined : resolve(options.path);
  if (path !== undefined) await makeDirectory(path, 'the journal folder');
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
