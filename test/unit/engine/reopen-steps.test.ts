/**
 * Which finished steps a resumed plan runs again.
 */
import { describe, expect, it } from 'vitest';
import { stepsToReopen, SKIPPED_BY_DEPENDENCY, SKIPPED_BY_POLICY } from '../../../src/engine/reopen-steps.js';
import type { StepRecord, StepStatus } from '../../../src/journal/journal.js';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';

const step = (id: string, dependsOn: string[] = [], extra: Partial<PlanStep> = {}): PlanStep => ({ id, action: id, input: {}, dependsOn, effect: 'contain', reversible: true, description: id, ...extra });
const plan: Plan = {
  playbook: 'p',
  incidentKey: 'k',
  steps: [step('capture'), step('snapshot', ['capture']), step('isolate', [], { after: ['snapshot'] }), step('imds', ['isolate']), step('stop', ['isolate'], { requiresSuccessOf: ['snapshot'] }), step('other')],
};
const rec = (stepId: string, status: StepStatus, extra: Partial<StepRecord> = {}): StepRecord => ({ incidentId: 'i', stepId, action: stepId, status, attempts: 1, updatedAt: 't', ...extra });
const skippedBy = (stepId: string, name: string, extra: Partial<StepRecord> = {}): StepRecord =>
  rec(stepId, 'skipped', { error: { name, message: 'x', transient: false }, ...extra });

describe('stepsToReopen', () => {
  const steps = [
    rec('capture', 'done'),
    rec('snapshot', 'failed', { error: { name: 'Throttling', message: 'Rate exceeded', transient: true } }),
    rec('isolate', 'failed', { error: { name: 'AccessDenied', message: 'no', transient: false }, approvedBy: 'carol' }),
    skippedBy('imds', SKIPPED_BY_DEPENDENCY),
    skippedBy('stop', SKIPPED_BY_DEPENDENCY),
    rec('other', 'denied'),
  ];

  it('a re-delivery retries transient failures only, and what was skipped because of them alone', () => {
    // stop also depends on isolate, whose failure is not retried: it would be skipped again at once.
    expect(stepsToReopen(plan, steps, {}, 'transient')).toEqual([{ stepId: 'snapshot', from: 'failed', to: 'planned', why: 'run again: it failed on a transient error' }]);
    const isolateDone = steps.map((s) => (s.stepId === 'isolate' ? rec('isolate', 'done') : s));
    expect(stepsToReopen(plan, isolateDone, {}, 'transient').map((x) => [x.stepId, x.why])).toEqual([
      ['snapshot', 'run again: it failed on a transient error'],
      ['stop', 'its dependency snapshot runs again'],
    ]);
  });

  it('resume retries every failure (an approved step stays approved); denied steps stay denied', () => {
    const r = stepsToReopen(plan, steps, {}, 'all');
    expect(r.map((x) => [x.stepId, x.to])).toEqual([
      ['snapshot', 'planned'],
      ['isolate', 'approved'],
      ['imds', 'planned'],
      ['stop', 'planned'],
    ]);
    expect(stepsToReopen(plan, steps, {}, 'none')).toEqual([]);
  });

  it('a policy skip the decision no longer makes is reopened, with what it held back', () => {
    const s = [rec('capture', 'done'), rec('snapshot', 'done'), skippedBy('isolate', SKIPPED_BY_POLICY), skippedBy('imds', SKIPPED_BY_DEPENDENCY)];
    expect(stepsToReopen(plan, s, { isolate: 'skip' }, 'none')).toEqual([]);
    expect(stepsToReopen(plan, s, {}, 'none').map((x) => x.stepId)).toEqual(['isolate', 'imds']);
  });
});
