import type { Command } from 'commander';
import { formatManualSteps, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import { requireJournal } from '../require-journal.js';
import type { ReportExit } from './index.js';
import { whoAmI } from './who-am-i.js';
import { printLine } from '../print-safe.js';

/** `tourniquet approve <incident> [--step id]` and `tourniquet deny <incident> [--step id]`. */
export function registerApproveCommands(program: Command, exit: ReportExit): void {
  for (const verb of ['approve', 'deny'] as const) {
    addRuntimeOptions(
      program
        .command(verb)
        .description(verb === 'approve' ? 'approve the waiting containment steps and continue the plan (destructive steps only one by one, with --step)' : 'deny waiting steps (all, or one with --step); their dependents are skipped')
        .argument('<incident>', 'incident id')
        .option('--step <id>', 'only this step')
        .option('--by <name>', 'who decides (default: $USER)')
        .option('--reason <text>', 'why'),
    ).action(async (incidentId: string, flags: RuntimeFlags & { step?: string; by?: string; reason?: string }) => {
      await requireJournal(incidentId, flags);
      const runtime = await openRuntime(flags);
      try {
        const request = { stepId: flags.step, by: flags.by ?? whoAmI(), reason: flags.reason };
        const result =
          verb === 'approve' ? await runtime.responder.approve(incidentId, request) : await runtime.responder.deny(incidentId, request);
        const names = 'approved' in result ? result.approved : result.denied;
        printLine(`${verb === 'approve' ? 'approved' : 'denied'}: ${names.join(', ')}`);
        const incident = await runtime.responder.getIncident(incidentId);
        printLine(`incident ${incidentId}: ${result.status}`);
        for (const l of formatPlan(incident.plan, result.steps)) printLine(l);
        for (const l of formatManualSteps(incident.plan)) printLine(l);
        exit(result.status === 'partial' ? 1 : 0);
      } finally {
        await runtime.close();
      }
    });
  }
}
