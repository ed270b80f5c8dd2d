/**
 * The `tourniquet` command. Thin: parse flags, call the engine, print. Each command lives in `commands/<name>.ts`
 * and registers itself on the program. Exit codes (exit-codes.ts): 0 ok, 1 the run failed, 2 bad input, usage or policy.
 */
import { Command, CommanderError } from 'commander';
import { commanderErrorLine } from './commander-error-line.js';
import { reportError } from './exit-codes.js';
import { registerCommands } from './commands/index.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  let exitCode = 0;
  program
    .name('tourniquet')
    .description('Contain compromised AI workloads on AWS the moment GuardDuty reports them, and keep the evidence.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
      outputError: (s, write) => write(commanderErrorLine(s)),
    });
  registerCommands(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    // One line (no stack trace) and the convention of exit-codes.ts.
    return reportError(err);
  }
  return exitCode;
}
