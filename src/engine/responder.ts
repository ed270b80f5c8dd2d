/**
 * The engine's front door, the same in the Lambda, the CLI, the tests and the demo:
 * respond(finding) → per affected subject: policy decision → guardrails → plan → journal → run → evidence → notify;
 * approve / deny / release an incident later.
 */
import type { AnyAction, SharedReads } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import type { EvidenceWriter } from '../evidence/evidence-writer.js';
import type { Finding, Subject } from '../findings/model.js';
import type { IncidentRecord, Journal, StepRecord } from '../journal/journal.js';
import type { IncidentNotification, Notifier } from '../notify/notification.js';
import type { Mode } from '../contracts/plan.js';
import type { Policy } from '../policy/policy.js';
import type { Decision } from '../policy/decision.js';
import { ConflictError, NotFoundError, TourniquetError } from '../errors.js';
import { buildPlan, loadPlaybook, NO_PLAYBOOK, type PlaybookOptionsSource } from '../playbooks/registry.js';
import type { CallCollector } from './call-collector.js';
import { decide, selectForSubject, type GuardrailCounts } from './decide.js';
import { isReleasedStatus } from '../journal/journal.js';
import type { ReleaseResult } from './release-incident.js';
import type { RetryOptions } from './retry.js';
import { incidentStatusOf, runPlan } from './run-plan.js';
import { prefetchReads } from './prefetch-reads.js';
import { SharedReadsInFlight } from './shared-reads-in-flight.js';
import { incidentKeyOf } from '../playbooks/incident-key.js';
import { settleAll } from '../run-limited.js';
import { withActionEffects } from './step-effect.js';
import { lowerMode } from '../policy/mode-order.js';
import { RateLimiter, rateLimitClients } from './rate-limiter.js';
import { fenceClients } from '../aws/step-fence.js';
import { occurrenceMode } from './escalate.js';
import { DEFAULT_LEASE_MS, PROCESS_ID } from './lease.js';
import { claimOrAwait, decideClaimed, mergeIntoIncident, mergeKindOf, occurrenceOf, type OccurrenceContext } from './occurrences.js';
import { stepsToReopen, type RetryFailed } from './reopen-steps.js';
import { FindingMarksInFlight, guardrailNotice, guardrailNoticeEvent } from './guardrail-notice.js';
import { liveTagsEvent, readLiveTags, withLiveTags } from './live-tags.js';
import { profileRolesEvent, resolveProfileRoles, withProfileRoles } from './profile-roles.js';
import { linkIncidentToSequence, sequenceSubjectsToHandle } from './attack-sequence-link.js';

