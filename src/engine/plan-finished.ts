/**
 * Whether a delivery may be acknowledged: every incident it touched has finished its plan (contained, observed, waiting
 * for a human, released) or failed explicitly (a step failed on a permanent error: people are told). A plan with a
 * step still running, or one that failed on a transient error (a re-delivery retries it), is unfinished: the Lambda
 * then reports its record as failed, so SQS delivers it again — and finally dead-letters it, never silently.
 */
import { IncidentUnfinishedError } from '../errors.js';
import type { StepRecord } from '../journal/journal.js';
import type { RespondResult } from './responder.js';

/** Why the plan is unfinished, or undefined when it is not. */
export function unfinishedReason(status: string, steps: readonly StepRecord[]): string | undefined {
  const running = steps.filter((s) => s.status === 'running').map((s) => `${s.stepId} (held by ${s.leaseOwner ?? 'nobody'} until ${s.leaseUntil ?? '?'})`);
  const transient = steps.filter((s) => s.status === 'failed' && s.error?.transient === true).map((s) => `${s.stepId} (${s.error?.name ?? 'failed'})`);
  const reasons = [
    ...(running.length > 0 ? [`running: ${running.join(', ')}`] : []),
    ...(transient.length > 0 ? [`failed on a transient error, retried on re-delivery: ${transient.join(', ')}`] : []),
  ];
  if (reasons.length === 0 && status === 'in-progress') reasons.push('steps left to run');
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** Throws IncidentUnfinishedError naming every incident of the result whose plan has not finished. */
export function assertPlansFinished(result: RespondResult): void {
  const unfinished = result.outcomes.flatMap((o) => {
    const reason = unfinishedReason(o.status, o.steps);
    return reason === undefined ? [] : [{ incidentId: o.incidentId, reason }];
  });
  if (unfinished.length > 0) throw new IncidentUnfinishedError(unfinished);
}
