/**
 * An in-process DynamoDB emulator (dynalite) on a free loopback port, so the journal runs with no AWS account and no
 * extra service: in memory by default, on disk (LevelDB) with a path. It serves the real DynamoDB API, so the journal
 * code is the same one that runs against a table.
 *
 * The emulator runs in a worker thread of this process: each journal call costs it ~2–4 ms of CPU (request parsing,
 * expression parsing, the store), which on the engine's thread was most of a burst's time (`bench:burst`: 0.49 of the
 * rate-limit floor with it on the main thread, 0.64 in a worker, quiet 2-core machine). As with a deployed table, the
 * journal's own work is then not the engine's; a crash or Ctrl-C still ends both at once, as before.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EnvironmentError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';
import { lockFolder } from './folder-lock.js';

export interface EmbeddedDynamo {
  readonly endpoint: string;
  /** Stops the server and closes the store. */
  close(): Promise<void>;
}

/** Messages from the worker: its port once listening, a failure, or the server closed. */
type WorkerMessage = { readonly port: number } | { readonly error: string } | { readonly closed: true; readonly error?: string };

// CommonJS run by the worker (eval: no file to locate, with or without tsx). dynalite's path is resolved here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.dynalite)(workerData.options);
server.once('error', (err) => parentPort.postMessage({ error: err.message }));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  parentPort.postMessage(address === null || typeof address === 'string' ? { error: 'no TCP port' } : { port: address.port });
});
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  // Stops accepting, ends the requests in flight, then closes the store.
  server.close((err) => parentPort.postMessage(err ? { closed: true, error: err.message } : { closed: true }));
  // Idle keep-alive sockets would otherwise hold close() open until they time out.
  server.closeIdleConnections();
});
`;

export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const path = options.path === undefined ? undefined : resolve(options.path);
  if (path !== undefined) await makeDirectory(path, 'the journal folder');
  // LevelDB allows one process per folder, and a second one would hang rather than fail: take our own lock first.
  const releaseLock = path !== undefined ? await lockFolder(path) : async () => undefined;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dynalite: createRequire(import.meta.url).resolve('dynalite'),
      // Tables become ACTIVE at once: no waiting on start.
      options: { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path !== undefined ? { path } : {}) },
    },
  });
  // A failure of the worker after it started (it should not happen): kept, so close() reports it instead of a
  // journal call's bare "connection refused" being all that is said.
  let died: Error | undefined;
  const port = await new Promise<number>((resolvePort, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      settle();
      if ('port' in message) resolvePort(message.port);
      else reject(new Error(message.error));
    };
    const onError = (err: Error): void => (settle(), reject(err));
    const onExit = (code: number): void => (settle(), reject(new Error(`its thread ended (exit code ${code})`)));
    // Only our own listeners: removeAllListeners() would also drop the ones Node uses to keep the thread referenced.
    const settle = (): void => void worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    await releaseLock();
    throw new EnvironmentError(`could not start the embedded journal: ${(err as Error).message}`, { cause: err });
  });
  let exited = false;
  worker.on('error', (err) => (died = err)).on('exit', () => (exited = true));
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((done, fail) => {
        if (died !== undefined || exited) {
          fail(new EnvironmentError(`the embedded journal's thread ended before it was closed${died ? `: ${died.message}` : ''}`, { cause: died }));
          return;
        }
        worker.once('message', (message: WorkerMessage) =>
          'error' in message && message.error !== undefined
            ? fail(new EnvironmentError(`the embedded journal did not close cleanly: ${message.error}`))
            : done(),
        );
        worker.once('exit', () => fail(new EnvironmentError(`the embedded journal's thread ended before it was closed${died ? `: ${died.message}` : ''}`, { cause: died })));
        worker.postMessage('close');
      })
        .finally(() => worker.terminate())
        .finally(releaseLock)),
  };
}