export interface ResponderOptions {
  readonly journal: Journal;
  readonly policy: Policy;
  /** AWS clients for the subject's account and region (cross-account: an assumed-role session named after the incident). */
  readonly clientsFor: (accountId: string, region: string, incidentId: string) => Promise<AwsClients>;
  /** The case's evidence writer (local folder or S3 prefix). */
  readonly evidenceFor: (caseId: string) => Promise<EvidenceWriter>;
  readonly getAction: (name: string) => AnyAction;
  readonly isTransient: (err: unknown) => boolean;
  /** Must be the one given to the client factory as `onCall`, so calls are attributed to steps. */
  readonly calls: CallCollector;
  readonly notifier?: Notifier;
  /** No decision may go above this mode (e.g. `observe` for a first rollout). */
  readonly modeCeiling?: Mode;
  /** Told when a notification fails (it is also recorded on the incident's timeline). */
  readonly onNotifyError?: (err: unknown) => void;
  readonly now?: () => Date;
  readonly runnerId?: string;
  /** ARNs of the responder's own principals: never contained. */
  readonly responderPrincipalArns?: readonly string[];
  readonly playbookOptions?: PlaybookOptionsSource;
  readonly retry?: RetryOptions;
  readonly concurrency?: number;
  readonly actor?: string;
  /** Per-service call rate limits (default: DEFAULT_RATE_LIMITS). */
  readonly rateLimiter?: RateLimiter;
  /** Defaults for every call (see RunOptions). */
  readonly leaseMs?: number;
  readonly waitMs?: number;
  /** This process in leases (default PROCESS_ID; tests stand in for another process). */
  readonly processId?: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Per call: how this call holds and waits for work. */
export interface RunOptions {
  /** Lease on the steps and occurrence claims this call takes (default: the responder's, else 60 s renewed while a step runs). */
  readonly leaseMs?: number;
  /** Renew step leases while they run (default true; the Lambda's lease already covers its whole invocation). */
  readonly renewLease?: boolean;
  /** How long to wait for work another live responder holds on the same incident (default: the responder's, else 0). */
  readonly waitMs?: number;
  /**
   * Reads this call already made that the run may share (the live tags' DescribeInstances, read a moment before the
   * plan runs): the steps take their pre-images from it instead of asking again.
   */
  readonly reads?: SharedReads;
}

/**
 * What a delivery did for one subject. created: the incident's first decided occurrence; escalated: a new occurrence
 * raised its mode or added steps; appended: a new occurrence that changed nothing; resumed: a re-delivery that found
 * the plan unfinished and continued it; duplicate: a re-delivery of a finished plan (nothing done).
 */
export type Handling = 'created' | 'escalated' | 'appended' | 'resumed' | 'duplicate';

export interface SubjectOutcome {
  readonly incidentId: string;
  readonly incidentKey: string;
  readonly subject: Subject;
  /** This was the incident's first occurrence (a new incident). */
  readonly created: boolean;
  /** The exact occurrence was seen before and its plan had finished: nothing was done. */
  readonly duplicate: boolean;
  readonly handling: Handling;
  readonly decision: Decision;
  readonly status: IncidentRecord['status'];
  readonly steps: readonly StepRecord[];
  readonly evidenceLocation?: string;
}

export interface RespondResult {
  readonly findingId: string;
  readonly outcomes: readonly SubjectOutcome[];
}

export interface ResumeResult {
  readonly status: IncidentRecord['status'];
  readonly steps: StepRecord[];
  /** Something was run, reopened or taken over. */
  readonly progressed: boolean;
  /** Occurrences whose decision never got journaled (the responder stopped): only a re-delivery can decide them. */
  readonly undecided: string[];
}

export class Responder {
  private readonly now: () => Date;
  private readonly runnerId: string;
  private readonly actor: string;
  /** Shared by every incident this responder handles: AWS limits are per account and Region, not per incident. */
  private readonly limiter: RateLimiter;
  private readonly marks = new FindingMarksInFlight();
  private readonly readsInFlight = new SharedReadsInFlight();

