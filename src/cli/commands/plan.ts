import type { Command } from 'commander';
import { readFindings } from '../../findings/read-input.js';
import { formatDecision, formatManualSteps, formatPlan } from '../print-incident.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import type { ReportExit } from './index.js';
import { parseModeFlag, printRejected } from './shared.js';
import { addInputLimitOptions, cleanScanLines, findingsToHandle, inputLimitsFromFlags, noFindings, type InputLimitFlags } from '../finding-input.js';
import { printJson, printLine } from '../print-safe.js';

/** `tourniquet plan <finding>`: what would happen and why, guardrail by guardrail. Touches neither AWS nor the journal. */
export function registerPlanCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    addInputLimitOptions(program
      .command('plan')
      .description('show what would happen for a finding and why, guardrail by guardrail (no AWS calls, no journal writes)')
      .argument('<finding>', 'finding file, folder, or - for stdin')
      .option('--mode <mode>', 'observe | approve | contain')
      .option('--json', 'print the plans as JSON')),
  ).action(async (target: string, flags: RuntimeFlags & InputLimitFlags & { mode?: string; json?: boolean }) => {
    const mode = parseModeFlag(flags.mode);
    const batch = await readFindings(target, { limits: inputLimitsFromFlags(flags) });
    printRejected(batch.rejected);
    for (const l of cleanScanLines(batch)) process.stderr.write(`${l}\n`);
    const none = noFindings(target, batch);
    if (none !== undefined) {
      if (none.line !== undefined) process.stderr.write(`${none.line}\n`);
      return exit(none.code);
    }
    // plan reads nothing from the journal and writes nothing: an in-memory one, so no state folder is created.
    const runtime = await openRuntime({ ...flags, journalPath: ':memory:', journalTable: undefined });
    try {
      const out = [];
      for (const finding of findingsToHandle(batch)) {
        const plans = runtime.responder.plan(finding, mode);
        out.push({ findingId: finding.id, type: finding.type.raw, plans });
        if (flags.json) continue;
        printLine(`${finding.type.raw} ${finding.id} (severity ${finding.severity}, ${finding.band}${finding.sample ? ', SAMPLE' : ''})`);
        for (const p of plans) {
          printLine(`  subject ${p.subject.kind} ${p.subject.id}${p.subject.ai.isAi ? ` [AI: ${p.subject.ai.reasons.map((r) => r.detail).join('; ')}]` : ''}`);
          for (const l of formatDecision(p.decision)) printLine(`  ${l}`);
          printLine(p.plan.steps.length ? '    steps (if run now):' : '    no steps: the incident is recorded and people are notified');
          for (const l of formatPlan(p.plan)) printLine(`  ${l}`);
          for (const l of formatManualSteps(p.plan)) printLine(`  ${l}`);
        }
        printLine();
      }
      if (flags.json) printJson(out);
      exit(batch.rejected.length > 0 ? 2 : 0);
    } finally {
      await runtime.close();
    }
  });
}
