/**
 * How a newly decided occurrence changes its incident (pure). Every occurrence is decided on its own; merging it may
 * only escalate the incident: its mode rises (observe → approve → contain), steps are added, a step's override may
 * only allow more — never the reverse. A lower decision changes nothing (an attacker who can raise a harmless finding
 * on an instance at will must not be able to calm its incident down). The first decided occurrence replaces the
 * provisional decision the incident was opened with.
 */
import type { Decision } from '../policy/decision.js';
import type { StepOverride } from '../policy/policy.js';
import { modeRank } from '../policy/mode-order.js';
import type { ManualStep, Mode, Plan, PlanStep } from '../contracts/plan.js';

export interface OccurrenceInfo {
  readonly findingId: string;
  readonly findingType: string;
  readonly severity: number;
  readonly count: number;
  /** When it was merged (ISO-8601). */
  readonly at: string;
}

export interface Escalation extends OccurrenceInfo {
  readonly from: Mode;
  readonly to: Mode;
  /** The occurrence decision's `decidedBy` (rule or guardrail). */
  readonly decidedBy: string;
  readonly addedSteps: readonly string[];
  /** Manual steps (for humans) the occurrence added; absent when none. */
  readonly addedManualSteps?: readonly string[];
  /** Steps whose override now allows more (e.g. auto-approve). */
  readonly loosenedSteps: readonly string[];
}

/**
 * The decision journaled on an incident: a policy decision, `provisional` until the first occurrence is decided
 * (budget and breaker not yet counted), and the last escalation when one happened.
 */
export type IncidentDecision = Decision & {
  readonly provisional?: true;
  readonly escalation?: Escalation;
  /** The occurrence whose decision this is (set by the first decided occurrence and by each mode escalation). */
  readonly occurrence?: { readonly findingId: string; readonly severity: number; readonly count: number };
};

/** `repeated`: the incident had already taken this occurrence in (an earlier delivery stopped before recording so). */
export type Merge =
  | { readonly kind: 'initial'; readonly mode: Mode; readonly plan: Plan; readonly decision: IncidentDecision; readonly repeated: boolean }
  | {
      readonly kind: 'escalated';
      readonly mode: Mode;
      readonly plan: Plan;
      readonly decision: IncidentDecision;
      readonly escalation: Escalation;
      readonly repeated: boolean;
    }
  | { readonly kind: 'unchanged'; readonly why: string };

export interface MergeInput {
  readonly current: { readonly mode: Mode; readonly plan: Plan; readonly decision: IncidentDecision };
  readonly occurrence: { readonly decision: Decision; readonly plan: Plan; readonly info: OccurrenceInfo };
  /** Steps that have started (or finished): their definitions are kept whatever the new plan says. */
  readonly startedSteps: ReadonlySet<string>;
}

/** One line for the timeline: `escalated observe → contain by <type> <id> (<decidedBy>)`. */
export function describeEscalation(e: Escalation): string {
  const what = e.from === e.to ? `escalated (${e.to}, more steps)` : `escalated ${e.from} → ${e.to}`;
  const extra = [
    ...(e.addedSteps.length > 0 ? [`added ${e.addedSteps.join(', ')}`] : []),
    ...((e.addedManualSteps?.length ?? 0) > 0 ? [`MANUAL STEPS added ${e.addedManualSteps!.join(', ')}`] : []),
    ...(e.loosenedSteps.length > 0 ? [`allowed more for ${e.loosenedSteps.join(', ')}`] : []),
  ];
  return `${what} by ${e.findingType} ${e.findingId} (severity ${e.severity}, count ${e.count}; ${e.decidedBy})${extra.length > 0 ? `: ${extra.join('; ')}` : ''}`;
}

/** The mode an occurrence decision stands for. Budget/breaker not counted: never more than approve. */
export function occurrenceMode(decision: Decision): Mode {
  return decision.countsPending === true && decision.effectiveMode === 'contain' ? 'approve' : decision.effectiveMode;
}

const sameOccurrence = (a: { findingId: string; severity: number; count: number } | undefined, b: OccurrenceInfo): boolean =>
  a !== undefined && a.findingId === b.findingId && a.severity === b.severity && a.count === b.count;