  constructor(private readonly options: ResponderOptions) {
    this.now = options.now ?? (() => new Date());
    this.runnerId = options.runnerId ?? `tourniquet-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.actor = options.actor ?? 'tourniquet';
    this.limiter = options.rateLimiter ?? new RateLimiter();
  }

  private async clients(incident: Pick<IncidentRecord, 'accountId' | 'region' | 'incidentId'>): Promise<AwsClients> {
    // Fenced after the limiter: a step's change waiting for a token past its lease is not sent (src/aws/step-fence.ts).
    return fenceClients(rateLimitClients(await this.options.clientsFor(incident.accountId, incident.region, incident.incidentId), this.limiter));
  }

  /**
   * What would happen for this finding, without touching the journal or AWS. Budget and breaker are assumed not
   * exhausted (nothing is counted by a dry run); `respond` charges them for real.
   */
  plan(finding: Finding, mode?: Mode, counts: GuardrailCounts = { breakerHits: 1, budgetAllowed: true, budgetUsed: 1 }): Array<{ subject: Subject; decision: Decision; plan: ReturnType<typeof buildPlan> }> {
    return this.subjectsToHandle(finding).map((subject) => {
      const selection = selectForSubject(this.options.policy, finding, subject, mode, this.options.modeCeiling);
      const decision = decide(this.options.policy, finding, subject, selection, this.options.responderPrincipalArns ?? [], counts);
      return { subject, decision, plan: buildPlan(decision.playbook, finding, subject, this.options.playbookOptions, decision.playbookOptions, decision.verdicts) };
    });
  }

  async respond(finding: Finding, mode?: Mode, options: RunOptions = {}): Promise<RespondResult> {
    const outcomes: SubjectOutcome[] = [];
    const unmark = this.marks.hold(finding);
    try {
      for (const subject of this.subjectsToHandle(finding)) {
        // The decision sees the resource's current tags, not the finding's: the exemption tag is read live.
        const at = this.now();
        const exemptTagKey = this.options.policy.guardrails.exemptTag.key;
        const observeOnly = mode === 'observe' || this.options.modeCeiling === 'observe';
        const clients = (): Promise<AwsClients> => this.clients({ accountId: subject.accountId, region: subject.region, incidentId: `finding-${finding.id}` });
        // Shared with the other respond() calls of this subject in flight (a burst's findings of one instance).
        const shared = this.readsInFlight.acquire(incidentKeyOf(subject));
        const reads = shared.reads;
        try {
          // Started with the reads below, not awaited: what the plan will read first (src/engine/prefetch-reads.ts).
          if (!observeOnly && shared.first) {
            void prefetchReads({ policy: this.options.policy, finding, subject, mode, modeCeiling: this.options.modeCeiling, responderPrincipalArns: this.options.responderPrincipalArns ?? [], clients, reads, hasIncident: async (key) => (await this.options.journal.openIncidentId(key)) !== undefined });
          }
          // Both reads at once: the tags (exemption) and, for an instance, its profile's roles (protected principals).
          const [live, roles] = await Promise.all([
            readLiveTags(subject, { exemptTagKey, observeOnly, clients, isTransient: this.options.isTransient, retry: this.options.retry }),
            // Through the shared reads: the profile's roles, read for the protected principals, are the steps'
            // identity read too (the session deny's read-ahead and capture).
            resolveProfileRoles(subject, { observeOnly, clients, isTransient: this.options.isTransient, retry: this.options.retry, reads }),
          ]);
          if (live.source === 'live' && live.answer !== undefined) void reads.get(live.answer.key, () => Promise.resolve(live.answer!.value));
          const outcome = await this.respondForSubject(finding, withProfileRoles(withLiveTags(subject, live), roles), mode, { ...options, reads });
          if (!outcome.duplicate) {
            const rolesEvent = profileRolesEvent(roles, at);
            await settleAll([
              this.options.journal.appendEvent(outcome.incidentId, liveTagsEvent(subject, live, exemptTagKey, at)),
              ...(rolesEvent !== undefined ? [this.options.journal.appendEvent(outcome.incidentId, rolesEvent)] : []),
            ]);
          }
          outcomes.push(outcome);
        } finally {
          shared.release();
        }
      }
    } finally {
      unmark();
    }
    return { findingId: finding.id, outcomes };
  }

  /** Subjects with a playbook; when none has one, the first subject is recorded (notify only). */
  private subjectsToHandle(finding: Finding): Subject[] {
    const sequence = sequenceSubjectsToHandle(finding);
    if (sequence !== undefined) return sequence;
    const withPlaybook = finding.subjects.filter((s) => selectForSubject(this.options.policy, finding, s, undefined, this.options.modeCeiling).playbook !== NO_PLAYBOOK);
    if (withPlaybook.length > 0) return withPlaybook;
    return finding.subjects.slice(0, 1);
  }

  /**
   * One subject of one finding occurrence: open (or find) the incident, claim the occurrence, decide it on its own,
   * merge it (the incident may only escalate), keep its evidence, then run what is left of the plan. Every stage is
   * journaled, so a re-delivery after a crash picks up where the last one stopped.
   */
  private async respondForSubject(finding: Finding, subject: Subject, mode: Mode | undefined, options: RunOptions): Promise<SubjectOutcome> {
    const { journal } = this.options;
    const selection = selectForSubject(this.options.policy, finding, subject, mode, this.options.modeCeiling);
    // Without counts: budget and breaker are charged only when the occurrence would raise the incident to contain.
    const uncounted = decide(this.options.policy, finding, subject, selection, this.options.responderPrincipalArns ?? [], {});
    // The playbook's code (its actions and their SDK clients) is loaded the first time a subject needs it.
    await loadPlaybook(uncounted.playbook);
    const plan = buildPlan(uncounted.playbook, finding, subject, this.options.playbookOptions, uncounted.playbookOptions, uncounted.verdicts);
    const now = this.now();
    const { incident } = await journal.openIncident(
      {
        incidentKey: plan.incidentKey,
        accountId: subject.accountId,
        region: subject.region,
        subjectKind: subject.kind,
        subjectId: subject.id,
        findingId: finding.id,
        findingType: finding.type.raw,
        severity: finding.severity,
        // Provisional until the first occurrence is decided; nothing runs on it.
        mode: occurrenceMode(uncounted),
        playbook: plan.playbook,
        plan,
        decision: { ...uncounted, provisional: true },
        subject: subject,
      },
      now,
    );
    const incidentId = incident.incidentId;
    await linkIncidentToSequence(journal, incident, finding, now);
    const ctx = this.occurrenceContext(options);
    // The incident as the decision will need it (does it contain already?), read with the claim rather than after it:
    // a claim that had to wait for another responder reads it again.
    const seen = uncounted.countsPending === true ? journal.getIncident(incidentId) : undefined;
    seen?.catch(() => undefined);
    const claim = await claimOrAwait(ctx, incidentId, occurrenceOf(finding));
    let record = claim.record;
    if (record.decision === undefined) {
      const decision = await this.decideOccurrence(incidentId, finding, subject, selection, uncounted, claim.isNew ? seen : undefined);
      record = await decideClaimed(ctx, incidentId, record, { decision, plan });
    }
    const evidence = await this.options.evidenceFor(incidentId);
    let current: IncidentRecord;
    let merged: 'initial' | 'escalated' | 'unchanged' | undefined;
    let repeated = false;
    if (record.status === 'decided') {
      const m = await mergeIntoIncident(ctx, incidentId, record, evidence.location);
      current = m.incident;
      merged = m.merge.kind;
      repeated = m.merge.kind !== 'unchanged' && m.merge.repeated;
    } else {
      current = (await journal.getIncident(incidentId)) ?? incident;
    }
    if (current.evidenceLocation === undefined) {
      current = await journal.updateIncident(incidentId, { evidenceLocation: evidence.location }, this.now());
    }
    const occurrenceDecision = record.decision;
    let evidenceMarked: Promise<void> | undefined;
    if (record.evidenceWritten !== true) {
      const kind = merged ?? mergeKindOf((await journal.getOccurrence(incidentId, record)) ?? record);
      // Independent objects: written at once (against S3 each is a round trip before any step may start).
      if (kind === 'initial') {
        await settleAll([evidence.put('finding.json', finding.raw), evidence.put('decision.json', occurrenceDecision), evidence.put('plan.json', current.plan)]);
      } else {
        await settleAll([
          evidence.put(`occurrences/${finding.updatedAt}.json`, finding.raw),
          evidence.put(`occurrences/${finding.updatedAt}-decision.json`, occurrenceDecision),
        ]);
      }
      // Written while the plan starts (awaited before this returns): the case's copies are written already, and the
      // mark only spares a re-delivery writing them again.
      evidenceMarked = journal.updateOccurrence(incidentId, record, { evidenceWritten: true }, this.now());
      evidenceMarked.catch(() => undefined);
    }
    const decision = current.decision;
    const newly = merged !== undefined && !repeated;
    const handlingOf = (progressed: boolean): Handling =>
      newly && merged === 'initial' ? 'created' : newly && merged === 'escalated' ? 'escalated' : claim.isNew ? 'appended' : progressed || repeated ? 'resumed' : 'duplicate';
    const outcome = (handling: Handling, status: IncidentRecord['status'], steps: StepRecord[]): SubjectOutcome => ({
      incidentId,
      incidentKey: plan.incidentKey,
      subject,
      created: handling === 'created',
      duplicate: handling === 'duplicate',
      handling,
      decision,
      status,
      steps,
      evidenceLocation: current.evidenceLocation ?? evidence.location,
    });
    if (isReleasedStatus(current.status)) {
      await evidenceMarked;
      return outcome(handlingOf(false), current.status, await journal.getSteps(incidentId));
    }
    // A re-delivery also retries steps that failed on transient errors (throttling, 5xx): that is what it is for.
    const result = await this.run(current, subject, evidence, { ...options, retry: 'transient' });
    await evidenceMarked;
    const handling = handlingOf(result.progressed);
    if (handling === 'created' || handling === 'escalated') {
      await this.notify(current, decision, result.steps, result.status, handling === 'created' ? 'new' : 'escalated');
    } else if (result.status !== current.status) {
      await this.notify(current, decision, result.steps, result.status, handling === 'resumed' ? 'resumed' : 'occurrence');
    }
    return outcome(handling, result.status, result.steps);
  }

  private occurrenceContext(options: RunOptions): OccurrenceContext {
    return {
      journal: this.options.journal,
      runnerId: this.runnerId,
      processId: this.options.processId ?? PROCESS_ID,
      now: this.now,
      leaseMs: options.leaseMs ?? this.options.leaseMs ?? DEFAULT_LEASE_MS,
      waitMs: options.waitMs ?? this.options.waitMs ?? 0,
      sleep: this.options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))),
    };
  }

  /**
   * The occurrence's own decision. Budget and breaker are charged (once: only the occurrence's claimant decides) when it
   * would raise the incident to contain; an incident that already contains was counted when it got there.
   */
  private async decideOccurrence(
    incidentId: string,
    finding: Finding,
    subject: Subject,
    selection: ReturnType<typeof selectForSubject>,
    uncounted: Decision,
    seen?: Promise<IncidentRecord | undefined>,
  ): Promise<Decision> {
    if (uncounted.countsPending !== true) return uncounted;
    const current = await (seen ?? this.options.journal.getIncident(incidentId));
    const alreadyContains = current !== undefined && current.decision.provisional !== true && current.mode === 'contain';
    return alreadyContains ? uncounted : this.chargeGuardrails(finding, subject, selection, uncounted);
  }

  /** Budget and breaker are counted in the journal (shared by every responder), then the guardrails decide again. */
  private async chargeGuardrails(finding: Finding, subject: Subject, selection: ReturnType<typeof selectForSubject>, first: Decision): Promise<Decision> {
    const { journal, policy } = this.options;
    const now = this.now();
    const counts: { breakerHits?: number; budgetUsed?: number; budgetAllowed?: boolean } = {};
    if (!finding.sample) {
      counts.breakerHits = await journal.hitBreaker(`type#${finding.type.raw}`, now, policy.guardrails.breaker.withinMinutes);
    }
    const wouldContain = decide(policy, finding, subject, selection, this.options.responderPrincipalArns ?? [], counts).effectiveMode === 'contain';
    if (wouldContain && first.playbook !== NO_PLAYBOOK) {
      const taken = await journal.takeBudget(subject.accountId, now, policy.guardrails.budget.perAccountPerHour);
      counts.budgetUsed = taken.used;
      counts.budgetAllowed = taken.allowed;
    }
    return decide(policy, finding, subject, selection, this.options.responderPrincipalArns ?? [], counts);
  }

