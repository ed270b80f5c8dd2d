/**
 * A finding occurrence's way into its incident, one journaled stage at a time, so a delivery that stops anywhere is
 * finished by the next one: claimed (one responder decides it: conditional put; a claim whose holder is gone is taken
 * over) → decided (its own decision and plan journaled) → merged (the incident escalated, or not: see escalate.ts).
 */
import { ConflictError, IncidentUnfinishedError, NotFoundError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { IncidentRecord, Journal, NewOccurrence, OccurrenceKey, OccurrenceRecord, StepRecord } from '../journal/journal.js';
import { isReleasedStatus } from '../journal/journal.js';
import type { Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';
import { describeEscalation, mergeOccurrence, type Merge } from './escalate.js';
import { holderGone } from './lease.js';
import { manualStepsEvent } from './manual-steps-event.js';

export interface OccurrenceContext {
  readonly journal: Journal;
  readonly runnerId: string;
  readonly processId: string;
  readonly now: () => Date;
  readonly leaseMs: number;
  /** How long to wait for another live responder deciding the same occurrence. */
  readonly waitMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

export function occurrenceOf(finding: Finding): NewOccurrence {
  return { findingId: finding.id, severity: finding.severity, count: finding.count, findingType: finding.type.raw, updatedAt: finding.updatedAt };
}

export function keyOf(o: OccurrenceKey): OccurrenceKey {
  return { findingId: o.findingId, severity: o.severity, count: o.count };
}

export function describeOccurrence(o: NewOccurrence): string {
  return `${o.findingType} ${o.findingId} (severity ${o.severity}, count ${o.count})`;
}

/** Deciding, merging and keeping the evidence of an occurrence take moments: a racing responder waits that long at least. */
const SETTLE_WAIT_MS = 10_000;

/**
 * Claims the occurrence, or returns it as journaled. The result is either claimed by this responder (not decided yet:
 * the caller decides it), or past that stage: the caller finishes whatever stage is left (merge, evidence). While
 * another live responder is still working on it, waits for it to finish (at least a few seconds, up to `waitMs`);
 * a claim whose holder is gone is taken over.
 */
export async function claimOrAwait(ctx: OccurrenceContext, incidentId: string, occ: NewOccurrence): Promise<{ record: OccurrenceRecord; isNew: boolean }> {
  const { journal } = ctx;
  const claim = (): { owner: string; process: string; until: string } => ({
    owner: ctx.runnerId,
    process: ctx.processId,
    until: new Date(ctx.now().getTime() + ctx.leaseMs).toISOString(),
  });
  const first = await journal.claimOccurrence(incidentId, occ, claim(), ctx.now());
  if (first.claimed) return { record: first.occurrence, isNew: true };
  let record = first.occurrence;
  const waitUntil = Date.now() + Math.max(ctx.waitMs, SETTLE_WAIT_MS);
  for (;;) {
    const settled = record.status === 'merged' && record.evidenceWritten === true;
    if (settled || record.claimedBy === ctx.runnerId) return { record, isNew: false };
    const holder = { owner: record.claimedBy, process: record.claimProcess, until: record.claimUntil };
    if (holderGone(holder, { exclusive: journal.exclusive, processId: ctx.processId, now: ctx.now() })) {
      if (record.status !== 'claimed') return { record, isNew: false };
      try {
        return { record: (await journal.claimOccurrence(incidentId, occ, claim(), ctx.now(), { takeOverFrom: record.claimedBy })).occurrence, isNew: false };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    } else {
      const left = waitUntil - Date.now();
      if (left <= 0) {
        // Decided already: what is left (merge, evidence) is safe to repeat. Undecided: only its claimant decides.
        if (record.status !== 'claimed') return { record, isNew: false };
        throw new IncidentUnfinishedError([
          { incidentId, reason: `occurrence ${describeOccurrence(occ)} is being decided by ${record.claimedBy} (claim until ${record.claimUntil})` },
        ]);
      }
      await ctx.sleep(Math.min(250, left));
    }
    const again = await journal.getOccurrence(incidentId, occ);
    if (again === undefined) throw new NotFoundError(`occurrence of incident ${incidentId}`, occ.findingId);
    record = again;
  }
}

/** Journals the decision of an occurrence this responder claimed; when someone took the claim over, theirs stands. */
export async function decideClaimed(
  ctx: OccurrenceContext,
  incidentId: string,
  record: OccurrenceRecord,
  decided: { decision: Decision; plan: Plan },
): Promise<OccurrenceRecord> {
  try {
    return await ctx.journal.decideOccurrence(
      incidentId,
      keyOf(record),
      { decision: decided.decision, plan: decided.plan },
      ctx.runnerId,
      ctx.now(),
    );
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const now = await ctx.journal.getOccurrence(incidentId, record);
    if (now?.decision !== undefined) return now;
    throw new IncidentUnfinishedError([{ incidentId, reason: `occurrence ${describeOccurrence(record)} was taken over by ${now?.claimedBy ?? 'another responder'} before it was decided` }]);
  }
}

/** What merging did, as stored on the occurrence: `<kind>: <detail>`. */
export type MergeKind = 'initial' | 'escalated' | 'unchanged';

export function mergeKindOf(record: OccurrenceRecord): MergeKind | undefined {
  const kind = record.merge?.split(':', 1)[0];
  return kind === 'initial' || kind === 'escalated' || kind === 'unchanged' ? kind : undefined;
}

const MERGE_ATTEMPTS = 8;

/**
 * Merges a decided occurrence into its incident (optimistic locking, retried on a lost race), records on the timeline
 * what it did, and marks the occurrence merged. Returns the incident as it now is.
 */
export async function mergeIntoIncident(
  ctx: OccurrenceContext,
  incidentId: string,
  record: OccurrenceRecord,
  evidenceLocation?: string,
): Promise<{ incident: IncidentRecord; merge: Merge }> {
  const { journal } = ctx;
  const { decision, plan } = record;
  // Only a decided occurrence is merged (callers pass one); the journal's types say a claimed one has neither.
  if (decision === undefined || plan === undefined) throw new ConflictError(`occurrence ${describeOccurrence(record)} of incident ${incidentId} is ${record.status}, not decided`);
  for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
    // Both at once: the merge needs the two, read together (a released incident's steps are read for nothing).
    const [current, steps] = await Promise.all([journal.getIncident(incidentId), journal.getSteps(incidentId)]);
    if (current === undefined) throw new NotFoundError('incident', incidentId);
    if (isReleasedStatus(current.status)) {
      return { incident: current, merge: { kind: 'unchanged', why: `the incident was ${current.status} by ${current.releasedBy ?? 'someone'}` } };
    }
    const at = ctx.now().toISOString();
    const merge = mergeOccurrence({
      current: { mode: current.mode, plan: current.plan, decision: current.decision },
      occurrence: { decision, plan, info: { findingId: record.findingId, findingType: record.findingType, severity: record.severity, count: record.count, at } },
      startedSteps: startedSteps(steps),
    });
    let incident = current;
    if (merge.kind !== 'unchanged' && !merge.repeated) {
      try {
        incident = await journal.updateIncident(
          incidentId,
          {
            decision: merge.decision,
            mode: merge.mode,
            plan: merge.plan,
            playbook: merge.plan.playbook,
            // The finding the incident's decision now rests on is its headline (lists, notifications).
            ...(merge.kind === 'initial' || merge.escalation.from !== merge.escalation.to
              ? { findingId: record.findingId, findingType: record.findingType, severity: record.severity }
              : {}),
            ...(current.evidenceLocation === undefined && evidenceLocation !== undefined ? { evidenceLocation } : {}),
          },
          ctx.now(),
          current.version,
        );
      } catch (err) {
        if (err instanceof ConflictError) continue; // someone else changed it: merge into what they made
        throw err;
      }
    }
    const summary = await recordMerge(ctx, incidentId, record, decision, merge, at);
    await journal.updateOccurrence(incidentId, keyOf(record), { merge: summary }, ctx.now());
    return { incident, merge };
  }
  throw new ConflictError(`could not merge occurrence ${describeOccurrence(record)} into incident ${incidentId} after ${MERGE_ATTEMPTS} attempts (heavy contention)`);
}

async function recordMerge(ctx: OccurrenceContext, incidentId: string, record: OccurrenceRecord, decision: Decision, merge: Merge, at: string): Promise<string> {
  if (merge.kind === 'initial') {
    const d = merge.decision;
    await ctx.journal.appendEvent(incidentId, { at, type: 'decision', message: `${d.effectiveMode} (${d.decidedBy})`, data: d });
    const manual = manualStepsEvent(merge.plan.manualSteps ?? [], at);
    if (manual !== undefined) await ctx.journal.appendEvent(incidentId, manual);
    return `initial: ${d.effectiveMode} (${d.decidedBy})`;
  }
  if (merge.kind === 'escalated') {
    const text = describeEscalation(merge.escalation);
    await ctx.journal.appendEvent(incidentId, { at, type: 'escalation', message: text, data: merge.escalation });
    const added = new Set(merge.escalation.addedManualSteps ?? []);
    const manual = manualStepsEvent((merge.plan.manualSteps ?? []).filter((m) => added.has(m.id)), at);
    if (manual !== undefined) await ctx.journal.appendEvent(incidentId, manual);
    return `escalated: ${text}`;
  }
  const text = `occurrence ${describeOccurrence(record)}, updatedAt ${record.updatedAt}: decided ${decision.effectiveMode} (${decision.decidedBy}); ${merge.why}`;
  await ctx.journal.appendEvent(incidentId, { at, type: 'occurrence', message: text });
  return `unchanged: ${merge.why}`;
}

/** Steps that have begun (or ended): their definitions are no longer replaced by an escalating plan. */
function startedSteps(steps: readonly StepRecord[]): Set<string> {
  return new Set(steps.filter((s) => s.attempts > 0 || !(s.status === 'planned' || s.status === 'awaiting-approval')).map((s) => s.stepId));
}
