/**
 * Release (contract): every step that may have changed something is restored from its journaled pre-image, in
 * reverse plan order, and the journal records who released and why. That is not only `done` steps: a step left
 * `running` by a crash, or `failed` after (part of) its change was applied or when reading it back showed it did not
 * hold, had its pre-image journaled before it changed anything, so it is restored too. Restores are idempotent (each
 * action reads the current state and only writes what differs), so restoring a step whose change never landed, or
 * releasing again after an interrupted or failed release, is safe.
 *
 * What cannot be restored is said, never hidden: a step that may have changed something without a journaled
 * pre-image (or without a release) is listed as `left`, and the incident becomes `release-partial`; a restore that
 * fails is `release-failed` (run `release` again to retry it). Only when everything was restored is the incident
 * `released`. Steps still waiting are denied so nothing runs after a release, and so is a step left `running`
 * before it journaled a pre-image (it had not changed anything yet; denying it also stops a live holder, whose
 * pre-image write is conditional on the step still running).
 */
import type { ActionContext, AnyAction } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import type { EvidenceWriter } from '../evidence/evidence-writer.js';
import type { Json, Subject } from '../findings/model.js';
import type { IncidentRecord, IncidentStatus, Journal, StepRecord, StepStatus } from '../journal/journal.js';
import type { PlanStep } from '../contracts/plan.js';
import { ConflictError, TourniquetError } from '../errors.js';
import type { CallCollector } from './call-collector.js';
import { withRetry, RetryExhaustedError, type RetryOptions } from './retry.js';
import { topologicalOrder } from './step-graph.js';

export interface ReleaseDeps {
  readonly journal: Journal;
  readonly getAction: (name: string) => AnyAction;
  readonly isTransient: (err: unknown) => boolean;
  readonly calls: CallCollector;
  readonly now: () => Date;
  readonly retry?: RetryOptions;
}

export interface ReleaseRequest {
  readonly by: string;
  readonly reason: string;
}

export interface ReleaseResult {
  readonly incident: IncidentRecord;
  /** Restored from their pre-images (now `released`). */
  readonly released: string[];
  /** Their restore failed (now `release-failed`): run `release` again to retry. */
  readonly failed: Array<{ stepId: string; error: string }>;
  /** May have changed something that could not be restored (no journaled pre-image, or no release): check by hand. */
  readonly left: Array<{ stepId: string; why: string }>;
  /** Kept on purpose: evidence such as snapshots is never deleted by a release. */
  readonly kept: Array<{ stepId: string; why: string }>;
  /** Were waiting, or had not changed anything yet: denied, so nothing runs after the release. */
  readonly cancelled: string[];
  /** Things the person releasing should know (e.g. a step whose lease was still held by a live responder). */
  readonly notes: string[];
}

export { isReleasedStatus } from '../journal/journal.js';

/** Step statuses in which the step may have changed something: its journaled pre-image is restored. */
const RESTORABLE: readonly StepStatus[] = ['done', 'running', 'failed', 'release-failed'];
const WAITING: readonly StepStatus[] = ['awaiting-approval', 'approved', 'planned'];
/** A step whose status changes under us (a live responder finishing it) is restored again, at most this often. */
const RESTORE_ROUNDS = 3;