  private async run(
    incident: IncidentRecord,
    subject: Subject,
    evidence: EvidenceWriter,
    options: RunOptions & { retry: RetryFailed },
  ): Promise<{ status: IncidentRecord['status']; steps: StepRecord[]; progressed: boolean }> {
    const { journal } = this.options;
    const decision = incident.decision;
    // The incident's plan may come from an earlier delivery (or policy): its playbook is the one whose actions run.
    await loadPlaybook(incident.plan.playbook);
    let clients: Promise<AwsClients> | undefined;
    const lazyClients = (): Promise<AwsClients> => (clients ??= this.clients(incident));
    const { reopened, steps } = await this.reopen(incident, decision, options.retry);
    const result = await runPlan(
      {
        journal,
        getAction: this.options.getAction,
        isTransient: this.options.isTransient,
        calls: this.options.calls,
        now: this.now,
        runnerId: this.runnerId,
        processId: this.options.processId ?? PROCESS_ID,
        leaseMs: options.leaseMs ?? this.options.leaseMs,
        renewLease: options.renewLease,
        waitMs: options.waitMs ?? this.options.waitMs,
        sleep: this.options.sleep,
        concurrency: this.options.concurrency,
        retry: this.options.retry,
        actor: this.actor,
      },
      {
        incidentId: incident.incidentId,
        plan: incident.plan,
        mode: decision.countsPending ? lowerMode(incident.mode, 'approve') : incident.mode,
        overrides: decision.stepOverrides,
        subject,
        clients: lazyClients,
        evidence,
        ...(options.reads !== undefined ? { reads: options.reads } : {}),
        // The reopen's read, when it moved nothing: the run need not read the steps again.
        ...(reopened === 0 ? { steps } : {}),
      },
    );
    const settled = await this.updateStatus(incident.incidentId);
    return { ...settled, progressed: result.progressed || reopened > 0 };
  }

