/**
 * The `tourniquet` CLI as a separate OS process (bin/tourniquet.js through node), for tests that kill it at a known
 * point or race two of them: what an operator's shell would run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tourniquet.js', import.meta.url));

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

export interface CliChild {
  readonly child: ChildProcess;
  readonly exited: Promise<CliExit>;
  /** SIGKILL (kill -9: no cleanup, no journal writes, its lock file stays) and wait for it to be gone. */
  kill(): Promise<CliExit>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliChild {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<CliExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, out, err })));
  return {
    child,
    exited,
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

export async function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliExit> {
  return spawnCli(args, env).exited;
}

/** Resolves with `waitFor`, or rejects with the child's output if the child ends first. */
export async function beforeExit<T>(cli: CliChild, waitFor: Promise<T>): Promise<T> {
  return Promise.race([
    waitFor,
    cli.exited.then((e) => {
      throw new Error(`the CLI ended (code ${String(e.code)}) before the expected point:\n${e.out}\n${e.err}`);
    }),
  ]);
}
