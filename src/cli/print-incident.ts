/**
 * Human output for incidents: the decision guardrail by guardrail, the steps with their status, the timeline.
 * Every string that may come from a finding is stripped of control characters before it reaches the terminal.
 */
import { stripControlCharacters } from '../safe-text.js';
import type { IncidentRecord, StepRecord, TimelineEvent } from '../journal/journal.js';
import type { Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';
import { manualStepLines } from '../notify/manual-step-lines.js';

export const clean = stripControlCharacters;

const STATUS_MARK: Record<string, string> = {
  done: '✔',
  failed: '✘',
  skipped: '–',
  'awaiting-approval': '⏸',
  approved: '▶',
  denied: '⊘',
  planned: '·',
  running: '…',
  released: '↺',
  'release-failed': '✘',
};

export function formatDecision(decision: Decision): string[] {
  const lines = [
    `  rule:      ${decision.rule ?? '(none matched: defaults)'}`,
    `  playbook:  ${decision.playbook}`,
    `  mode:      ${decision.requestedMode} requested → ${decision.effectiveMode} (${clean(decision.decidedBy)})`,
  ];
  if (decision.playbookOptions !== undefined) lines.push(`  options:   ${clean(JSON.stringify(decision.playbookOptions))} (the rule's)`);
  for (const why of decision.why) lines.push(`    why: ${clean(why)}`);
  lines.push('  guardrails:');
  for (const v of decision.verdicts) lines.push(`    ${v.outcome.padEnd(9)} ${v.guardrail.padEnd(20)} ${clean(v.reason)}`);
  return lines;
}

export function formatPlan(plan: Plan, steps?: readonly StepRecord[]): string[] {
  const byId = new Map((steps ?? []).map((s) => [s.stepId, s]));
  return plan.steps.map((s) => {
    const rec = byId.get(s.id);
    const status = rec?.status ?? 'planned';
    const mark = STATUS_MARK[status] ?? '?';
    const err = rec?.error ? `  — ${clean(rec.error.message)}` : '';
    return `  ${mark} ${s.id.padEnd(26)} ${status.padEnd(18)} ${s.effect.padEnd(11)} ${clean(s.description)}${err}`;
  });
}

/** The plan's manual steps, loud (`!!` on every line so they stand out among the steps); no lines when none. */
export function formatManualSteps(plan: Plan): string[] {
  return manualStepLines(plan.manualSteps ?? []).map((l) => `  !! ${clean(l)}`);
}

export function formatIncidentHeader(incident: IncidentRecord): string[] {
  return [
    `incident ${incident.incidentId}  ${incident.status}`,
    `  subject:   ${incident.subjectKind} ${clean(incident.subjectId)} in ${incident.accountId}/${incident.region}`,
    `  finding:   ${clean(incident.findingType)} severity ${incident.severity} (${incident.occurrences} occurrence(s))`,
    `  evidence:  ${incident.evidenceLocation ?? '-'}`,
    ...(incident.releasedBy ? [`  released:  by ${clean(incident.releasedBy)} at ${incident.releasedAt ?? '?'}: ${clean(incident.releaseReason ?? '')}`] : []),
  ];
}

export function formatTimeline(events: readonly TimelineEvent[]): string[] {
  return events.map((e) => `  ${e.at}  ${e.type.padEnd(20)} ${clean(e.message)}`);
}
