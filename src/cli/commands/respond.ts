import type { Command } from 'commander';
import { readFindings } from '../../findings/read-input.js';
import type { Finding } from '../../findings/model.js';
import { MemoryNotifier, renderText } from '../../notify/notification.js';
import { formatDecision, formatIncidentHeader, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import type { ReportExit } from './index.js';
import { parseModeFlag, printRejected } from './shared.js';
import { printBlock, printJson, printLine } from '../print-safe.js';

/** `tourniquet respond <finding>`: run the engine for every finding in a file, folder or stdin. */
export function registerRespondCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('respond')
      .description('respond to GuardDuty findings: decide, journal, contain (per policy and mode), keep evidence')
      .argument('<finding>', 'finding file (.json, .jsonl, .jsonl.gz), folder, or - for stdin')
      .option('--mode <mode>', 'observe | approve | contain (guardrails can still lower it)')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (target: string, flags: RuntimeFlags & { mode?: string; json?: boolean }) => {
    const mode = parseModeFlag(flags.mode);
    const batch = await readFindings(target);
    printRejected(batch.rejected);
    const findings = batch.records.filter((r): r is Finding => r.kind === 'finding');
    const notifier = new MemoryNotifier();
    const runtime = await openRuntime(flags, notifier);
    try {
      const results = [];
      for (const finding of findings) {
        const result = await runtime.responder.respond(finding, mode);
        results.push(result);
        if (flags.json) continue;
        for (const o of result.outcomes) {
          const incident = await runtime.responder.getIncident(o.incidentId);
          const label = o.duplicate ? 'already seen (re-delivery): nothing done' : o.created ? 'new incident' : 'newer occurrence appended';
          printLine(`${finding.type.raw} ${finding.id} → ${label}`);
          for (const l of formatIncidentHeader(incident)) printLine(l);
          for (const l of formatDecision(o.decision)) printLine(l);
          printLine('  steps:');
          for (const l of formatPlan(incident.plan, o.steps)) printLine(l);
          printLine();
        }
      }
      if (flags.json) printJson(results);
      else for (const n of notifier.sent) printBlock([...renderText(n).split('\n'), '']);
      const failed = results.some((r) => r.outcomes.some((o) => o.status === 'partial'));
      exit(batch.rejected.length > 0 ? 2 : failed ? 1 : 0);
    } finally {
      await runtime.close();
    }
  });
}
