/**
 * The journal: the durable record of incidents, their plans, every step run with its pre-image and result,
 * approvals, budgets and breaker counts. One DynamoDB table (single-table design, see README "Journal layout").
 * Every state change is a conditional write, so re-delivery and two responders racing are safe.
 */
import type { Escalation, IncidentDecision } from '../engine/escalate.js';
import type { Json, Subject } from '../findings/model.js';
import type { Mode, Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';

export type IncidentStatus =
  | 'observed' // observe mode: planned and journaled only
  | 'awaiting-approval' // some steps wait for a human
  | 'in-progress'
  | 'contained' // every runnable step done
  | 'partial' // some steps failed
  | 'released'
  | 'release-failed' // a restore failed: run `release` again
  | 'release-partial'; // something that may have changed could not be restored (listed on the timeline)

/**
 * Incident statuses after a release: the incident takes no more approvals, its status is no longer recomputed, and a
 * later finding on the same resource opens a new incident (the release was an operator's decision).
 */
const RELEASED_STATUSES: readonly IncidentStatus[] = ['released', 'release-failed', 'release-partial'];

export function isReleasedStatus(status: IncidentStatus): boolean {
  return RELEASED_STATUSES.includes(status);
}

export type StepStatus =
  | 'planned' // not run yet (observe mode, or waiting for dependencies)
  | 'awaiting-approval'
  | 'approved' // approved, not run yet
  | 'denied'
  | 'running' // claimed by a responder (lease in `leaseUntil`)
  | 'done'
  | 'failed'
  | 'skipped' // by policy override, or because a dependency failed (reason in `error`)
  | 'released'
  | 'release-failed';

export interface NewIncident {
  readonly incidentKey: string;
  readonly accountId: string;
  readonly region: string;
  readonly subjectKind: string;
  readonly subjectId: string;
  readonly findingId: string;
  readonly findingType: string;
  readonly severity: number;
  readonly mode: Mode;
  readonly playbook: string;
  readonly plan: Plan;
  /** The policy decision with every guardrail verdict (stored as JSON). */
  readonly decision: IncidentDecision;
  /** The subject as parsed (stored as JSON). */
  readonly subject: Subject;
  readonly evidenceLocation?: string;
  /** The GuardDuty attack sequence (its finding id) this incident is part of: see engine/attack-sequence-link.ts. */
  readonly attackSequenceId?: string;
}

export interface IncidentRecord extends NewIncident {
  readonly incidentId: string;
  readonly status: IncidentStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly occurrences: number;
  /** Optimistic-locking counter; every update increments it. */
  readonly version: number;
  readonly releasedBy?: string;
  readonly releaseReason?: string;
  readonly releasedAt?: string;
}

export interface StepRecord {
  readonly incidentId: string;
  readonly stepId: string;
  readonly action: string;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly preImage?: Json;
  readonly output?: Json;
  readonly error?: { readonly name: string; readonly message: string; readonly transient: boolean };
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly leaseOwner?: string;
  readonly leaseUntil?: string;
  /** The process of the lease holder (`host#pid#random`): with an exclusive journal, another process is gone. */
  readonly leaseProcess?: string;
  readonly approvedBy?: string;
  readonly releasedAt?: string;
  readonly releaseOutput?: Json;
}

/**
 * One occurrence of a finding: a finding id, or the same id re-published with a higher severity or count. Each
 * occurrence is claimed by one responder (conditional put), decided on its own, then merged into the incident.
 */
export interface OccurrenceKey {
  readonly findingId: string;
  readonly severity: number;
  readonly count: number;
}

export interface NewOccurrence extends OccurrenceKey {
  readonly findingType: string;
  readonly updatedAt: string;
}

/** claimed: someone is deciding it; decided: its decision is journaled; merged: the incident has taken it in. */
export type OccurrenceStatus = 'claimed' | 'decided' | 'merged';

export interface OccurrenceRecord extends NewOccurrence {
  readonly incidentId: string;
  readonly status: OccurrenceStatus;
  readonly recordedAt: string;
  /** The responder deciding it, its process and how long the claim holds. */
  readonly claimedBy: string;
  readonly claimProcess?: string;
  readonly claimUntil: string;
  /** The occurrence's own decision and plan (stored as JSON), once decided: enough to merge it without the finding. */
  readonly decision?: Decision;
  readonly plan?: Plan;
  readonly decidedAt?: string;
  /** What merging it did to the incident, e.g. `escalated observe → contain`. */
  readonly merge?: string;
  readonly mergedAt?: string;
  /** Its evidence (the finding as received) is in the case. */
  readonly evidenceWritten?: boolean;
}

export interface LeaseClaim {
  readonly owner: string;
  readonly process: string;
  /** ISO-8601 UTC. */
  readonly until: string;
}

export interface TimelineEvent {
  readonly at: string;
  /** e.g. `decision`, `escalation`, `occurrence`, `step.done`, `step.failed`, `step.taken-over`, `step.reopened`, `approval`, `release`, `notify`. */
  readonly type: string;
  readonly message: string;
  readonly data?: Json;
}

/** An event as appended: its data may also be a decision or an escalation, stored as JSON like any data. */
export interface NewTimelineEvent extends Omit<TimelineEvent, 'data'> {
  readonly data?: Json | IncidentDecision | Escalation;
}

export interface ApprovalRecord {
  readonly incidentId: string;
  /** A step id, or `*` for every waiting step. */
  readonly stepId: string;
  readonly decision: 'approve' | 'deny';
  readonly by: string;
  readonly reason?: string;
  readonly at: string;
}

export interface StepPatch {
  readonly attempts?: number;
  readonly preImage?: Json;
  readonly output?: Json;
  readonly error?: StepRecord['error'] | null;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly leaseOwner?: string | null;
  readonly leaseUntil?: string | null;
  readonly leaseProcess?: string | null;
  readonly approvedBy?: string;
  readonly releasedAt?: string;
  readonly releaseOutput?: Json;
}

export interface Journal {
  /**
   * True when no other process can use this journal while it is open (the embedded journal: its folder is locked, or
   * it lives in memory). Then a step or claim held by another process is provably abandoned.
   */
  readonly exclusive: boolean;
  /** Create the table if it does not exist (embedded/dev); a no-op check against an existing table. */
  ensureTable(): Promise<void>;
  /**
   * Open the incident for `incidentKey`, or return the open one (created=false). Race-safe: two callers get the same
   * incident. A released incident does not absorb new findings: a new incident is opened.
   */
  openIncident(init: NewIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }>;
  /**
   * Claim one occurrence for deciding (conditional put; the incident's `occurrences` counter counts new ones).
   * claimed=false: it exists already (re-delivery, or another responder has it): the stored record is returned.
   * `takeOverFrom`: take over an undecided claim held by that owner (whose holder is gone); ConflictError if it moved.
   */
  claimOccurrence(
    incidentId: string,
    occurrence: NewOccurrence,
    claim: LeaseClaim,
    now: Date,
    options?: { takeOverFrom?: string },
  ): Promise<{ occurrence: OccurrenceRecord; claimed: boolean }>;
  /** Journal the occurrence's decision and plan; only its claimant may, and only once (ConflictError otherwise). */
  decideOccurrence(incidentId: string, key: OccurrenceKey, decided: { decision: Decision; plan: Plan }, owner: string, now: Date): Promise<OccurrenceRecord>;
  /** Mark what merging it did and whether its evidence was written. */
  updateOccurrence(incidentId: string, key: OccurrenceKey, patch: { merge?: string; evidenceWritten?: boolean }, now: Date): Promise<void>;
  getOccurrence(incidentId: string, key: OccurrenceKey): Promise<OccurrenceRecord | undefined>;
  /** In key order (finding id, then severity and count). */
  listOccurrences(incidentId: string): Promise<OccurrenceRecord[]>;
  getIncident(incidentId: string): Promise<IncidentRecord | undefined>;
  /** The id the key's open-incident pointer names (one read; the incident may since have been released), if any. */
  openIncidentId(incidentKey: string): Promise<string | undefined>;
  /** Newest first. */
  listIncidents(options?: { status?: IncidentStatus; limit?: number; attackSequenceId?: string }): Promise<IncidentRecord[]>;
  /** Conditional on `expectedVersion` when given (ConflictError otherwise). */
  updateIncident(
    incidentId: string,
    patch: Partial<Pick<IncidentRecord, 'status' | 'releasedBy' | 'releaseReason' | 'releasedAt' | 'evidenceLocation' | 'plan' | 'mode' | 'decision' | 'playbook' | 'findingId' | 'findingType' | 'severity' | 'attackSequenceId'>>,
    now: Date,
    expectedVersion?: number,
  ): Promise<IncidentRecord>;
  /**
   * Create step records that do not exist yet (existing ones are left as they are). `ordinal` is the step's place in
   * the plan (default: its index in `steps`). Returns the records it created, as written (not the existing ones).
   */
  putSteps(incidentId: string, steps: ReadonlyArray<{ stepId: string; action: string; status: StepStatus; ordinal?: number }>, now: Date): Promise<StepRecord[]>;
  getSteps(incidentId: string): Promise<StepRecord[]>;
  /**
   * Move a step from one of `from` to `to`, applying `patch`, as one conditional write. Throws ConflictError when the
   * step is not in one of `from` (another responder got there first). `running` with an expired lease counts as
   * claimable when `from` includes `running`.
   * Lease rules for a step that is `running` when `from` includes `running`: a patch that sets `leaseOwner` is a claim
   * and matches only if the lease has expired (or is absent) or is already held by that owner; otherwise, when
   * `options.leaseOwner` is given, it matches only if that owner holds the lease or the lease has expired (a fence
   * against a responder whose lease was taken over); with neither, it matches whoever holds it.
   * `options.takeOver`: the lease owner the caller saw and knows to be gone (its process ended): a claim also matches a
   * step still leased to that owner (and only to that one).
   * `leaseUntil` values are compared as ISO-8601 UTC strings (`Date#toISOString`).
   * `options.noPreImage`: matches only a step with no journaled pre-image (a claim that brings its own pre-image never
   * replaces one an earlier holder journaled before it changed anything).
   */
  transitionStep(
    incidentId: string,
    stepId: string,
    from: readonly StepStatus[],
    to: StepStatus,
    patch: StepPatch,
    now: Date,
    options?: { leaseOwner?: string; takeOver?: string; noPreImage?: boolean },
  ): Promise<StepRecord>;
  appendEvent(incidentId: string, event: NewTimelineEvent): Promise<void>;
  listEvents(incidentId: string): Promise<TimelineEvent[]>;
  recordApproval(approval: ApprovalRecord): Promise<void>;
  listApprovals(incidentId: string): Promise<ApprovalRecord[]>;
  /** Take one unit of the per-account hourly containment budget. allowed=false (nothing taken) when `limit` is used up. */
  takeBudget(accountId: string, now: Date, limit: number): Promise<{ allowed: boolean; used: number }>;
  /** Count one hit for `key` (e.g. a finding type) and return the hits within the last `windowMinutes`, this one included. */
  hitBreaker(key: string, now: Date, windowMinutes: number): Promise<number>;
  /**
   * Claim a one-time key (e.g. an approval link's nonce): true the first time, false for every later claim while the
   * first is unexpired. The claim is kept until `expiresAt` (then TTL may remove it).
   */
  claimOnce(key: string, expiresAt: Date, now: Date): Promise<boolean>;
  close(): Promise<void>;
}
