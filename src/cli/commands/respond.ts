import type { Command } from 'commander';
import { readFindings } from '../../findings/read-input.js';
import { MemoryNotifier, renderText } from '../../notify/notification.js';
import { clean, formatDecision, formatIncidentHeader, formatManualSteps, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import type { ReportExit } from './index.js';
import { parseModeFlag, printRejected } from './shared.js';
import { parseWaitSeconds } from '../wait-seconds.js';
import { unfinishedReason } from '../../engine/plan-finished.js';
import type { Handling } from '../../engine/responder.js';

const HANDLING_LABEL: Record<Handling, string> = {
  created: 'new incident',
  escalated: 'worse occurrence: incident escalated',
  appended: 'newer occurrence appended (the incident stays as it is)',
  resumed: 'already seen: the unfinished plan was resumed',
  duplicate: 'already seen (re-delivery): nothing done',
};
import { addInputLimitOptions, cleanScanLines, findingsToHandle, inputLimitsFromFlags, noFindings, type InputLimitFlags } from '../finding-input.js';
import { printBlock, printJson, printLine } from '../print-safe.js';

/** `tourniquet respond <finding>`: run the engine for every finding in a file, folder or stdin. */
export function registerRespondCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    addInputLimitOptions(program
      .command('respond')
      .description('respond to GuardDuty findings: decide, journal, contain (per policy and mode), keep evidence')
      .argument('<finding>', 'finding file (.json, .jsonl, .jsonl.gz), folder, or - for stdin')
      .option('--mode <mode>', 'observe | approve | contain (guardrails can still lower it)')
      .option('--wait-seconds <n>', 'wait this long for steps another live responder holds on the incident (0–600)', '120')
      .option('--json', 'print the outcome as JSON')),
  ).action(async (target: string, flags: RuntimeFlags & InputLimitFlags & { mode?: string; json?: boolean; waitSeconds?: string }) => {
    const mode = parseModeFlag(flags.mode);
    const waitMs = parseWaitSeconds(flags.waitSeconds) * 1000;
    const batch = await readFindings(target, { limits: inputLimitsFromFlags(flags) });
    printRejected(batch.rejected);
    // Nothing to respond to: no journal is opened (nor created).
    for (const l of cleanScanLines(batch)) process.stderr.write(`${l}\n`);
    const none = noFindings(target, batch);
    if (none !== undefined) {
      if (none.line !== undefined) process.stderr.write(`${none.line}\n`);
      return exit(none.code);
    }
    const findings = findingsToHandle(batch);
    const notifier = new MemoryNotifier();
    const runtime = await openRuntime(flags, notifier);
    try {
      const results = [];
      for (const finding of findings) {
        const result = await runtime.responder.respond(finding, mode, { waitMs });
        results.push(result);
        if (flags.json) continue;
        for (const o of result.outcomes) {
          const incident = await runtime.responder.getIncident(o.incidentId);
          const label = HANDLING_LABEL[o.handling];
          printLine(`${finding.type.raw} ${finding.id} → ${label}`);
          for (const l of formatIncidentHeader(incident)) printLine(l);
          for (const l of formatDecision(o.decision)) printLine(l);
          printLine('  steps:');
          for (const l of formatPlan(incident.plan, o.steps)) printLine(l);
          for (const l of formatManualSteps(incident.plan)) printLine(l);
          const unfinished = unfinishedReason(o.status, o.steps);
          if (unfinished !== undefined) printLine(`  unfinished: ${clean(unfinished)}; \`tourniquet resume ${o.incidentId}\` continues it`);
          printLine();
        }
      }
      if (flags.json) printJson(results);
      else for (const n of notifier.sent) printBlock([...renderText(n).split('\n'), '']);
      const failed = results.some((r) => r.outcomes.some((o) => o.status === 'partial' || o.status === 'in-progress'));
      exit(batch.rejected.length > 0 ? 2 : failed ? 1 : 0);
    } finally {
      await runtime.close();
    }
  });
}
