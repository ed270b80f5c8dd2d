/**
 * Release (contract): every step that changed something is restored from its journaled pre-image, in reverse plan
 * order, and the journal records who released and why. Steps still waiting for approval are denied so nothing
 * runs after a release. A step whose restore fails is recorded as `release-failed` and the rest still run.
 */
import type { ActionContext, AnyAction } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import type { EvidenceWriter } from '../evidence/evidence-writer.js';
import type { Json, Subject } from '../findings/model.js';
import type { IncidentRecord, Journal, StepRecord } from '../journal/journal.js';
import { ConflictError } from '../errors.js';
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
  readonly released: string[];
  readonly failed: Array<{ stepId: string; error: string }>;
  readonly cancelled: string[];
}

export async function releaseIncident(
  deps: ReleaseDeps,
  incident: IncidentRecord,
  clients: AwsClients,
  evidence: EvidenceWriter,
  request: ReleaseRequest,
): Promise<ReleaseResult> {
  const { journal } = deps;
  const subject = incident.subject as unknown as Subject;
  const steps = new Map((await journal.getSteps(incident.incidentId)).map((r) => [r.stepId, r]));
  const cancelled: string[] = [];
  // Nothing may run after a release: deny whatever still waits.
  for (const rec of steps.values()) {
    if (rec.status === 'awaiting-approval' || rec.status === 'approved' || rec.status === 'planned') {
      try {
        await journal.transitionStep(incident.incidentId, rec.stepId, [rec.status], 'denied', { error: { name: 'Released', message: `incident released by ${request.by}`, transient: false } }, deps.now());
        cancelled.push(rec.stepId);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
  const ctxFor = (stepId: string): ActionContext => ({
    clients,
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
  const order = topologicalOrder(incident.plan.steps).reverse();
  for (const step of order) {
    const rec: StepRecord | undefined = steps.get(step.id);
    if (!rec || rec.status !== 'done' || !step.reversible) continue;
    const action = deps.getAction(step.action);
    if (!action.release) continue;
    const release = action.release.bind(action);
    const outcome = await deps.calls.collect(async () => {
      const r = await withRetry(() => release(step.input, rec.preImage, rec.output, ctxFor(step.id)), deps.isTransient, deps.retry);
      return r.value;
    });
    const at = deps.now().toISOString();
    if ('value' in outcome) {
      await journal.transitionStep(incident.incidentId, step.id, ['done'], 'released', { releasedAt: at, releaseOutput: outcome.value as Json }, deps.now());
      await evidence.put(`steps/${step.id}/release.json`, { step: step.id, by: request.by, reason: request.reason, output: outcome.value, calls: outcome.calls });
      await journal.appendEvent(incident.incidentId, { at, type: 'step.released', message: `${step.id} restored from its pre-image` });
      released.push(step.id);
    } else {
      const cause = outcome.error instanceof RetryExhaustedError ? outcome.error.lastError : outcome.error;
      const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      await journal.transitionStep(
        incident.incidentId,
        step.id,
        ['done'],
        'release-failed',
        { error: { name: cause instanceof Error ? cause.name : 'Error', message, transient: outcome.error instanceof RetryExhaustedError } },
        deps.now(),
      );
      await evidence.put(`steps/${step.id}/release-error.json`, { step: step.id, error: message, calls: outcome.calls });
      await journal.appendEvent(incident.incidentId, { at, type: 'step.release-failed', message: `${step.id}: ${message}` });
      failed.push({ stepId: step.id, error: message });
    }
  }
  const now = deps.now();
  const updated = await journal.updateIncident(
    incident.incidentId,
    { status: failed.length > 0 ? 'release-failed' : 'released', releasedBy: request.by, releaseReason: request.reason, releasedAt: now.toISOString() },
    now,
  );
  await journal.appendEvent(incident.incidentId, {
    at: now.toISOString(),
    type: 'release',
    message: `released by ${request.by}: ${request.reason}${failed.length ? ` (${failed.length} step(s) failed to restore)` : ''}`,
  });
  return { incident: updated, released, failed, cancelled };
}
