/**
 * Every guardrail block notifies (issue 7, item 4). A protection (exemption tag, protected principal or account, the
 * responder's own principal) or a limit (budget, breaker) that lowered the mode the policy asked for must reach a human
 * in every mode — observe included, where other notifications are only recorded — or an attacker who sets the
 * exemption tag (or trips the breaker on purpose) evades containment unseen. The notice says which guardrail lowered
 * the mode, from what to what, and which steps were not done because of it; drills are marked so nobody mistakes one
 * for a real compromise. Sample and archived findings stay silent (the decision's `notify` is false for them):
 * `CreateSampleFindings` would otherwise page people for every sample.
 */
import type { Finding, Json } from '../findings/model.js';
import type { TimelineEvent } from '../journal/journal.js';
import type { Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';
import { gateStep } from './step-gate.js';

export interface FindingMarks {
  /** A synthetic finding from `tourniquet drill` (for a real resource). */
  readonly drill: boolean;
}

export interface GuardrailNotice {
  /** The guardrails that lowered the mode, in evaluation order. */
  readonly guardrails: readonly string[];
  readonly requestedMode: Decision['requestedMode'];
  readonly effectiveMode: Decision['effectiveMode'];
  /** Steps the requested mode would have run that the effective mode does not run (they wait, or are only planned). */
  readonly notDone: readonly string[];
  /** Lines for the notification's notes: what was not done and why (each guardrail's reason is in the verdict notes). */
  readonly lines: readonly string[];
}

/** The notice a decision calls for, or undefined when no guardrail lowered the mode (or the finding is a sample/archived). */
export function guardrailNotice(decision: Decision, plan: Plan, marks?: FindingMarks): GuardrailNotice | undefined {
  if (!decision.notify || decision.effectiveMode === decision.requestedMode) return undefined;
  const guardrails = decision.verdicts.filter((v) => v.outcome !== 'pass' && v.guardrail !== 'sample' && v.guardrail !== 'archived').map((v) => v.guardrail);
  const runs = (mode: Decision['requestedMode'], stepId: string): boolean => {
    const step = plan.steps.find((s) => s.id === stepId)!;
    return gateStep(step, mode, decision.stepOverrides[stepId], false).kind === 'run';
  };
  const notDone = plan.steps.filter((s) => runs(decision.requestedMode, s.id) && !runs(decision.effectiveMode, s.id)).map((s) => s.id);
  const lines: string[] = [];
  if (marks?.drill) lines.push('DRILL: a synthetic finding made by `tourniquet drill` for a real resource, not a GuardDuty detection');
  const lowered = `guardrail ${guardrails.join(', ')} lowered the mode from ${decision.requestedMode} to ${decision.effectiveMode}`;
  if (decision.effectiveMode === 'observe') {
    lines.push(`${lowered}: nothing was changed`);
    if (notDone.length) lines.push(`not done: ${notDone.join(', ')}`);
  } else {
    lines.push(lowered);
    if (notDone.length) lines.push(`not run automatically (they wait for approval): ${notDone.join(', ')}`);
  }
  return { guardrails, requestedMode: decision.requestedMode, effectiveMode: decision.effectiveMode, notDone, lines };
}

/** What the timeline records when a guardrail notice is sent (a failed send is recorded after it, as `notify.failed`). */
export function guardrailNoticeEvent(notice: GuardrailNotice, at: Date): TimelineEvent {
  return {
    at: at.toISOString(),
    type: 'notify.guardrail',
    message: notice.lines.join('; '),
    data: { guardrails: [...notice.guardrails], notDone: [...notice.notDone] } as Json,
  };
}

export function findingMarks(finding: Finding): FindingMarks {
  const raw = finding.raw as { service?: { additionalInfo?: { tourniquetDrill?: unknown } } } | null;
  return { drill: raw?.service?.additionalInfo?.tourniquetDrill === true || (finding.title?.startsWith('[DRILL]') ?? false) };
}

/**
 * The marks of the findings being handled, by finding id: `notify` sees only the journaled incident, not the finding.
 * Held for the duration of one `respond`, counted so two concurrent responds on one finding do not drop each other's.
 */
export class FindingMarksInFlight {
  private readonly held = new Map<string, { marks: FindingMarks; count: number }>();

  hold(finding: Finding): () => void {
    const entry = this.held.get(finding.id) ?? { marks: findingMarks(finding), count: 0 };
    entry.count++;
    this.held.set(finding.id, entry);
    return () => {
      if (--entry.count === 0) this.held.delete(finding.id);
    };
  }

  of(findingId: string): FindingMarks | undefined {
    return this.held.get(findingId)?.marks;
  }
}
