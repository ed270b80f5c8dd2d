/**
 * Runs a journaled plan: steps in dependency order, independent ones in parallel, each claimed with a conditional
 * write (so two responders never run one step twice), its pre-image journaled before it mutates, transient AWS
 * errors retried with backoff, non-transient failures recorded and their dependents skipped. A failed step is never
 * reported as done. Safe to call again at any time (after an approval, a newer occurrence, a crash): done steps
 * stay done.
 */
import { settleAll } from '../run-limited.js';
import type { AnyAction, ActionContext, SharedReads, VerifyResult } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import type { EvidenceWriter } from '../evidence/evidence-writer.js';
import type { Json, Subject } from '../findings/model.js';
import type { IncidentStatus, Journal, StepPatch, StepRecord, StepStatus } from '../journal/journal.js';
import type { Mode, Plan, PlanStep } from '../contracts/plan.js';
import { ConflictError, VerificationError } from '../errors.js';
import type { CallCollector } from './call-collector.js';
import { resolveInput } from './resolve-input.js';
import { withRetry, RetryExhaustedError, type RetryOptions } from './retry.js';
import { withActionEffects } from './step-effect.js';
import { priorityOfEffect, withCallPriority } from '../aws/call-priority.js';
import { gateStep, type StepOverride } from './step-gate.js';
import { allDependencies, topologicalOrder } from './step-graph.js';
import { withStepFence } from '../aws/step-fence.js';
import { HeldLease, leaseLostIn } from './held-lease.js';
import { DEFAULT_LEASE_MS, PROCESS_ID, goneBeforeExpiry, holderGone, type LeaseHolder, type LeaseView } from './lease.js';
import { SKIPPED_BY_DEPENDENCY, SKIPPED_BY_POLICY } from './reopen-steps.js';
import { RunSharedReads } from './shared-reads.js';
import { startReadAhead } from './read-ahead.js';

export interface RunPlanDeps {
  readonly journal: Journal;
  readonly getAction: (name: string) => AnyAction;
  readonly isTransient: (err: unknown) => boolean;
  readonly calls: CallCollector;
  readonly now: () => Date;
  /** Identifies this responder in step leases. */
  readonly runnerId: string;
  /** This process in step leases (default PROCESS_ID): with an exclusive journal another process is gone. */
  readonly processId?: string;
  /** How long a claimed step stays ours (default DEFAULT_LEASE_MS), renewed while it runs unless `renewLease` is false. */
  readonly leaseMs?: number;
  /** Renew the lease a third of `leaseMs` apart while a step runs (default true; the Lambda's lease covers its run). */
  readonly renewLease?: boolean;
  /** How long to wait for steps another live responder holds before returning (default 0). */
  readonly waitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Steps run at the same time (default DEFAULT_STEP_CONCURRENCY). */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  /** Who acts (for tags and records). */
  readonly actor: string;
}

export interface RunPlanInput {
  readonly incidentId: string;
  readonly plan: Plan;
  readonly mode: Mode;
  readonly overrides: Readonly<Record<string, StepOverride>>;
  readonly subject: Subject;
  /** Resolved on the first step that runs: observe mode and record-only plans need no AWS clients at all. */
  readonly clients: () => Promise<AwsClients>;
  readonly evidence: EvidenceWriter;
  /** Reads the caller already made that the steps may share (default: none; the run's own reads are shared anyway). */
  readonly reads?: SharedReads;
  /**
   * The incident's step records as the caller read them from the journal a moment before (and has not written since):
   * the run starts from them instead of reading them again. Default: read.
   */
  readonly steps?: readonly StepRecord[];
}

export interface RunPlanResult {
  readonly status: IncidentStatus;
  readonly steps: StepRecord[];
  /** This run moved at least one step (claimed, settled, created). */
  readonly progressed: boolean;
}

export { SKIPPED_BY_POLICY, SKIPPED_BY_DEPENDENCY };

