/**
 * A read of the steps that began before one of this run's steps finished shows that step still running. The run must
 * not take it for the last word (nothing in flight, a step "held", nothing to wait for: stop) and leave the steps
 * after it unrun. The journal here answers each read 150 ms late, with what it held when asked. Real embedded journal.
 */
import { describe, expect, it } from 'vitest';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import { fakeAction, planDeps, planInput } from '../../support/fake-plan.js';
import { openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

const step = (id: string, more: Partial<PlanStep> = {}): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn: [], effect: 'contain', reversible: true, description: id, ...more });
// `leave` makes its change at once (which wakes the scheduler) and reads it back quickly; `after` waits for it.
const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('leave'), step('dereg', { afterChangeOf: ['leave'] }), step('after', { dependsOn: ['leave', 'dereg'] })] };

function lateReads(journal: Journal): Journal {
  return new Proxy(journal, {
    get(target, prop, recv) {
      if (prop === 'getSteps') {
        return async (id: string) => {
          const held = await target.getSteps(id);
          await new Promise((r) => setTimeout(r, 150));
          return held;
        };
      }
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
}

describe('a read of the steps that is older than a finish', () => {
  it('is read again: the steps after the one that finished meanwhile run', async () => {
    const journal = await openMemoryJournal();
    try {
      const incident = await openPlanIncident(journal, plan);
      const applied: string[] = [];
      const getAction = (name: string) =>
        fakeAction(name, {
          capture: async () => ({}),
          apply: async () => {
            applied.push(name);
            return {};
          },
        });
      const result = await runPlan(planDeps(lateReads(journal), getAction), planInput(incident.incidentId, plan));
      expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({ leave: 'done', dereg: 'done', after: 'done' });
      expect(result.status).toBe('contained');
      expect(applied).toContain('fake.after');
    } finally {
      await journal.close();
    }
  });
});
