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

/**
 * A step in both `after` and `afterChangeOf` (the EC2 playbook's credential chain: the session deny once the ENIs'
 * swap is made, the profile removal once the deny is written): ordering on the change, never a skip.
 */
const chain: Plan = {
  playbook: 'p',
  incidentKey: 'k-chain',
  steps: [
    step('isolate'),
    step('deny', { after: ['isolate'], afterChangeOf: ['isolate'] }),
    step('replace', { after: ['deny'], afterChangeOf: ['deny'] }),
  ],
};

async function runChain(failing: { apply?: string; verify?: string } = {}): Promise<{ log: string[]; status: Record<string, string> }> {
  const incident = await openPlanIncident(journal, chain);
  const log: string[] = [];
  // Each read-back lasts until the next step of the chain has been applied (5 s at most: an engine that waited for
  // the read-back is then caught by the order asserted).
  const appliedSignal = new Map<string, () => void>();
  const applied = new Map(['deny', 'replace'].map((id) => [id, new Promise<void>((r) => appliedSignal.set(id, r))]));
  const next: Record<string, string> = { isolate: 'deny', deny: 'replace' };
  const getAction = (name: string): AnyAction => {
    const id = name.slice('fake.'.length);
    return fakeAction(name, {
      capture: async () => ({ id }),
      apply: async () => {
        if (failing.apply === id) throw new Error(`${id}: AccessDenied`);
        log.push(`apply ${id}`);
        appliedSignal.get(id)?.();
        return {};
      },
      verify: async () => {
        const waitFor = next[id] !== undefined && failing.apply !== next[id] ? applied.get(next[id]!) : undefined;
        if (waitFor !== undefined) await Promise.race([waitFor, new Promise((r) => setTimeout(r, 5000))]);
        log.push(`verified ${id}`);
        return { holds: failing.verify !== id, detail: failing.verify === id ? 'not as written' : 'ok' };
      },
    });
  };
  const result = await runPlan(planDeps(journal, getAction), planInput(incident.incidentId, chain));
  return { log, status: Object.fromEntries(result.steps.map((s) => [s.stepId, s.status])) };
}

describe('after and afterChangeOf together', () => {
  it('each step of the chain starts once the change before it is made, before that change is read back', async () => {
    const { log, status } = await runChain();
    expect(status).toEqual({ isolate: 'done', deny: 'done', replace: 'done' });
    expect(log.indexOf('apply isolate')).toBeLessThan(log.indexOf('apply deny'));
    expect(log.indexOf('apply deny')).toBeLessThan(log.indexOf('verified isolate'));
    expect(log.indexOf('apply deny')).toBeLessThan(log.indexOf('apply replace'));
    expect(log.indexOf('apply replace')).toBeLessThan(log.indexOf('verified deny'));
  });

  it('a change that was never made does not skip the steps after it: they run once it has failed', async () => {
    const { log, status } = await runChain({ apply: 'isolate' });
    expect(status).toEqual({ isolate: 'failed', deny: 'done', replace: 'done' });
    expect(log.filter((l) => l.startsWith('apply'))).toEqual(['apply deny', 'apply replace']);
  });

  it('a change that does not hold when read back fails its step; the steps after it still run', async () => {
    const { status } = await runChain({ verify: 'deny' });
    expect(status).toEqual({ isolate: 'done', deny: 'failed', replace: 'done' });
  });
});