/** Steps of one plan running at once by default: every step of the EC2 playbook that may start at once. */
export const DEFAULT_STEP_CONCURRENCY = 8;

/** `running` is claimable once its holder is gone (lease expired, or its process ended; the journal checks). */
const CLAIMABLE: readonly StepStatus[] = ['planned', 'approved', 'awaiting-approval', 'running'];
const OPEN: readonly StepStatus[] = ['planned', 'approved', 'awaiting-approval'];

/** Numbers this process's claims (with the runner id, a claim's lease owner). */
let claimCount = 0;

export async function runPlan(deps: RunPlanDeps, input: RunPlanInput): Promise<RunPlanResult> {
  const { journal } = deps;
  const order = topologicalOrder(withActionEffects(input.plan.steps, deps.getAction));
  const existing = input.steps !== undefined ? new Map(input.steps.map((r) => [r.stepId, r])) : await loadSteps(journal, input.incidentId);
  const missing = order.flatMap((s, ordinal) => (existing.has(s.id) ? [] : [{ stepId: s.id, action: s.action, status: 'planned' as const, ordinal }]));
  // Every missing step created by this run: the run knows them as written, with no read; else another responder
  // created some meanwhile, and the run reads them as that one left them.
  const created = missing.length > 0 ? await journal.putSteps(input.incidentId, missing, deps.now()) : [];
  for (const rec of created) existing.set(rec.stepId, rec);
  let progressed = missing.length > 0;
  // Real time, not deps.now(): tests run the engine on a fixed clock.
  const waitUntil = Date.now() + (deps.waitMs ?? 0);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = deps.concurrency ?? DEFAULT_STEP_CONCURRENCY;
  const reads = input.reads ?? new RunSharedReads();
  // A step starts as soon as what it waits for has finished, not when a whole round of steps has: a slow evidence
  // read never holds back the isolation that does not depend on it.
  const inFlight = new Map<string, Promise<void>>();
  // Each finished step's result evidence and timeline event, written while the steps after it run.
  const trailing: Array<Promise<unknown>> = [];
  // Steps whose change was made in this run (apply returned), for steps that wait on the change alone
  // (`afterChangeOf`); each such change wakes the scheduler as a finished step does.
  const applied = new Set<string>();
  const awaitedChanges = new Set(order.flatMap((s) => s.afterChangeOf ?? []));
  let wake: () => void = () => undefined;
  const changeMade = (stepId: string): void => {
    // Only a change some step waits on wakes the scheduler (each wake is a read of the journal).
    if (!awaitedChanges.has(stepId)) return;
    applied.add(stepId);
    wake();
  };
  let failure: { error: unknown } | undefined;
  // Bounds, as a guard against a journal that never settles: each step starts or settles a few times at most.
  let starts = 0;
  // Steps of this run that have finished (their final record written): a read of the journal that began before one
  // of them finished may show it still running, and must not be taken for the last word.
  let finishedRuns = 0;
  // The steps as this run knows them: a read of the journal, kept up to date with the records this run's own writes
  // return (a claim, a finish, a skip), so a finished step does not cost a read of every step. Read again when another
  // holder may have moved a step (a claim or transition of ours lost), and before deciding that nothing is left.
  // The read above is the first, with the steps this run created; read again if another responder created some.
  let records = existing;
  let mustRead = created.length < missing.length;
  let onlyRead = !mustRead;
  let lastWord = false;
  let readAheadStarted = false;
  const stepView: StepView = {
    known: (rec) => {
      records.set(rec.stepId, rec);
      onlyRead = false;
    },
    movedElsewhere: () => {
      mustRead = true;
    },
    // Once this run holds its first step (not for a plan another responder is running), alongside its first calls:
    // the reads later steps will need (src/engine/read-ahead.ts).
    claimedHere: () => {
      if (readAheadStarted) return;
      readAheadStarted = true;
      startReadAhead({ steps: order, records, mode: input.mode, overrides: input.overrides, subject: input.subject, reads, clients: input.clients, getAction: deps.getAction });
    },
  };
  for (let settled = 0; settled < order.length * 3 + 3 && starts <= order.length * 3 + 3; ) {
    if (failure !== undefined) break;
    const finishedBefore = finishedRuns;
    if (mustRead) {
      mustRead = false;
      records = await loadSteps(journal, input.incidentId);
      onlyRead = true;
    }
    const view = leaseView(deps);
    let moved = false;
    const ready: PlanStep[] = [];
    for (const step of order) {
      if (inFlight.has(step.id)) continue;
      const rec = records.get(step.id);
      if (!rec) continue;
      // A step left `running` by a responder that stopped (its lease expired, or its process is gone) is taken over.
      const abandoned = rec.status === 'running' && holderGone(holderOf(rec), view);
      if (!OPEN.includes(rec.status) && !abandoned) continue;
      const deps_ = dependencyState(step, records, applied);
      if (deps_.kind === 'wait') continue;
      if (deps_.kind === 'skip') {
        if (!abandoned) moved = (await settle(deps, input, step, rec.status, 'skipped', SKIPPED_BY_DEPENDENCY, deps_.why, stepView)) || moved;
        continue;
      }
      const gate = gateStep(step, input.mode, input.overrides[step.id], rec.status === 'approved' || rec.approvedBy !== undefined);
      if (gate.kind === 'hold' || (abandoned && gate.kind !== 'run')) continue;
      if (gate.kind === 'skip') {
        moved = (await settle(deps, input, step, rec.status, 'skipped', SKIPPED_BY_POLICY, gate.why, stepView)) || moved;
      } else if (gate.kind === 'wait-approval') {
        if (rec.status === 'planned') {
          moved = (await settle(deps, input, step, 'planned', 'awaiting-approval', undefined, gate.why, stepView)) || moved;
        }
      } else {
        ready.push(step);
      }
    }
    for (const step of ready) {
      if (inFlight.size >= concurrency) break;
      const running = runStep(deps, input, step, records, reads, trailing, changeMade, stepView).then(
        (claimed) => {
          progressed ||= claimed;
          // Lost: another responder holds it, or moved it since this run's read.
          if (!claimed) stepView.movedElsewhere();
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
      inFlight.set(
        step.id,
        running.finally(() => {
          inFlight.delete(step.id);
          finishedRuns++;
        }),
      );
      starts++;
      // Even when the claim is lost, someone moved that step: look again.
      moved = true;
    }
    if (inFlight.size > 0) {
      // Look again as soon as any running step has finished, or made the change a step waits on.
      await Promise.race([...inFlight.values(), new Promise<void>((r) => (wake = r))]);
      continue;
    }
    // A step of ours finished while the records were being read: read them again before deciding nothing is left.
    if (finishedRuns !== finishedBefore) continue;
    if (moved) {
      settled++;
      progressed = true;
      continue;
    }
    // Nothing left to start as this run knows the steps: decide on what the journal holds (another holder may have
    // moved steps meanwhile).
    if (!onlyRead) {
      mustRead = true;
      continue;
    }
    // Nothing to do but wait for steps another live responder holds (and those behind them), for a while.
    const held = [...records.values()].some((r) => r.status === 'running' && !holderGone(holderOf(r), view));
    const left = waitUntil - Date.now();
    if (!held || left <= 0) {
      lastWord = true;
      break;
    }
    await sleep(Math.min(1000, left));
    mustRead = true;
  }
  // A journal failure stops the scheduling; the steps already started finish (and record) before it is thrown.
  await Promise.allSettled(inFlight.values());
  if (failure !== undefined) {
    await Promise.allSettled(trailing);
    throw failure.error;
  }
  await settleAll(trailing);
  // The read the run ended on is the result, unless the run ended otherwise (its bounds).
  const steps = lastWord ? [...records.values()] : await journal.getSteps(input.incidentId);
  return { status: incidentStatusOf(input.mode, input.plan, steps), steps, progressed };
}

function leaseView(deps: RunPlanDeps): LeaseView {
  return { exclusive: deps.journal.exclusive, processId: deps.processId ?? PROCESS_ID, now: deps.now() };
}

/** What the scheduler knows of the steps: the records this run's writes returned, and when another holder moved one. */
interface StepView {
  known(rec: StepRecord): void;
  movedElsewhere(): void;
  /** This run claimed a step. */
  claimedHere(): void;
}

function holderOf(rec: StepRecord): LeaseHolder {
  return { owner: rec.leaseOwner, process: rec.leaseProcess, until: rec.leaseUntil };
}

async function loadSteps(journal: Journal, incidentId: string): Promise<Map<string, StepRecord>> {
  return new Map((await journal.getSteps(incidentId)).map((r) => [r.stepId, r]));
}

type DependencyState = { kind: 'ready' } | { kind: 'wait' } | { kind: 'skip'; why: string };

/** Statuses after which a step will not run (again) in this plan. */
const FINISHED: readonly StepStatus[] = ['done', 'failed', 'skipped', 'denied', 'released', 'release-failed'];

/** `applied`: steps whose change was made in this run (apply returned) and whose read-back may still be under way. */
function dependencyState(step: PlanStep, records: ReadonlyMap<string, StepRecord>, applied: ReadonlySet<string>): DependencyState {
  const mustSucceed = new Set(step.requiresSuccessOf ?? []);
  // Satisfied by the change alone only where nothing else about the step asks for `done`.
  const onChange = new Set((step.afterChangeOf ?? []).filter((id) => !step.dependsOn.includes(id) && !mustSucceed.has(id)));
  const ordering = new Set((step.after ?? []).filter((id) => !step.dependsOn.includes(id) && !mustSucceed.has(id)));
  let wait = false;
  for (const id of ordering) {
    const status = records.get(id)?.status ?? 'planned';
    // Named in `afterChangeOf` too: its change made is enough (and its failure still does not skip this step).
    if (!FINISHED.includes(status) && !(onChange.has(id) && status === 'running' && applied.has(id))) wait = true;
  }
  for (const id of allDependencies(step).filter((d) => !ordering.has(d))) {
    const dep = records.get(id);
    const status = dep?.status ?? 'planned';
    if (status === 'done') continue;
    if (status === 'failed' || status === 'denied' || status === 'release-failed') {
      return { kind: 'skip', why: `dependency ${id} ${status}` };
    }
    if (status === 'skipped') {
      if (mustSucceed.has(id)) return { kind: 'skip', why: `requires success of ${id}, which was skipped` };
      if (dep?.error?.name === SKIPPED_BY_DEPENDENCY) return { kind: 'skip', why: `dependency ${id} was skipped (${dep.error.message})` };
      continue; // skipped by policy: the chain goes on
    }
    if (status === 'released') return { kind: 'skip', why: `dependency ${id} was released` };
    if (status === 'running' && onChange.has(id) && applied.has(id)) continue;
    wait = true;
  }
  return wait ? { kind: 'wait' } : { kind: 'ready' };
}

/** A transition that may lose a race to another responder: losing is fine, the winner records it. */
async function settle(
  deps: RunPlanDeps,
  input: RunPlanInput,
  step: PlanStep,
  from: StepStatus,
  to: StepStatus,
  reasonName: string | undefined,
  why: string,
  view: StepView,
): Promise<boolean> {
  try {
    const rec = await deps.journal.transitionStep(
      input.incidentId,
      step.id,
      [from],
      to,
      reasonName ? { error: { name: reasonName, message: why, transient: false } } : {},
      deps.now(),
    );
    view.known(rec);
  } catch (err) {
    if (err instanceof ConflictError) {
      view.movedElsewhere();
      return true;
    }
    throw err;
  }
  await deps.journal.appendEvent(input.incidentId, {
    at: deps.now().toISOString(),
    type: `step.${to}`,
    message: `${step.id}: ${why}`,
  });
  return true;
}

/** The claim was lost: another responder holds the step (or journaled its pre-image first). */
class NotClaimed {}

/**
 * Runs one step if this responder can claim it; false when another responder had it first. Returns once the step's
 * journal record is final (done or failed): its result evidence and timeline event are written after, and are added
 * to `trailing` for the run to await, so the steps that wait for this one do not wait for them as well.
 */
async function runStep(
  deps: RunPlanDeps,
  input: RunPlanInput,
  step: PlanStep,
  records: ReadonlyMap<string, StepRecord>,
  reads: SharedReads,
  trailing: Array<Promise<unknown>>,
  changeMade: (stepId: string) => void,
  stepView: StepView,
): Promise<boolean> {
  const { journal } = deps;
  const rec = records.get(step.id)!;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const processId = deps.processId ?? PROCESS_ID;
  const startedAt = deps.now();
  const view = leaseView(deps);
  // Its holder's process is gone but its lease still runs: take it over from that holder (and only from it).
  const takeOver = rec.status === 'running' && rec.leaseOwner !== undefined && goneBeforeExpiry(holderOf(rec), view) ? rec.leaseOwner : undefined;
  let heartbeat: { stop(): Promise<void> } | undefined;
  // The step's fence: no change is sent once its lease is lost or about to run out (src/aws/step-fence.ts).
  const lease = new HeldLease(step.id, leaseMs, deps.now);
  // Each claim is its own lease owner: two runs of one responder (findings of one subject at once) must not pass each
  // other's fence — a run whose lease ran out and was taken over by a sibling run can no longer finish or renew it.
  const owner = `${deps.runnerId}~${(claimCount = (claimCount + 1) % 1_000_000).toString(36)}`;
  /** The claim, with the pre-image when it was read first: one conditional write instead of two. */
  const claim = async (preImage?: Json): Promise<void> => {
    try {
      const claimedRec = await journal.transitionStep(
        input.incidentId,
        step.id,
        CLAIMABLE,
        'running',
        {
          leaseOwner: owner,
          leaseUntil: new Date(startedAt.getTime() + leaseMs).toISOString(),
          leaseProcess: processId,
          startedAt: startedAt.toISOString(),
          attempts: rec.attempts + 1,
          error: null,
          ...(preImage !== undefined ? { preImage } : {}),
        },
        startedAt,
        { ...(takeOver !== undefined ? { takeOver } : {}), ...(preImage !== undefined ? { noPreImage: true } : {}) },
      );
      stepView.known(claimedRec);
      stepView.claimedHere();
    } catch (err) {
      if (err instanceof ConflictError) throw new NotClaimed(); // another responder claimed it
      throw err;
    }
    lease.held(startedAt);
    heartbeat = deps.renewLease === false ? undefined : renewWhileRunning(deps, input.incidentId, step.id, owner, leaseMs, processId, lease);
    if (rec.status === 'running') {
      await journal.appendEvent(input.incidentId, {
        at: startedAt.toISOString(),
        type: 'step.taken-over',
        message: `${step.id}: taken over from ${rec.leaseOwner ?? 'a responder'} (${takeOver !== undefined ? 'its process is gone' : 'its lease expired'})${rec.preImage !== undefined ? '; its journaled pre-image is kept' : ''}`,
      });
    }
  };
  // A step that changes something and has no journaled pre-image reads it before the claim (reading changes
  // nothing), so that the claim journals it in the same write: the contract — the pre-image is durable before
  // anything changes, and never replaces one journaled earlier — holds with one write fewer on the way.
  const readsFirst = rec.preImage === undefined && step.effect !== 'read';
  const ctxWith = (clients: AwsClients): ActionContext => ({
    clients,
    // Read before a claim of a step never claimed: if another responder claims it meanwhile, this claim loses.
    firstAttempt: readsFirst && rec.attempts === 0,
    incidentId: input.incidentId,
    caseId: input.incidentId,
    stepId: step.id,
    subject: input.subject,
    evidence: input.evidence,
    now: deps.now,
    actor: deps.actor,
    reads,
  });
  let retries = 0;
  const onRetry = (): void => {
    retries++;
  };
  let claimed = false;
  const outcome = await deps.calls
    .collect(() => withStepFence(lease, () => withCallPriority(priorityOfEffect(step.effect), async () => {
      if (!readsFirst) {
        await claim();
        claimed = true;
      }
      let ctx: ActionContext;
      let action: AnyAction;
      let stepInput: unknown;
      // A step taken over after a crash keeps the pre-image captured first: a new capture would record the
      // half-contained state, and release would then restore that.
      let pre: Json;
      try {
        ctx = ctxWith(await input.clients());
        action = deps.getAction(step.action);
        stepInput = action.parseInput(resolveInput(step.id, step.input, records), ctx);
        const parsed = stepInput;
        pre = rec.preImage ?? ((await withRetry(() => action.capture(parsed, ctx), deps.isTransient, deps.retry, onRetry)).value as Json);
      } catch (error) {
        // What failed before the claim is claimed all the same, so that the failure is recorded.
        if (!claimed) {
          await claim();
          claimed = true;
        }
        throw error;
      }
      const fresh = rec.preImage === undefined;
      let preImageEvidence: Promise<unknown> | undefined;
      if (readsFirst) {
        await claim(pre);
        claimed = true;
      }
      if (fresh && step.effect !== 'read') {
        // The case's copy of the journaled pre-image, written while the step acts and awaited before it reports (the
        // journal's copy, written by the claim, is the one release uses; this is only ever the same value).
        const copy = input.evidence.put(`steps/${step.id}/pre-image.json`, pre);
        copy.catch(() => undefined);
        preImageEvidence = copy;
      }
      try {
        // The first attempt may act on the pre-image just read; a retry reads the state again.
        let attempt = 0;
        const out = await withRetry(
          () => action.apply(stepInput, pre, { ...ctx, preImageFresh: fresh && attempt++ === 0 }),
          deps.isTransient,
          deps.retry,
          onRetry,
          progressOf(deps.calls),
        );
        changeMade(step.id);
        // Never report a change as done on the API's word alone: read the state back.
        const verification = action.verify && step.effect !== 'read' ? await verifyHolds(deps, step, () => action.verify!(stepInput, ctx)) : undefined;
        await preImageEvidence;
        return { output: out.value as Json, verification };
      } catch (error) {
        // The step's own failure is the one it reports; the copy is settled first (the journal holds the pre-image).
        await preImageEvidence?.catch(() => undefined);
        throw error;
      }
    })))
    .finally(() => heartbeat?.stop());
  if (!claimed || ('error' in outcome && outcome.error instanceof NotClaimed)) {
    if ('error' in outcome && !(outcome.error instanceof NotClaimed)) throw outcome.error;
    return false;
  }
  const lost = 'error' in outcome ? leaseLostIn(outcome.error) : undefined;
  if (lost !== undefined) {
    await giveBack(deps, input, step, owner, lost, stepView);
    return true;
  }
  const finishedAt = deps.now().toISOString();
  if ('value' in outcome) {
    const { output, verification } = outcome.value;
    if (!(await finish(deps, input, step, owner, 'done', { output, finishedAt, leaseOwner: null, leaseUntil: null, leaseProcess: null }, stepView))) return true;
    // The record of what was done and the timeline event are independent writes: both at once, after the steps
    // waiting for this one have been let go (the run awaits them before it returns).
    keep(
      trailing,
      settleAll([
        input.evidence.put(`steps/${step.id}/result.json`, { step: step.id, action: step.action, retries, output, verification, calls: outcome.calls }),
        journal.appendEvent(input.incidentId, {
          at: finishedAt,
          type: 'step.done',
          message: `${step.id}: ${step.description}${verification ? ` — verified: ${verification.detail}` : ''}`,
          data: { calls: outcome.calls.length, retries, ...(verification ? { verified: verification.detail } : {}) },
        }),
      ]),
    );
    return true;
  }
  const err = outcome.error;
  const transient = err instanceof RetryExhaustedError;
  const cause = transient ? err.lastError : err;
  const error = {
    name: cause instanceof Error ? cause.name : 'Error',
    message: cause instanceof Error ? cause.message : String(cause),
    transient,
  };
  if (!(await finish(deps, input, step, owner, 'failed', { error, finishedAt, leaseOwner: null, leaseUntil: null, leaseProcess: null }, stepView))) return true;
  keep(
    trailing,
    settleAll([
      input.evidence.put(`steps/${step.id}/error.json`, { step: step.id, action: step.action, retries, error, calls: outcome.calls }),
      journal.appendEvent(input.incidentId, {
        at: finishedAt,
        type: 'step.failed',
        message: `${step.id}: ${error.name}: ${error.message}${transient ? ` (transient, gave up after ${retries + 1} attempts)` : ''}`,
      }),
    ]),
  );
  return true;
}

/**
 * Keeps a write the run awaits at its end. Handled at once: a failure before the run awaits it is otherwise an
 * unhandled rejection (which ends the process); the run still sees it, and throws it, when it awaits the list.
 */
function keep(trailing: Array<Promise<unknown>>, write: Promise<unknown>): void {
  write.catch(() => undefined);
  trailing.push(write);
}

/** The holder's final write, fenced: false when the step was taken over meanwhile (the taker records it). */
async function finish(deps: RunPlanDeps, input: RunPlanInput, step: PlanStep, owner: string, to: 'done' | 'failed', patch: StepPatch, view: StepView): Promise<boolean> {
  try {
    view.known(await deps.journal.transitionStep(input.incidentId, step.id, ['running'], to, patch, deps.now(), { leaseOwner: owner }));
    return true;
  } catch (err) {
    if (err instanceof ConflictError) {
      view.movedElsewhere();
      return false;
    }
    throw err;
  }
}

/**
 * A holder whose fence kept a change from being sent lets the step go at once instead of recording a failure that is
 * not the step's: its lease is ended (fenced, so a taker's claim is left alone) and the scheduler — this run's or
 * another responder's — takes it over with a fresh lease and the journaled pre-image.
 */
async function giveBack(deps: RunPlanDeps, input: RunPlanInput, step: PlanStep, owner: string, lost: Error, view: StepView): Promise<void> {
  const at = deps.now();
  try {
    // The scheduler sees the step given back (claimable) at once, without reading the journal.
    const given = await deps.journal.transitionStep(
      input.incidentId,
      step.id,
      ['running'],
      'running',
      { leaseUntil: new Date(at.getTime() - 1).toISOString() },
      at,
      { leaseOwner: owner },
    );
    view.known(given);
  } catch (err) {
    if (err instanceof ConflictError) {
      view.movedElsewhere();
      return; // taken over already: the taker records it
    }
    throw err;
  }
  await deps.journal.appendEvent(input.incidentId, { at: at.toISOString(), type: 'step.lease-lost', message: `${lost.message}; the step is given back` });
}

/**
 * Renews a running step's lease a third of the lease apart, so a short lease still covers a long step while its
 * holder lives. A renewal that loses (the step was taken over) stops; other failures are retried on the next tick.
 */
function renewWhileRunning(
  deps: RunPlanDeps,
  incidentId: string,
  stepId: string,
  owner: string,
  leaseMs: number,
  processId: string,
  lease: HeldLease,
): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const at = deps.now();
    inFlight = deps.journal
      .transitionStep(
        incidentId,
        stepId,
        ['running'],
        'running',
        { leaseUntil: new Date(at.getTime() + leaseMs).toISOString(), leaseProcess: processId },
        at,
        { leaseOwner: owner },
      )
      .then(
        () => lease.held(at),
        (err: unknown) => {
          if (err instanceof ConflictError) {
            stopped = true;
            lease.takenOver();
          }
        },
      );
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

/**
 * Reads the state back until it holds: a few attempts with backoff, because AWS reads can lag a write for a moment.
 * Still not holding → VerificationError (the step fails; it is never reported done).
 */
async function verifyHolds(deps: RunPlanDeps, step: PlanStep, verify: () => Promise<VerifyResult>): Promise<VerifyResult> {
  const attempts = 4;
  const base = deps.retry?.baseDelayMs ?? 200;
  const sleep = deps.retry?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: VerifyResult | undefined;
  for (let i = 0; i < attempts; i++) {
    last = (await withRetry(verify, deps.isTransient, deps.retry)).value;
    if (last.holds) return last;
    if (i < attempts - 1) await sleep(base * 2 ** (i + 1));
  }
  throw new VerificationError(step.id, `applied, but reading the state back shows it does not hold: ${last?.detail ?? 'no detail'}`);
}

const READ_ONLY_OPERATION = /^(Describe|Get|List|Head|Lookup)/;

/**
 * Progress of a step between attempts: a change (a successful call other than a read) that no earlier attempt had
 * made with the same input, or a read that failed in an earlier attempt and now answers. Re-doing what an earlier
 * attempt already did is not progress. (The run's shared reads keep what answered, so a retried evidence capture asks
 * again only for what it is missing: under throttling it converges instead of giving up.)
 */
function progressOf(calls: CallCollector): () => boolean {
  const done = new Set<string>();
  const failedReads = new Set<string>();
  let seen = 0;
  return () => {
    const all = calls.current() ?? [];
    let progressed = false;
    for (const c of all.slice(seen)) {
      const key = `${c.service}\u0000${c.operation}\u0000${JSON.stringify(c.input)}`;
      const read = READ_ONLY_OPERATION.test(c.operation);
      if (c.error !== undefined) {
        if (read && !done.has(key)) failedReads.add(key);
        continue;
      }
      if (done.has(key)) continue;
      done.add(key);
      if (!read || failedReads.has(key)) progressed = true;
    }
    seen = all.length;
    return progressed;
  };
}

/**
 * The incident's status from its steps. Containment that holds while destructive steps still wait for a human is
 * `contained` (the waiting steps are listed separately); it is `awaiting-approval` while containment itself waits.
 */
export function incidentStatusOf(mode: Mode, plan: Plan, steps: readonly StepRecord[]): IncidentStatus {
  const effect = new Map(plan.steps.map((s) => [s.id, s.effect]));
  const waiting = (s: StepRecord): boolean => s.status === 'awaiting-approval' || s.status === 'approved';
  if (steps.some((s) => s.status === 'failed')) return 'partial';
  if (steps.some((s) => s.status === 'running')) return 'in-progress';
  if (mode === 'observe' || steps.length === 0) return steps.some((s) => s.status === 'done') ? 'contained' : 'observed';
  const containWaiting = steps.some((s) => waiting(s) && effect.get(s.stepId) === 'contain');
  const containDone = steps.some((s) => s.status === 'done' && effect.get(s.stepId) === 'contain');
  if (containWaiting || (!containDone && steps.some(waiting))) return 'awaiting-approval';
  if (steps.some((s) => s.status === 'planned' && !waitsOnApproval(s.stepId, plan, steps))) return 'in-progress';
  return 'contained';
}

/** A planned step that waits only because something it depends on awaits approval. */
function waitsOnApproval(stepId: string, plan: Plan, steps: readonly StepRecord[]): boolean {
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const planById = new Map(plan.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const visit = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    const rec = byId.get(id);
    if (rec && (rec.status === 'awaiting-approval' || rec.status === 'approved')) return true;
    const step = planById.get(id);
    return step ? allDependencies(step).some(visit) : false;
  };
  const step = planById.get(stepId);
  return step ? allDependencies(step).some(visit) : false;
}