export function mergeOccurrence(input: MergeInput): Merge {
  const { current, occurrence, startedSteps } = input;
  const next = occurrence.decision;
  const info = occurrence.info;
  const key = { findingId: info.findingId, severity: info.severity, count: info.count };
  const { provisional, escalation: lastEscalation } = current.decision;
  if (provisional !== true) {
    // Taken in already by a delivery that stopped before it could say so: the same result again, nothing to write.
    if (lastEscalation !== undefined && sameOccurrence(lastEscalation, info)) {
      return { kind: 'escalated', mode: current.mode, plan: current.plan, decision: current.decision, escalation: lastEscalation, repeated: true };
    }
    if (lastEscalation === undefined && sameOccurrence(current.decision.occurrence, info)) {
      return { kind: 'initial', mode: current.mode, plan: current.plan, decision: current.decision, repeated: true };
    }
  }
  if (provisional === true) {
    const plan = unionPlan(current.plan, occurrence.plan, startedSteps, true).plan;
    return { kind: 'initial', mode: occurrenceMode(next), plan, decision: { ...next, occurrence: key }, repeated: false };
  }
  const from = current.mode;
  // Budget and breaker are charged only when an occurrence would raise its incident to contain: on an incident that
  // already contains, an uncounted contain decision stands for contain (it may add steps).
  const nextMode = next.countsPending === true && next.effectiveMode === 'contain' && from === 'contain' ? 'contain' : occurrenceMode(next);
  const rise = modeRank(nextMode) - modeRank(from);
  if (rise < 0) {
    return { kind: 'unchanged', why: `${nextMode} (${next.decidedBy}) is below the incident's ${from}: an incident never de-escalates` };
  }
  const { plan, added, addedManual } = unionPlan(current.plan, occurrence.plan, startedSteps, rise > 0);
  const base: Omit<Escalation, 'loosenedSteps'> = {
    ...occurrence.info,
    from,
    to: nextMode,
    decidedBy: next.decidedBy,
    addedSteps: added,
    ...(addedManual.length > 0 ? { addedManualSteps: addedManual } : {}),
  };
  if (rise > 0) {
    const stepOverrides = keepAvailable(from, current.decision.stepOverrides, next.stepOverrides);
    const escalation: Escalation = { ...base, loosenedSteps: [] };
    const decision: IncidentDecision = { ...next, stepOverrides, escalation, occurrence: key, why: [...next.why, describeEscalation(escalation)] };
    return { kind: 'escalated', mode: nextMode, plan, decision, escalation, repeated: false };
  }
  // Same mode: the governing decision stays; the occurrence may add steps and allow more per step.
  const { overrides, loosened } = loosen(current.decision.stepOverrides, next.stepOverrides, plan.steps, added);
  // New manual steps are news for the humans who must do them: the plan changes (the timeline says which).
  if (added.length === 0 && loosened.length === 0 && addedManual.length === 0) {
    return { kind: 'unchanged', why: `${nextMode} (${next.decidedBy}), as the incident already is; no new steps` };
  }
  const escalation: Escalation = { ...base, loosenedSteps: loosened };
  const decision: IncidentDecision = { ...current.decision, stepOverrides: overrides, escalation, why: [...current.decision.why, describeEscalation(escalation)] };
  return { kind: 'escalated', mode: from, plan, decision, escalation, repeated: false };
}

/**
 * Steps of both plans, in the current plan's order with the new ones after. A step that has not started takes the
 * new definition when `preferNext` (the escalating finding describes the incident better, e.g. in tags).
 */
function unionPlan(current: Plan, next: Plan, started: ReadonlySet<string>, preferNext: boolean): { plan: Plan; added: string[]; addedManual: string[] } {
  const manual = unionManualSteps(current.manualSteps ?? [], next.manualSteps ?? [], preferNext);
  const withManual = (plan: Plan): Plan => {
    const { manualSteps: _, ...rest } = plan;
    return manual.steps.length > 0 ? { ...rest, manualSteps: manual.steps } : rest;
  };
  if (current.steps.length === 0) return { plan: withManual(next), added: next.steps.map((s) => s.id), addedManual: manual.added };
  const nextById = new Map(next.steps.map((s) => [s.id, s]));
  const have = new Set(current.steps.map((s) => s.id));
  const steps: PlanStep[] = current.steps.map((s) => (preferNext && !started.has(s.id) ? (nextById.get(s.id) ?? s) : s));
  const added = next.steps.filter((s) => !have.has(s.id));
  return { plan: withManual({ ...current, steps: [...steps, ...added] }), added: added.map((s) => s.id), addedManual: manual.added };
}

/** Manual steps of both plans by id (a human may be doing one already: none is dropped), the new ones after. */
function unionManualSteps(current: readonly ManualStep[], next: readonly ManualStep[], preferNext: boolean): { steps: ManualStep[]; added: string[] } {
  const nextById = new Map(next.map((m) => [m.id, m]));
  const have = new Set(current.map((m) => m.id));
  const added = next.filter((m) => !have.has(m.id));
  return { steps: [...current.map((m) => (preferNext ? (nextById.get(m.id) ?? m) : m)), ...added], added: added.map((m) => m.id) };
}

/** skip < require-approval < (none) < auto-approve: how much an override lets a step do. */
function permissiveness(o: StepOverride | undefined): number {
  return o === 'skip' ? 0 : o === 'require-approval' ? 1 : o === undefined ? 2 : 3;
}

/**
 * The escalating decision's overrides, except that a step it would skip stays available (waiting for a human) when it
 * was available before: in approve or contain mode someone may already be about to approve it.
 */
function keepAvailable(from: Mode, current: Readonly<Record<string, StepOverride>>, next: Readonly<Record<string, StepOverride>>): Record<string, StepOverride> {
  const out: Record<string, StepOverride> = { ...next };
  if (from === 'observe') return out;
  for (const [id, o] of Object.entries(next)) {
    if (o === 'skip' && current[id] !== 'skip') out[id] = current[id] === 'auto-approve' ? 'auto-approve' : 'require-approval';
  }
  return out;
}

function loosen(
  current: Readonly<Record<string, StepOverride>>,
  next: Readonly<Record<string, StepOverride>>,
  steps: readonly PlanStep[],
  added: readonly string[],
): { overrides: Record<string, StepOverride>; loosened: string[] } {
  const merged = new Map<string, StepOverride | undefined>(Object.entries(current));
  const loosened: string[] = [];
  for (const { id } of steps) {
    // A step the occurrence adds comes with the occurrence's own override, whatever it is.
    if (added.includes(id)) {
      merged.set(id, next[id]);
      continue;
    }
    if (permissiveness(next[id]) <= permissiveness(current[id])) continue;
    merged.set(id, next[id]);
    loosened.push(id);
  }
  const overrides: Record<string, StepOverride> = {};
  for (const [id, o] of merged) if (o !== undefined) overrides[id] = o;
  return { overrides, loosened };
}
