/**
 * An in-process DynamoDB emulator (dynalite) on a free loopback port, so the journal runs with no AWS account and no
 * extra service: in memory by default, on disk (LevelDB) with a path. It serves the real DynamoDB API, so the journal
 * code is the same one that runs against a table.
 *
 * The emulator runs in a worker thread of this process: each journal call costs it ~1–4 ms of CPU (request parsing,
 * expression parsing, the store), which on the engine's thread was most of a burst's time (`bench:burst`, quiet
 * 2-core machine, same half hour: 0.35–0.51 of the rate-limit floor on the main thread, 0.60–0.63 in this thread). As with a
 * deployed table, the journal's own work is then not the engine's; a crash or Ctrl-C still ends both at once.
 * One worker serves every embedded journal the process opens (each its own server and port), so the emulator's code
 * is compiled once a process, as it was on the main thread; idle, the worker does not keep the process alive.
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

/** Messages from the worker about server `id`: its port once listening, a failure to start, or the server closed. */
type WorkerMessage = { readonly id: number } & ({ readonly port: number } | { readonly error: string } | { readonly closed: true; readonly error?: string });

// CommonJS run by the worker (eval: no file to locate, with or without tsx). dynalite's path is resolved here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const servers = new Map();
parentPort.on('message', ({ op, id, options }) => {
  if (op === 'open') {
    const server = dynalite(options);
    const failedToStart = (err) => parentPort.postMessage({ id, error: err.message });
    server.once('error', failedToStart);
    server.listen(0, '127.0.0.1', () => {
      // A later error is not a start's: left uncaught, it ends this thread, and the main thread reports it.
      server.off('error', failedToStart);
      servers.set(id, server);
      const address = server.address();
      parentPort.postMessage(address === null || typeof address === 'string' ? { id, error: 'no TCP port' } : { id, port: address.port });
    });
  } else if (op === 'close') {
    const server = servers.get(id);
    if (server === undefined) return parentPort.postMessage({ id, closed: true });
    servers.delete(id);
    // Stops accepting, ends the requests in flight, then closes the store.
    server.close((err) => parentPort.postMessage(err ? { id, closed: true, error: err.message } : { id, closed: true }));
    // Idle keep-alive sockets would otherwise hold close() open until they time out.
    server.closeIdleConnections();
  }
});
`;

/** The process's emulator thread, while it runs. */
interface EmulatorThread {
  readonly worker: Worker;
  /** Servers starting or started and not yet closed: while there are any, the thread keeps the process alive. */
  open: number;
  /** Servers started and not yet closed: a journal in use, whose failure is the process's. */
  serving: number;
  nextId: number;
  readonly waiting: Map<number, (message: WorkerMessage) => void>;
  /** Why the thread ended, once it has. */
  ended?: Error;
}

let thread: EmulatorThread | undefined;

function emulatorThread(): EmulatorThread {
  if (thread !== undefined && thread.ended === undefined) return thread;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dynalite: createRequire(import.meta.url).resolve('dynalite') } });
  } catch (err) {
    // dynalite not installed (a bundle without it): said as the journal's, not as a bare module error.
    throw new EnvironmentError(`could not start the embedded journal: ${(err as Error).message}`, { cause: err });
  }
  worker.unref();
  const t: EmulatorThread = { worker, open: 0, serving: 0, nextId: 1, waiting: new Map() };
  worker.on('message', (message: WorkerMessage) => t.waiting.get(message.id)?.(message));
  const end = (err: Error): void => {
    if (t.ended !== undefined) return;
    t.ended = err;
    if (thread === t) thread = undefined;
    for (const answer of t.waiting.values()) answer({ id: 0, error: err.message });
    t.waiting.clear();
    // A store failed in its own callback (LevelDB on a full disk: "Database is closed"), ending the thread. As when
    // dynalite ran on the main thread, that ends the process with the store's error (bin/tourniquet.js prints it as
    // one line), rather than each later journal call failing with a bare "connection refused" that names nothing.
    if (t.serving > 0) {
      process.nextTick(() => {
        throw new EnvironmentError(`the embedded journal failed: ${err.message}`, { cause: err });
      });
    }
  };
  worker.on('error', end).on('exit', (code) => end(new Error(`its thread ended (exit code ${code})`)));
  thread = t;
  return t;
}

/** Sends `op` for server `id` and waits for the worker's answer about it. */
function ask(t: EmulatorThread, id: number, op: 'open' | 'close', options?: object): Promise<WorkerMessage> {
  if (t.ended !== undefined) return Promise.resolve({ id, error: t.ended.message });
  return new Promise((answered) => {
    t.waiting.set(id, (message) => {
      t.waiting.delete(id);
      answered(message);
    });
    t.worker.postMessage({ op, id, options });
  });
}

export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const path = options.path === undefined ? undefined : resolve(options.path);
  if (path !== undefined) await makeDirectory(path, 'the journal folder');
  const t = emulatorThread();
  // LevelDB allows one process per folder, and a second one would hang rather than fail: take our own lock first.
  const releaseLock = path !== undefined ? await lockFolder(path) : async () => undefined;
  const id = t.nextId++;
  if (t.open++ === 0) t.worker.ref();
  const release = (): void => {
    if (--t.open === 0) t.worker.unref();
  };
  // Tables become ACTIVE at once: no waiting on start.
  const started = await ask(t, id, 'open', { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path !== undefined ? { path } : {}) });
  if (!('port' in started)) {
    release();
    await releaseLock();
    throw new EnvironmentError(`could not start the embedded journal: ${'error' in started ? started.error : 'no answer'}`);
  }
  t.serving++;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    close: () =>
      (closing ??= ask(t, id, 'close')
        .then((answer) => {
          if ('error' in answer && answer.error !== undefined) {
            throw new EnvironmentError(
              t.ended !== undefined ? `the embedded journal's thread ended before it was closed: ${answer.error}` : `the embedded journal did not close cleanly: ${answer.error}`,
              { cause: t.ended },
            );
          }
        })
        .finally(() => {
          t.serving--;
          release();
        })
        .finally(releaseLock)),
  };
}
