import type { Command } from 'commander';
import { EnvironmentError } from '../../errors.js';
import { runGpuFleetDemo } from '../gpu-fleet-demo.js';
import type { ReportExit } from './index.js';

/** `tourniquet demo` (= `npm start`): the whole path against moto_server, with the state read back. */
export function registerDemoCommand(program: Command, exit: ReportExit): void {
  program
    .command('demo')
    .description('sandbox demo: contain a crypto-mining GPU instance in an emulated AWS (moto_server), prove it, release it')
    .option('--evidence-dir <dir>', 'where the case evidence goes (default: a temporary folder)')
    .action(async (flags: { evidenceDir?: string }) => {
      try {
        const { ok } = await runGpuFleetDemo({ evidenceDir: flags.evidenceDir });
        exit(ok ? 0 : 1);
      } catch (err) {
        if (err instanceof EnvironmentError) {
          process.stderr.write(`tourniquet demo: ${err.message}\n`);
          exit(1);
          return;
        }
        throw err;
      }
    });
}
