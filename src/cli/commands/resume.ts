import type { Command } from 'commander';
import { unfinishedReason } from '../../engine/plan-finished.js';
import { clean, formatManualSteps, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import { requireJournal } from '../require-journal.js';
import { parseWaitSeconds } from '../wait-seconds.js';
import type { ReportExit } from './index.js';
import { printJson, printLine } from '../print-safe.js';

/**
 * `tourniquet resume <incident>`: runs what is left of an incident's plan by hand — after a crash (steps left running
 * by a responder that is gone are taken over, their journaled pre-images kept), or once the cause of a failure is
 * fixed (failed steps run again unless --no-retry-failed).
 */
export function registerResumeCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('resume')
      .description('run what is left of an incident\'s plan: steps left running by a responder that stopped, failed steps, what waited behind them')
      .argument('<incident>', 'incident id')
      .option('--no-retry-failed', 'leave failed steps as they are (default: run them again)')
      .option('--wait-seconds <n>', 'wait this long for steps another live responder holds (0–600)', '120')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (incidentId: string, flags: RuntimeFlags & { retryFailed: boolean; waitSeconds?: string; json?: boolean }) => {
    const waitMs = parseWaitSeconds(flags.waitSeconds) * 1000;
    await requireJournal(incidentId, flags);
    const runtime = await openRuntime(flags);
    try {
      const result = await runtime.responder.resume(incidentId, { retryFailed: flags.retryFailed, waitMs });
      const unfinished = unfinishedReason(result.status, result.steps);
      if (flags.json) {
        printJson({ incidentId, ...result, ...(unfinished !== undefined ? { unfinished } : {}) });
      } else {
        const incident = await runtime.responder.getIncident(incidentId);
        printLine(`incident ${incidentId}: ${result.status}${result.progressed ? '' : ' (nothing was left to run)'}`);
        if (unfinished !== undefined) printLine(`  unfinished: ${clean(unfinished)}`);
        for (const u of result.undecided) printLine(`  never decided (respond to the finding again): ${clean(u)}`);
        for (const l of formatPlan(incident.plan, result.steps)) printLine(l);
        for (const l of formatManualSteps(incident.plan)) printLine(l);
      }
      exit(result.status === 'partial' || result.status === 'in-progress' ? 1 : 0);
    } finally {
      await runtime.close();
    }
  });
}
