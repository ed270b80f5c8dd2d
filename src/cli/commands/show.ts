import type { Command } from 'commander';
import type { Decision } from '../../policy/decision.js';
import { clean, formatDecision, formatIncidentHeader, formatManualSteps, formatPlan, formatTimeline } from '../print-incident.js';
import { formatAiActivity, formatAiContext } from '../print-ai-activity.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import { requireJournal } from '../require-journal.js';
import type { ReportExit } from './index.js';
import { printJson, printLine } from '../print-safe.js';
import { sequenceLines } from '../attack-sequence-lines.js';

/** `tourniquet show <incident>`: decision, steps with pre-images, approvals and the timeline. */
export function registerShowCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('show')
      .description('show one incident: decision, steps, approvals, timeline')
      .argument('<incident>', 'incident id')
      .option('--json', 'print JSON (includes pre-images and outputs)'),
  ).action(async (incidentId: string, flags: RuntimeFlags & { json?: boolean }) => {
    await requireJournal(incidentId, flags);
    const runtime = await openRuntime(flags);
    try {
      const incident = await runtime.responder.getIncident(incidentId);
      const [steps, events, approvals, occurrences, sequence] = await Promise.all([
        runtime.journal.getSteps(incidentId),
        runtime.journal.listEvents(incidentId),
        runtime.journal.listApprovals(incidentId),
        runtime.journal.listOccurrences(incidentId),
        incident.attackSequenceId === undefined ? [] : runtime.journal.listIncidents({ attackSequenceId: incident.attackSequenceId }),
      ]);
      if (flags.json) {
        printJson({ incident, steps, approvals, occurrences, events, ...(incident.attackSequenceId === undefined ? {} : { attackSequence: sequence.filter((o) => o.incidentId !== incidentId).map((o) => o.incidentId) }) });
      } else {
        for (const l of formatIncidentHeader(incident)) printLine(l);
        for (const l of sequenceLines(incident, sequence)) printLine(l);
        for (const l of formatAiContext(incident.subject)) printLine(l);
        for (const l of formatDecision(incident.decision as unknown as Decision)) printLine(l);
        printLine('  steps:');
        for (const l of formatPlan(incident.plan, steps)) printLine(l);
        for (const l of formatAiActivity(steps)) printLine(l);
        for (const l of formatManualSteps(incident.plan)) printLine(l);
        if (approvals.length) {
          printLine('  approvals:');
          for (const a of approvals) printLine(`    ${a.at}  ${a.decision} ${a.stepId} by ${a.by}${a.reason ? `: ${a.reason}` : ''}`);
        }
        printLine('  occurrences:');
        for (const o of [...occurrences].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))) printLine(`    ${o.recordedAt}  ${clean(o.findingType)} ${clean(o.findingId)} severity ${o.severity} count ${o.count}: ${clean(o.merge ?? o.status)}`);
        printLine('  timeline:');
        for (const l of formatTimeline(events)) printLine(l);
      }
      exit(0);
    } finally {
      await runtime.close();
    }
  });
}