  /** Finished steps that get another chance (see reopen-steps.ts): how many were reopened, and the steps as read before. */
  private async reopen(incident: IncidentRecord, decision: Decision, retry: RetryFailed): Promise<{ reopened: number; steps: StepRecord[] }> {
    const { journal } = this.options;
    const steps = await journal.getSteps(incident.incidentId);
    let n = 0;
    for (const r of stepsToReopen(incident.plan, steps, decision.stepOverrides, retry)) {
      try {
        await journal.transitionStep(incident.incidentId, r.stepId, [r.from], r.to, { error: null }, this.now());
      } catch (err) {
        if (err instanceof ConflictError) continue; // someone else moved it
        throw err;
      }
      n++;
      await journal.appendEvent(incident.incidentId, { at: this.now().toISOString(), type: 'step.reopened', message: `${r.stepId}: ${r.why}` });
    }
    return { reopened: n, steps };
  }

  /**
   * Writes the incident's status as its steps now say (read again at write time, conditional on the version): a
   * responder that finished with an older view (another process moved steps since) never overwrites a newer status.
   */
  private async updateStatus(incidentId: string): Promise<{ status: IncidentRecord['status']; steps: StepRecord[] }> {
    const { journal } = this.options;
    for (let i = 0; ; i++) {
      const cur = await journal.getIncident(incidentId);
      if (!cur) throw new NotFoundError('incident', incidentId);
      const steps = await journal.getSteps(incidentId);
      if (isReleasedStatus(cur.status)) return { status: cur.status, steps };
      const decision = cur.decision;
      const status = incidentStatusOf(decision.countsPending ? lowerMode(cur.mode, 'approve') : cur.mode, cur.plan, steps);
      if (status === cur.status || i >= 5) return { status, steps };
      try {
        await journal.updateIncident(incidentId, { status }, this.now(), cur.version);
        return { status, steps };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }

  /** The incident, with its playbook loaded (approve, deny, resume and release look its actions up). */
  async getIncident(incidentId: string): Promise<IncidentRecord> {
    const incident = await this.options.journal.getIncident(incidentId);
    if (!incident) throw new NotFoundError('incident', incidentId);
    await loadPlaybook(incident.plan.playbook);
    return incident;
  }

  /** Approve waiting steps (one, or all), then continue the plan. */
  async approve(incidentId: string, request: { stepId?: string; by: string; reason?: string }, options: RunOptions = {}): Promise<{ approved: string[]; status: IncidentRecord['status']; steps: StepRecord[] }> {
    const incident = await this.getIncident(incidentId);
    this.assertActionable(incident, 'approve');
    if (incident.mode === 'observe') {
      throw new TourniquetError('incident.observe', `incident ${incidentId} is in observe mode (${incident.decision.decidedBy}); nothing waits for approval`);
    }
    const approved = await this.decideSteps(incident, request, 'approved');
    const subject = incident.subject;
    const result = await this.run(incident, subject, await this.options.evidenceFor(incidentId), { ...options, retry: 'none' });
    await this.notify(incident, incident.decision, result.steps, result.status, 'approval');
    return { approved, ...result };
  }

  /** Deny waiting steps (one, or all); their dependents are skipped. */
  async deny(incidentId: string, request: { stepId?: string; by: string; reason?: string }, options: RunOptions = {}): Promise<{ denied: string[]; status: IncidentRecord['status']; steps: StepRecord[] }> {
    const incident = await this.getIncident(incidentId);
    this.assertActionable(incident, 'deny');
    if (incident.mode === 'observe') {
      throw new TourniquetError('incident.observe', `incident ${incidentId} is in observe mode (${incident.decision.decidedBy}); nothing waits for approval`);
    }
    const denied = await this.decideSteps(incident, request, 'denied');
    const subject = incident.subject;
    const result = await this.run(incident, subject, await this.options.evidenceFor(incidentId), { ...options, retry: 'none' });
    return { denied, ...result };
  }

  /**
   * Runs what is left of an incident's plan by hand (after a crash, or once a failure's cause is fixed): occurrences
   * decided but not yet merged are merged, steps whose holder is gone are taken over (waiting up to `waitMs` for a
   * live one), failed steps run again unless `retryFailed` is false.
   */
  async resume(incidentId: string, request: { retryFailed?: boolean } & RunOptions = {}): Promise<ResumeResult> {
    const { journal } = this.options;
    this.assertActionable(await this.getIncident(incidentId), 'resume');
    const ctx = this.occurrenceContext(request);
    const occurrences = await journal.listOccurrences(incidentId);
    for (const o of occurrences.filter((x) => x.status === 'decided')) await mergeIntoIncident(ctx, incidentId, o);
    const undecided = occurrences.filter((o) => o.status === 'claimed').map((o) => `${o.findingType} ${o.findingId} (severity ${o.severity}, count ${o.count})`);
    const incident = await this.getIncident(incidentId);
    this.assertActionable(incident, 'resume');
    const decision = incident.decision;
    if (decision.provisional === true) {
      throw new TourniquetError(
        'incident.undecided',
        `incident ${incidentId} has no decided occurrence yet: the responder stopped while deciding ${undecided.join(', ') || 'it'}; respond to the finding again`,
      );
    }
    const subject = incident.subject;
    const result = await this.run(incident, subject, await this.options.evidenceFor(incidentId), { ...request, retry: request.retryFailed === false ? 'none' : 'all' });
    if (result.status !== incident.status) await this.notify(incident, decision, result.steps, result.status, 'resumed');
    return { ...result, undecided };
  }

  private assertActionable(incident: IncidentRecord, verb: string): void {
    if (isReleasedStatus(incident.status)) {
      throw new TourniquetError('incident.released', `cannot ${verb} incident ${incident.incidentId}: it was released by ${incident.releasedBy ?? 'someone'}`);
    }
  }

  private async decideSteps(incident: IncidentRecord, request: { stepId?: string; by: string; reason?: string }, to: 'approved' | 'denied'): Promise<string[]> {
    const { journal } = this.options;
    const steps = await journal.getSteps(incident.incidentId);
    const planIds = new Set(incident.plan.steps.map((s) => s.id));
    if (request.stepId !== undefined && !planIds.has(request.stepId)) {
      throw new NotFoundError(`step of incident ${incident.incidentId}`, request.stepId);
    }
    const effect = new Map(withActionEffects(incident.plan.steps, this.options.getAction).map((s) => [s.id, s.effect]));
    const open = (st: StepRecord): boolean => st.status === 'awaiting-approval' || st.status === 'planned';
    // With a step id: that step, even while it is still planned behind another waiting step (pre-approval).
    // Approving without one: every containment step that waits or is planned behind a waiting one, so one decision
    // contains the instance; destructive steps (stop, NACL cut, role-wide revocation) are never approved in bulk —
    // each needs its own --step. Denying without one: everything that waits.
    const targets = steps.filter((st) => {
      if (request.stepId !== undefined) return st.stepId === request.stepId && open(st);
      if (to === 'denied') return st.status === 'awaiting-approval';
      return open(st) && effect.get(st.stepId) === 'contain' && incident.decision !== null && incident.decision.stepOverrides[st.stepId] !== 'skip';
    });
    if (targets.length === 0) {
      const destructive = steps.filter((st) => st.status === 'awaiting-approval' && effect.get(st.stepId) === 'destructive').map((st) => st.stepId);
      throw new TourniquetError(
        'incident.nothing-waiting',
        request.stepId !== undefined
          ? `step ${request.stepId} of incident ${incident.incidentId} is ${steps.find((st) => st.stepId === request.stepId)?.status ?? 'unknown'}, not waiting for approval`
          : destructive.length > 0 && to === 'approved'
            ? `only destructive steps wait on incident ${incident.incidentId}; approve each one by name (--step): ${destructive.join(', ')}`
            : `no step of incident ${incident.incidentId} waits for approval${steps.some((st) => st.status === 'running' || st.status === 'planned' || st.status === 'approved') ? ' (its plan is unfinished: `tourniquet resume` runs what is left)' : ''}`,
      );
    }
    const at = this.now().toISOString();
    const done: string[] = [];
    for (const s of targets) {
      try {
        await journal.transitionStep(incident.incidentId, s.stepId, [s.status], to, to === 'approved' ? { approvedBy: request.by } : { error: { name: 'Denied', message: `denied by ${request.by}${request.reason ? `: ${request.reason}` : ''}`, transient: false } }, this.now());
        done.push(s.stepId);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      await journal.recordApproval({ incidentId: incident.incidentId, stepId: s.stepId, decision: to === 'approved' ? 'approve' : 'deny', by: request.by, reason: request.reason, at });
    }
    await journal.appendEvent(incident.incidentId, { at, type: 'approval', message: `${to === 'approved' ? 'approved' : 'denied'} by ${request.by}: ${done.join(', ')}${request.reason ? ` (${request.reason})` : ''}` });
    return done;
  }

  /** Restore everything the incident changed, in reverse order, recording who and why. */
  async release(incidentId: string, request: { by: string; reason: string }): Promise<ReleaseResult> {
    const incident = await this.getIncident(incidentId);
    const clients = (): Promise<AwsClients> => this.clients(incident);
    const evidence = await this.options.evidenceFor(incidentId);
    // Loaded when first used: the respond Lambda never releases, so its cold start does not load the release code.
    const { releaseIncident } = await import('./release-incident.js');
    const result = await releaseIncident(
      { journal: this.options.journal, getAction: this.options.getAction, isTransient: this.options.isTransient, calls: this.options.calls, now: this.now, retry: this.options.retry },
      incident,
      clients,
      evidence,
      request,
    );
    await this.notify(result.incident, incident.decision, await this.options.journal.getSteps(incidentId), result.incident.status, 'release');
    return result;
  }

  private async notify(incident: IncidentRecord, decision: Decision, steps: readonly StepRecord[], status: IncidentRecord['status'], reason: string): Promise<void> {
    if (!this.options.notifier) return;
    // A guardrail that lowered the mode is told in every mode, observe included: a silent block is an evasion.
    const notice = reason === 'release' ? undefined : guardrailNotice(decision, incident.plan, this.marks.of(incident.findingId));
    if (incident.mode === 'observe' && notice === undefined) {
      // Observe mode plans and journals only: what would have been sent is on the timeline, nothing leaves.
      await this.options.journal.appendEvent(incident.incidentId, {
        at: this.now().toISOString(),
        type: 'notify.suppressed',
        message: `observe mode (${decision.decidedBy}): ${reason} notification recorded, not sent`,
      });
      return;
    }
    const subject = incident.subject;
    if (reason === 'new' && decision.decidedBy.startsWith('guardrail:')) reason = decision.decidedBy.slice('guardrail:'.length);
    const notification: IncidentNotification = {
      incidentId: incident.incidentId,
      status,
      reason,
      findingType: incident.findingType,
      severity: incident.severity,
      accountId: incident.accountId,
      region: incident.region,
      subject: { kind: subject.kind, id: subject.id, ai: subject.ai.isAi, aiReasons: subject.ai.reasons.map((r) => r.detail) },
      mode: incident.mode,
      decidedBy: decision.decidedBy,
      done: steps.filter((s) => s.status === 'done').map((s) => s.stepId),
      waiting: steps.filter((s) => s.status === 'awaiting-approval').map((s) => s.stepId),
      failed: steps.filter((s) => s.status === 'failed').map((s) => `${s.stepId} (${s.error?.message ?? 'failed'})`),
      notes: [...(notice?.lines ?? []), ...decision.verdicts.filter((v) => v.outcome !== 'pass').map((v) => `${v.guardrail}: ${v.reason}`)],
      releaseHint: `tourniquet release ${incident.incidentId} --reason "<why>"`,
      // What a human must do, loud in every notification but the release (the incident is over then).
      ...(incident.plan.manualSteps?.length && reason !== 'release' ? { manualSteps: incident.plan.manualSteps } : {}),
    };
    if (notice) await this.options.journal.appendEvent(incident.incidentId, guardrailNoticeEvent(notice, this.now()));
    try {
      await this.options.notifier.notify(notification);
    } catch (err) {
      // Containment already happened and is journaled; a failed notification must not undo or repeat it, but it is
      // recorded on the incident's timeline (and the caller's logs), never dropped.
      await this.options.journal.appendEvent(incident.incidentId, {
        at: this.now().toISOString(),
        type: 'notify.failed',
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      this.options.onNotifyError?.(err);
    }
  }
}
