import type { Command } from 'commander';
import { clean, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import { requireJournal } from '../require-journal.js';
import type { ReportExit } from './index.js';
import { whoAmI } from './who-am-i.js';
import { printLine } from '../print-safe.js';

/**
 * `tourniquet release <incident> --reason "…"`: restore every pre-image in reverse order. Exit 0 when everything was
 * restored (`released`), 1 when something was not (`release-failed`, `release-partial`), listing what.
 */
export function registerReleaseCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('release')
      .description('release an incident: restore everything it may have changed from the recorded pre-images, in reverse order (again after a partial or failed release)')
      .argument('<incident>', 'incident id')
      .requiredOption('--reason <text>', 'why it is released (recorded)')
      .option('--by <name>', 'who releases (default: $USER)'),
  ).action(async (incidentId: string, flags: RuntimeFlags & { reason: string; by?: string }) => {
    await requireJournal(incidentId, flags);
    const runtime = await openRuntime(flags);
    try {
      const result = await runtime.responder.release(incidentId, { by: flags.by ?? whoAmI(), reason: flags.reason });
      printLine(`incident ${incidentId}: ${result.incident.status}`);
      printLine(`  restored: ${result.released.join(', ') || '(nothing had changed)'}`);
      if (result.cancelled.length) printLine(`  cancelled (were waiting, or had not changed anything yet): ${result.cancelled.join(', ')}`);
      for (const k of result.kept) printLine(`  kept ${k.stepId}: ${clean(k.why)}`);
      for (const l of result.left) printLine(`  NOT restored ${l.stepId}: ${clean(l.why)}`);
      for (const f of result.failed) printLine(`  FAILED to restore ${f.stepId}: ${clean(f.error)}`);
      for (const n of result.notes) printLine(`  note: ${clean(n)}`);
      if (result.failed.length) printLine(`  run \`tourniquet release ${incidentId} --reason …\` again to retry what failed`);
      for (const l of formatPlan(result.incident.plan, await runtime.journal.getSteps(incidentId))) printLine(l);
      // Anything not restored (failed, or left without a pre-image) is a non-zero exit: the release is not complete.
      exit(result.failed.length || result.left.length ? 1 : 0);
    } finally {
      await runtime.close();
    }
  });
}
