/**
 * Which finished steps a resumed plan runs again (pure): failed steps (all of them when a human resumes, only the
 * transient failures on a re-delivery), steps the policy skipped that the incident's decision no longer skips (it was
 * escalated), and the steps skipped only because one of those did not succeed. Denied steps stay denied: a human
 * said no.
 */
import type { StepRecord, StepStatus } from '../journal/journal.js';
import type { Plan } from '../contracts/plan.js';
import type { StepOverride } from '../policy/policy.js';
import { allDependencies } from './step-graph.js';

/** Failed steps to run again: every one (`all`), those that failed on transient errors, or none. */
export type RetryFailed = 'all' | 'transient' | 'none';

export interface Reopen {
  readonly stepId: string;
  readonly from: StepStatus;
  /** `approved` when a human approved it before: it does not wait again. */
  readonly to: 'planned' | 'approved';
  readonly why: string;
}

/** Reasons journaled on skipped steps (see run-plan.ts). */
export const SKIPPED_BY_POLICY = 'SkippedByPolicy';
export const SKIPPED_BY_DEPENDENCY = 'DependencyNotSatisfied';

export function stepsToReopen(
  plan: Plan,
  steps: readonly StepRecord[],
  overrides: Readonly<Record<string, StepOverride>>,
  retry: RetryFailed,
): Reopen[] {
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const reopened = new Map<string, Reopen>();
  const to = (rec: StepRecord): Reopen['to'] => (rec.approvedBy !== undefined ? 'approved' : 'planned');
  for (const rec of steps) {
    if (rec.status === 'failed' && (retry === 'all' || (retry === 'transient' && rec.error?.transient === true))) {
      const why = retry === 'all' ? 'run again on resume' : 'run again: it failed on a transient error';
      reopened.set(rec.stepId, { stepId: rec.stepId, from: 'failed', to: to(rec), why });
    } else if (rec.status === 'skipped' && rec.error?.name === SKIPPED_BY_POLICY && overrides[rec.stepId] !== 'skip') {
      reopened.set(rec.stepId, { stepId: rec.stepId, from: 'skipped', to: to(rec), why: 'the incident’s decision no longer skips it' });
    }
  }
  const blocks = (id: string, mustSucceed: readonly string[]): boolean => {
    const dep = byId.get(id);
    if (dep === undefined || reopened.has(id)) return false;
    if (dep.status === 'failed' || dep.status === 'denied' || dep.status === 'release-failed' || dep.status === 'released') return true;
    return dep.status === 'skipped' && (dep.error?.name === SKIPPED_BY_DEPENDENCY || mustSucceed.includes(id));
  };
  // Steps skipped because of a reopened step get their chance again (until nothing changes).
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of plan.steps) {
      const rec = byId.get(step.id);
      if (rec === undefined || reopened.has(step.id) || rec.status !== 'skipped' || rec.error?.name !== SKIPPED_BY_DEPENDENCY) continue;
      const deps = allDependencies(step);
      const cause = deps.find((d) => reopened.has(d));
      // Only when nothing else would skip it again at once.
      if (cause === undefined || deps.some((d) => blocks(d, step.requiresSuccessOf ?? []))) continue;
      reopened.set(step.id, { stepId: step.id, from: 'skipped', to: to(rec), why: `its dependency ${cause} runs again` });
      changed = true;
    }
  }
  return [...reopened.values()];
}
