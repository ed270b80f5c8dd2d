import type { Command } from 'commander';
import { formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import type { ReportExit } from './index.js';
import { whoAmI } from './who-am-i.js';
import { printLine } from '../print-safe.js';

/** `tourniquet release <incident> --reason "…"`: restore every pre-image in reverse order. */
export function registerReleaseCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('release')
      .description('release an incident: restore everything it changed from the recorded pre-images, in reverse order')
      .argument('<incident>', 'incident id')
      .requiredOption('--reason <text>', 'why it is released (recorded)')
      .option('--by <name>', 'who releases (default: $USER)'),
  ).action(async (incidentId: string, flags: RuntimeFlags & { reason: string; by?: string }) => {
    const runtime = await openRuntime(flags);
    try {
      const result = await runtime.responder.release(incidentId, { by: flags.by ?? whoAmI(), reason: flags.reason });
      printLine(`incident ${incidentId}: ${result.incident.status}`);
      printLine(`  restored: ${result.released.join(', ') || '(nothing had changed)'}`);
      if (result.cancelled.length) printLine(`  cancelled (were waiting): ${result.cancelled.join(', ')}`);
      for (const f of result.failed) printLine(`  FAILED to restore ${f.stepId}: ${f.error}`);
      for (const l of formatPlan(result.incident.plan, await runtime.journal.getSteps(incidentId))) printLine(l);
      exit(result.failed.length ? 1 : 0);
    } finally {
      await runtime.close();
    }
  });
}
