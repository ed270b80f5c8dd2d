/**
 * The `tourniquet` command. Thin: parse flags, call the engine, print. Each command lives in `commands/<name>.ts`
 * and registers itself on the program. Exit codes: 0 ok, 1 failure, 2 some input rejected / usage error.
 */
import { Command, CommanderError } from 'commander';
import { TourniquetError } from '../errors.js';
import { registerCommands } from './commands/index.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  let exitCode = 0;
  program
    .name('tourniquet')
    .description('Contain compromised AI workloads on AWS the moment GuardDuty reports them, and keep the evidence.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
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
    if (err instanceof TourniquetError) {
      process.stderr.write(`tourniquet: ${err.message}\n`);
      return err.code === 'usage' ? 2 : 1;
    }
    throw err;
  }
  return exitCode;
}
