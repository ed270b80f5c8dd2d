/** The CLI run in-process, as the tests drive it. */
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
