/**
 * `afterChangeOf`: a step that must come after another's change (out of the Auto Scaling group, then out of the
 * target groups) starts once that change is made, while the change is still being read back; a step that needs the
 * change verified (the isolation) still waits for `done`. Fake actions on the real embedded journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import { fakeAction, planDeps, planInput } from '../../support/fake-plan.js';
import { openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await openMemoryJournal();
});
afterAll(async () => {
  await journal?.close();
});

const step = (id: string, more: Partial<PlanStep> = {}): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn: [], effect: 'contain', reversible: true, description: id, ...more });
const plan: Plan = {
  playbook: 'p',
  incidentKey: 'k',
  steps: [step('leave'), step('dereg', { afterChangeOf: ['leave'] }), step('isolate', { requiresSuccessOf: ['leave', 'dereg'] })],
};

interface Behaviour {
  /** leave's apply throws. */
  applyFails?: boolean;
  /** leave's read-back never holds. */
  verifyFails?: boolean;
}

async function run(behaviour: Behaviour): Promise<{ log: string[]; status: Record<string, string> }> {
  const incident = await openPlanIncident(journal, plan);
  const log: string[] = [];
  let deregApplied: () => void = () => undefined;
  const deregStarted = new Promise<void>((r) => (deregApplied = r));
  const getAction = (name: string): AnyAction => {
    const id = name.slice('fake.'.length);
    return fakeAction(name, {
      capture: async () => ({ id }),
      apply: async () => {
        if (id === 'leave' && behaviour.applyFails === true) throw new Error('EnterStandby: ValidationError');
        log.push(`apply ${id}`);
        if (id === 'dereg') deregApplied();
        return {};
      },
      verify: async () => {
        if (id === 'leave') {
          // The read-back of the change lasts until dereg has been applied (5 s at most: an engine that waited for
          // this read-back before starting dereg is then caught by the order asserted below).
          await Promise.race([deregStarted, new Promise((r) => setTimeout(r, 5000))]);
          log.push(`verified ${id}`);
          return { holds: behaviour.verifyFails !== true, detail: behaviour.verifyFails === true ? 'still InService' : 'Standby' };
        }
        return { holds: true, detail: 'ok' };
      },
    });
  };
  const result = await runPlan(planDeps(journal, getAction), planInput(incident.incidentId, plan));
  return { log, status: Object.fromEntries(result.steps.map((s) => [s.stepId, s.status])) };
}

describe('afterChangeOf', () => {
  it('starts the step once the change is made, while it is read back; the step needing it verified waits for done', async () => {
    const { log, status } = await run({});
    expect(status).toEqual({ leave: 'done', dereg: 'done', isolate: 'done' });
    expect(log.indexOf('apply leave')).toBeLessThan(log.indexOf('apply dereg'));
    expect(log.indexOf('apply dereg')).toBeLessThan(log.indexOf('verified leave'));
    expect(log.indexOf('verified leave')).toBeLessThan(log.indexOf('apply isolate'));
  });

  it('a change that does not hold when read back fails its step; the step that needed it verified is skipped', async () => {
    const { log, status } = await run({ verifyFails: true });
    expect(status).toEqual({ leave: 'failed', dereg: 'done', isolate: 'skipped' });
    expect(log).not.toContain('apply isolate');
  });

  it('a change that was never made skips the steps after it', async () => {
    const { log, status } = await run({ applyFails: true });
    expect(status).toEqual({ leave: 'failed', dereg: 'skipped', isolate: 'skipped' });
    expect(log).toEqual([]);
  });
});
