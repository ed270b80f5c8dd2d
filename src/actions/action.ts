/**
 * An action is one capability (isolate an instance's ENIs, snapshot its volumes …). It never decides policy.
 * Contract: `capture` reads the pre-image (no mutation); the engine journals it; only then `apply` mutates.
 * `apply` is idempotent: run twice, the second run finds the state already reached and changes nothing.
 * `release` restores the pre-image. `verify` reads state back to prove the effect holds.
 * Actions are written with `defineAction` (src/actions/define-action.ts).
 */
import type { AwsClientLookup, AwsClients } from '../aws/clients.js';
import type { Json, Subject } from '../findings/model.js';
import type { EffectClass } from '../contracts/plan.js';
import type { EvidenceWriter } from '../evidence/evidence-writer.js';
import type { StepError } from '../errors.js';

/** One IAM statement the action needs. ARNs may use `${Partition}`, `${Region}`, `${Account}` placeholders. */
export interface IamPermission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringEquals: { 'aws:ResourceTag/tourniquet:case': '...' } }`. */
  readonly conditions?: { readonly [operator: string]: { readonly [key: string]: string | readonly string[] } };
  /** Why the action needs it (becomes the statement Sid/comment). */
  readonly why: string;
}

export interface ActionContext {
  readonly clients: AwsClients;
  readonly incidentId: string;
  /** Case id used in tags and evidence (the incident id). */
  readonly caseId: string;
  readonly subject: Subject;
  readonly evidence: EvidenceWriter;
  readonly now: () => Date;
  /** Who or what is acting (`tourniquet/<version>` or the releasing user). */
  readonly actor: string;
  /** The plan step being run, used in StepError messages (actions fall back to their own name). */
  readonly stepId?: string;
  /**
   * Reads shared by the steps of this run of the plan (absent outside the engine: read directly). For `capture` and
   * for identity facts (which volumes, which ENIs), never for the effect `verify` checks: that is always read afresh.
   */
  readonly reads?: SharedReads;
  /**
   * True on the first `apply` after a `capture` of this run: the pre-image is the current state, so `apply` may act
   * on it without reading it again. False or absent (a retry, a pre-image journaled by an earlier run): read first.
   */
  readonly preImageFresh?: boolean;
  /**
   * True for a `capture` before the step's first claim ever (no responder has attempted it): nothing an attempt of
   * this step would have made (a snapshot tagged with the case) can exist yet, so the capture need not look for it.
   */
  readonly firstAttempt?: boolean;
}

/** A memo of read-only AWS answers for one run: `get(key, load)` calls `load` once per key (answers only). */
export interface SharedReads {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** `load()` through the run's shared reads when there are any. */
export function sharedRead<T>(ctx: { readonly reads?: SharedReads }, key: string, load: () => Promise<T>): Promise<T> {
  return ctx.reads !== undefined ? ctx.reads.get(key, load) : load();
}

/** The context an action's phases get: the engine's context bound to the action. */
export interface BoundActionContext extends ActionContext {
  /** The action's name (`ec2.tag-instance`). */
  readonly action: string;
  /** `ctx.aws(EC2Client)`: the client of any SDK v3 class for the subject's account and Region (cached, recorded, rate limited). */
  readonly aws: AwsClientLookup;
  /** A StepError naming the step and the action, with `cause` kept: `throw ctx.fail('instance … does not exist')`. */
  fail(message: string, cause?: unknown): StepError;
}

/** What a shared read needs of a context: the run's reads and the clients (an action's context or a prefetch's). */
export type ReadContext = Pick<BoundActionContext, 'aws' | 'reads'>;

/**
 * What an action's `prefetch` gets: the subject, the run's shared reads and its clients, before there is an incident
 * (src/engine/prefetch-reads.ts).
 */
export interface PrefetchContext {
  readonly subject: Subject;
  readonly reads: SharedReads;
  readonly aws: AwsClientLookup;
}

export interface VerifyResult {
  readonly holds: boolean;
  /** What was read back, for people. */
  readonly detail: string;
}

/** A registered action as the engine sees it. `I` is the parsed input. */
export interface Action<I = Json, P extends Json = Json, O extends Json = Json> {
  readonly name: string;
  readonly effect: EffectClass;
  /** True when the action has a `release`. */
  readonly reversible: boolean;
  /**
   * An irreversible action whose result is kept on purpose when the incident is released, and why (it changed no
   * workload resource: e.g. the shared isolation groups). Release lists it as kept, not as left to restore by hand.
   */
  readonly keptOnRelease?: string;
  readonly description: string;
  readonly permissions: readonly IamPermission[];
  /** Validates a step's input once, before the phases run: a StepError naming the field and the value received. */
  parseInput(raw: unknown, ctx: ActionContext): I;
  /** Read the state the action is about to change. Must not mutate. */
  capture(input: I, ctx: ActionContext): Promise<P>;
  /** Mutate. Idempotent. Returns what it did (ids created, etc.). */
  apply(input: I, preImage: P, ctx: ActionContext): Promise<O>;
  /** Restore the pre-image. Idempotent. Absent for non-reversible actions. */
  release?(input: I, preImage: P, output: O | undefined, ctx: ActionContext): Promise<Json>;
  verify?(input: I, ctx: ActionContext): Promise<VerifyResult>;
  /**
   * Reads that depend only on the subject, into the shared reads, started before the incident is opened (with the
   * live-tags read) so that `capture` finds them answered. Read-only. Absent for most actions.
   */
  prefetch?(ctx: PrefetchContext): Promise<unknown>;
  /**
   * Reads `capture` will need, into the shared reads, started when the plan's run starts (alongside its first steps)
   * for a step that runs later and has no pre-image yet: for what only another read can find first (a role's policy,
   * once the profile's roles are known), so the read overlaps the steps before this one instead of adding a round
   * trip. Read-only; only what no earlier step of the plan changes. Absent for most actions.
   */
  readAhead?(ctx: PrefetchContext): Promise<unknown>;
}

/** An action whose input/pre-image/output types are erased, as held by the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = Action<any, any, any>;
