/**
 * What Tourniquet tells humans about an incident: what happened, to which (AI) workload, what was done, what waits
 * for approval and how to release. Renderers (text, Slack, e-mail) and senders (SNS, webhook) build on this.
 */
import { stripControlCharacters } from '../safe-text.js';
import type { IncidentStatus } from '../journal/journal.js';
import type { ManualStep } from '../contracts/plan.js';
import { manualStepLines } from './manual-step-lines.js';

export interface IncidentNotification {
  readonly incidentId: string;
  readonly status: IncidentStatus;
  /** `new`, `occurrence`, `approval`, `release`, `breaker`, `budget`, `failure`. */
  readonly reason: string;
  readonly findingType: string;
  readonly severity: number;
  readonly accountId: string;
  readonly region: string;
  readonly subject: { readonly kind: string; readonly id: string; readonly ai: boolean; readonly aiReasons: readonly string[] };
  readonly mode: string;
  readonly decidedBy: string;
  readonly done: readonly string[];
  readonly waiting: readonly string[];
  readonly failed: readonly string[];
  /** Free lines, e.g. guardrail verdicts that lowered the mode. */
  readonly notes: readonly string[];
  readonly releaseHint: string;
  /** What a human must do (the plan's manual steps): rendered first and loudly. Absent or empty: none. */
  readonly manualSteps?: readonly ManualStep[];
}

export interface Notifier {
  notify(notification: IncidentNotification): Promise<void>;
}

/** Plain text: safe for terminals and e-mail (control characters stripped from every field). */
export function renderText(n: IncidentNotification): string {
  const clean = stripControlCharacters;
  const lines = [
    `[tourniquet] ${clean(n.findingType)} (severity ${n.severity}) on ${n.subject.kind} ${clean(n.subject.id)} in ${n.accountId}/${n.region}`,
    `incident ${n.incidentId}: ${n.status} (mode ${n.mode}, decided by ${clean(n.decidedBy)})`,
  ];
  const manual = manualStepLines(n.manualSteps ?? []);
  if (manual.length > 0) lines.push('', ...manual.map((l) => clean(l)), '');
  if (n.subject.ai) lines.push(`AI workload: ${n.subject.aiReasons.map(clean).join('; ')}`);
  if (n.done.length) lines.push(`done: ${n.done.join(', ')}`);
  if (n.waiting.length) lines.push(`waiting for approval: ${n.waiting.join(', ')}  (tourniquet approve ${n.incidentId})`);
  if (n.failed.length) lines.push(`FAILED: ${n.failed.join(', ')}`);
  for (const note of n.notes) lines.push(`note: ${clean(note)}`);
  lines.push(`release: ${n.releaseHint}`);
  return lines.join('\n');
}

/** Collects notifications in memory (CLI prints them; tests read them). */
export class MemoryNotifier implements Notifier {
  readonly sent: IncidentNotification[] = [];
  notify(notification: IncidentNotification): Promise<void> {
    this.sent.push(notification);
    return Promise.resolve();
  }
}
