/** The CLI run in-process, as the tests drive it. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { captureOutput } from './capture-output.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `tourniquet <args>` in-process and returns its exit code and everything it printed. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  const { value, out, err } = await captureOutput(() => main(args));
  return { code: value, out, err };
}

/** The same with `bytes` as its stdin (the in-process CLI reads `process.stdin`). */
export async function runCliWithStdin(bytes: Buffer, args: readonly string[]): Promise<CliRun> {
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', { value: Readable.from([bytes]), configurable: true });
  try {
    return await runCli(args);
  } finally {
    Object.defineProperty(process, 'stdin', saved);
  }
}
