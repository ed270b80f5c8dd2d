/**
 * Starts `moto_server` (a real AWS API emulator) on a free loopback port, for the tests and the demo.
 * We pick the port ourselves, then check that the server answering is the process we started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { EnvironmentError } from '../errors.js';

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Wipes every emulated resource (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  'moto_server was not found. Tourniquet uses it as a local stand-in for AWS. Install it with:\n' +
  '  pip install "moto[server]"\n' +
  'then run the command again.';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new EnvironmentError('could not allocate a loopback port'));
        return;
      }
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartMotoOptions {
  /** Executable to run (default `moto_server`, or `$TOURNIQUET_MOTO_SERVER`). */
  readonly command?: string;
  /** How long to wait for it to answer (default 30 s). */
  readonly timeoutMs?: number;
  /** Extra environment, e.g. `MOTO_IAM_LOAD_MANAGED_POLICIES`. */
  readonly env?: Record<string, string>;
}

export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = options.command ?? process.env.TOURNIQUET_MOTO_SERVER ?? 'moto_server';
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const endpoint = `http://127.0.0.1:${port}`;
    const ready = await waitReady(endpoint, child, timeoutMs, spawnError, exited);
    if (ready === 'ok') {
      return {
        endpoint,
        port,
        reset: async () => {
          const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          if (!res.ok) throw new EnvironmentError(`moto reset failed: HTTP ${res.status}`);
        },
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
    if (ready instanceof Error) {
      if ((ready as NodeJS.ErrnoException).code === 'ENOENT') throw new EnvironmentError(MOTO_INSTALL_HINT, { cause: ready });
      throw new EnvironmentError(`could not start ${command}: ${ready.message}`, { cause: ready });
    }
    if (ready === 'timeout') throw new EnvironmentError(`${command} did not answer on ${endpoint} within ${timeoutMs} ms\n${stderr}`);
    // 'exited': most likely the port was taken between our check and its bind; try another port.
    if (attempt === 2) throw new EnvironmentError(`${command} exited before answering:\n${stderr}`);
  }
  throw new EnvironmentError('unreachable');
}

async function waitReady(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  spawnError: Promise<Error>,
  exited: Promise<number | null>,
): Promise<'ok' | 'timeout' | 'exited' | Error> {
  const deadline = Date.now() + timeoutMs;
  let done: 'exited' | Error | undefined;
  void spawnError.then((e) => (done = e));
  void exited.then(() => (done ??= 'exited'));
  while (Date.now() < deadline) {
    if (done !== undefined) return done;
    try {
      // moto's own API answers only on a moto server; the pid check makes sure it is the process we started.
      const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && child.exitCode === null && child.pid !== undefined) return 'ok';
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return 'timeout';
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