export async function releaseIncident(
  deps: ReleaseDeps,
  incident: IncidentRecord,
  clients: AwsClients | (() => Promise<AwsClients>),
  evidence: EvidenceWriter,
  request: ReleaseRequest,
): Promise<ReleaseResult> {
  const { journal } = deps;
  // Clients (credentials, the caller's account) only when a step is restored: an incident that changed nothing
  // (observe mode, or everything still waiting) is released without AWS.
  let pending: Promise<AwsClients> | undefined;
  const clientsNow = (): Promise<AwsClients> => (pending ??= typeof clients === 'function' ? clients() : Promise.resolve(clients));
  if (incident.status === 'released') {
    throw new TourniquetError(
      'incident.released',
      `incident ${incident.incidentId} is already released (by ${incident.releasedBy ?? 'someone'} at ${incident.releasedAt ?? '?'}): nothing left to restore`,
    );
  }
  const subject = incident.subject as unknown as Subject;
  const steps = new Map((await journal.getSteps(incident.incidentId)).map((r) => [r.stepId, r]));
  const notes: string[] = [];
  const cancelled: string[] = [];
  // Nothing may run after a release: deny whatever still waits, and any step left running before it journaled a
  // pre-image (it changed nothing yet; a live holder's conditional pre-image write now fails, so it never will).
  for (const rec of steps.values()) {
    const notStarted = rec.status === 'running' && rec.preImage === undefined;
    if (!WAITING.includes(rec.status) && !notStarted) continue;
    try {
      await journal.transitionStep(
        incident.incidentId,
        rec.stepId,
        [rec.status],
        'denied',
        { error: { name: 'Released', message: `incident released by ${request.by}`, transient: false }, ...(notStarted ? { leaseOwner: null, leaseUntil: null } : {}) },
        deps.now(),
      );
      cancelled.push(rec.stepId);
      steps.set(rec.stepId, { ...rec, status: 'denied' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // It moved on meanwhile (a live responder journaled its pre-image or finished): restore it below.
      const now = (await journal.getSteps(incident.incidentId)).find((s) => s.stepId === rec.stepId);
      if (now) steps.set(rec.stepId, now);
    }
  }
  const ctxFor = async (stepId: string): Promise<ActionContext> => ({
    clients: await clientsNow(),
    stepId,
    incidentId: incident.incidentId,
    caseId: incident.incidentId,
    subject,
    evidence,
    now: deps.now,
    actor: request.by,
  });
  const released: string[] = [];
  const failed: Array<{ stepId: string; error: string }> = [];
  const left: Array<{ stepId: string; why: string }> = [];
  const kept: Array<{ stepId: string; why: string }> = [];
  for (const step of topologicalOrder(incident.plan.steps).reverse()) {
    const rec = steps.get(step.id);
    if (!rec || !RESTORABLE.includes(rec.status) || step.effect === 'read') continue;
    const action = deps.getAction(step.action);
    if (!step.reversible || !action.release) {
      // Only a step that got as far as its pre-image can have changed anything.
      if (rec.status !== 'done' && rec.preImage === undefined) continue;
      const keptWhy = step.effect === 'evidence' ? `evidence is kept: ${step.description}` : action.keptOnRelease;
      if (keptWhy === undefined) {
        left.push({ stepId: step.id, why: `${rec.status} and not reversible: ${step.description}` });
        continue;
      }
      kept.push({ stepId: step.id, why: keptWhy });
      // Left running by a responder that stopped: nothing of it is to be restored, and nothing may run after the
      // release, so it is closed as released (what it made is kept, as said).
      if (rec.status === 'running') {
        try {
          await journal.transitionStep(
            incident.incidentId,
            step.id,
            ['running'],
            'released',
            { releasedAt: deps.now().toISOString(), releaseOutput: { kept: keptWhy }, leaseOwner: null, leaseUntil: null },
            deps.now(),
          );
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err; // it finished or was released meanwhile
        }
      }
      continue;
    }
    if (rec.preImage === undefined) {
      // The pre-image is journaled before any change (contract), so a failed step without one changed nothing; a
      // done one without one (a journal from elsewhere, or edited) cannot be restored, and is said so.
      if (rec.status === 'done') left.push({ stepId: step.id, why: 'done, but no pre-image was journaled: restore by hand' });
      continue;
    }
    if (rec.status === 'running' && rec.leaseUntil !== undefined && Date.parse(rec.leaseUntil) > deps.now().getTime()) {
      notes.push(
        `${step.id} was running under a lease held by ${rec.leaseOwner ?? 'another responder'} until ${rec.leaseUntil}; ` +
          'it was restored, but if that responder is still alive it may apply its change again: check, and release again after the lease',
      );
    }
    const outcome = await restoreStep(deps, incident, step, rec, await ctxFor(step.id), evidence, request);
    if (outcome.ok) released.push(step.id);
    else failed.push({ stepId: step.id, error: outcome.error });
  }
  const now = deps.now();
  const status: IncidentStatus = failed.length > 0 ? 'release-failed' : left.length > 0 ? 'release-partial' : 'released';
  const updated = await journal.updateIncident(
    incident.incidentId,
    { status, releasedBy: request.by, releaseReason: request.reason, releasedAt: now.toISOString() },
    now,
  );
  const summary = { by: request.by, reason: request.reason, status, released, failed, left, kept, cancelled, notes };
  await evidence.put('release.json', summary as unknown as Json);
  const problems = [
    ...failed.map((f) => `${f.stepId} failed to restore (${f.error})`),
    ...left.map((l) => `${l.stepId} not restored (${l.why})`),
  ];
  await journal.appendEvent(incident.incidentId, {
    at: now.toISOString(),
    type: 'release',
    message:
      `${status} by ${request.by}: ${request.reason}` +
      (released.length ? `; restored ${released.join(', ')}` : '') +
      (problems.length ? `; ${problems.join('; ')}` : '') +
      (kept.length ? `; kept ${kept.map((k) => k.stepId).join(', ')}` : ''),
    data: summary as unknown as Json,
  });
  return { incident: updated, released, failed, left, kept, cancelled, notes };
}

/**
 * Restores one step from its pre-image and journals the outcome. The transition is conditional on the status the
 * step had: when a live responder moved it meanwhile (finishing a step that was `running`), its change may have
 * landed after the restore, so the step is restored again (idempotent) from its new status.
 */
async function restoreStep(
  deps: ReleaseDeps,
  incident: IncidentRecord,
  step: PlanStep,
  first: StepRecord,
  ctx: ActionContext,
  evidence: EvidenceWriter,
  request: ReleaseRequest,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const { journal } = deps;
  const release = deps.getAction(step.action).release!.bind(deps.getAction(step.action));
  let rec = first;
  for (let round = 1; ; round++) {
    const outcome = await deps.calls.collect(async () => {
      const input = deps.getAction(step.action).parseInput(step.input, ctx);
      const r = await withRetry(() => release(input, rec.preImage, rec.output, ctx), deps.isTransient, deps.retry);
      return r.value;
    });
    const at = deps.now().toISOString();
    const wasStatus = rec.status;
    try {
      if ('value' in outcome) {
        await journal.transitionStep(incident.incidentId, step.id, [wasStatus], 'released', { releasedAt: at, releaseOutput: outcome.value as Json, leaseOwner: null, leaseUntil: null }, deps.now());
        await evidence.put(`steps/${step.id}/release.json`, { step: step.id, by: request.by, reason: request.reason, wasStatus, output: outcome.value, calls: outcome.calls });
        await journal.appendEvent(incident.incidentId, { at, type: 'step.released', message: `${step.id} (${wasStatus}) restored from its pre-image` });
        return { ok: true };
      }
      const cause = outcome.error instanceof RetryExhaustedError ? outcome.error.lastError : outcome.error;
      const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      await journal.transitionStep(
        incident.incidentId,
        step.id,
        [wasStatus],
        'release-failed',
        { error: { name: cause instanceof Error ? cause.name : 'Error', message, transient: outcome.error instanceof RetryExhaustedError }, leaseOwner: null, leaseUntil: null },
        deps.now(),
      );
      await evidence.put(`steps/${step.id}/release-error.json`, { step: step.id, wasStatus, error: message, calls: outcome.calls });
      await journal.appendEvent(incident.incidentId, { at, type: 'step.release-failed', message: `${step.id} (${wasStatus}): ${message}` });
      return { ok: false, error: message };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const now = (await journal.getSteps(incident.incidentId)).find((s) => s.stepId === step.id);
      if (now === undefined || !RESTORABLE.includes(now.status)) return { ok: true }; // someone else released it
      if (round >= RESTORE_ROUNDS) {
        const error = `the step kept changing while it was being restored (now ${now.status}); release again`;
        await journal.appendEvent(incident.incidentId, { at, type: 'step.release-failed', message: `${step.id}: ${error}` });
        return { ok: false, error };
      }
      rec = { ...now, preImage: now.preImage ?? rec.preImage };
    }
  }
}
