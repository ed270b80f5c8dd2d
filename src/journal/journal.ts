/**
 * The journal: the durable record of incidents, their plans, every step run with its pre-image and result,
 * approvals, budgets and breaker counts. One DynamoDB table (single-table design, see README "Journal layout").
 * Every state change is a conditional write, so re-delivery and two responders racing are safe.
 */
import type { Json } from '../findings/model.js';
import type { Mode, Plan } from '../playbooks/plan.js';

export type IncidentStatus =
  | 'observed' // observe mode: planned and journaled only
  | 'awaiting-approval' // some steps wait for a human
  | 'in-progress'
  | 'contained' // every runnable step done
  | 'partial' // some steps failed
  | 'released'
  | 'release-failed' // a restore failed: run `release` again
  | 'release-partial'; // something that may have changed could not be restored (listed on the timeline)

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
  /** The policy decision with every guardrail verdict (JSON). */
  readonly decision: Json;
  /** The subject as parsed (JSON). */
  readonly subject: Json;
  readonly evidenceLocation?: string;
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
  readonly approvedBy?: string;
  readonly releasedAt?: string;
  readonly releaseOutput?: Json;
}

export interface TimelineEvent {
  readonly at: string;
  /** e.g. `occurrence`, `decision`, `step.done`, `step.failed`, `approval`, `release`, `notify`. */
  readonly type: string;
  readonly message: string;
  readonly data?: Json;
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
  readonly approvedBy?: string;
  readonly releasedAt?: string;
  readonly releaseOutput?: Json;
}

export interface Journal {
  /** Create the table if it does not exist (embedded/dev); a no-op check against an existing table. */
  ensureTable(): Promise<void>;
  /**
   * Open the incident for `incidentKey`, or return the open one (created=false). Race-safe: two callers get the same
   * incident. A released incident does not absorb new findings: a new incident is opened.
   */
  openIncident(init: NewIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }>;
  /** Record one finding occurrence (`findingId` + `updatedAt`). Returns false when it was already recorded. */
  recordOccurrence(incidentId: string, findingId: string, updatedAt: string, now: Date): Promise<boolean>;
  getIncident(incidentId: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  listIncidents(options?: { status?: IncidentStatus; limit?: number }): Promise<IncidentRecord[]>;
  /** Conditional on `expectedVersion` when given (ConflictError otherwise). */
  updateIncident(
    incidentId: string,
    patch: Partial<Pick<IncidentRecord, 'status' | 'releasedBy' | 'releaseReason' | 'releasedAt' | 'evidenceLocation' | 'plan' | 'mode' | 'decision'>>,
    now: Date,
    expectedVersion?: number,
  ): Promise<IncidentRecord>;
  /** Create step records that do not exist yet (existing ones are left as they are). */
  putSteps(incidentId: string, steps: ReadonlyArray<{ stepId: string; action: string; status: StepStatus }>, now: Date): Promise<void>;
  getSteps(incidentId: string): Promise<StepRecord[]>;
  /**
   * Move a step from one of `from` to `to`, applying `patch`, as one conditional write. Throws ConflictError when the
   * step is not in one of `from` (another responder got there first). `running` with an expired lease counts as
   * claimable when `from` includes `running`.
   * Lease rules for a step that is `running` when `from` includes `running`: a patch that sets `leaseOwner` is a claim
   * and matches only if the lease has expired (or is absent) or is already held by that owner; otherwise, when
   * `options.leaseOwner` is given, it matches only if that owner holds the lease or the lease has expired (a fence
   * against a responder whose lease was taken over); with neither, it matches whoever holds it.
   * `leaseUntil` values are compared as ISO-8601 UTC strings (`Date#toISOString`).
   */
  transitionStep(
    incidentId: string,
    stepId: string,
    from: readonly StepStatus[],
    to: StepStatus,
    patch: StepPatch,
    now: Date,
    options?: { leaseOwner?: string },
  ): Promise<StepRecord>;
  appendEvent(incidentId: string, event: TimelineEvent): Promise<void>;
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
