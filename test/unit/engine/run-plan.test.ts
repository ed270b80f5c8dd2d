/**
 * The executor's semantics with fake actions on the real embedded journal (dynalite): dependency order, policy skips
 * that let the chain go on, failures that skip dependents, approvals that resume, pre-images journaled before apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { runPlan, type RunPlanDeps } from '../../../src/engine/run-plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import type { EffectClass, Plan, PlanStep } from '../../../src/contracts/plan.js';
import { planDeps } from '../../support/fake-plan.js';
import { memoryEvidence } from '../../support/memory-evidence.js';
import { PLAN_SUBJECT, openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await openMemoryJournal();
});
afterAll(async () => {
  await journal?.close();
});

const subject = PLAN_SUBJECT;
const evidence = memoryEvidence();

function step(id: string, effect: EffectClass, dependsOn: string[] = [], requiresSuccessOf?: string[]): PlanStep {
  return { id, action: `fake.${id}`, input: { id }, dependsOn, effect, reversible: true, description: id, ...(requiresSuccessOf ? { requiresSuccessOf } : {}) };
}

interface Trace {
  readonly log: string[];
  /** Journal state of a step's pre-image at the moment its apply ran. */
  readonly preImageAtApply: Map<string, unknown>;
}

function fakeActions(trace: Trace, incidentId: () => string, failing: Set<string> = new Set(), notHolding: Set<string> = new Set()): (name: string) => AnyAction {
  return (name) => {
    const id = name.slice('fake.'.length);
    return {
      name,
      // The lowest effect, so each step's own effect is the one the engine gates by.
      effect: 'read',
      reversible: true,
      description: id,
      permissions: [],
      parseInput: (raw) => raw,
      capture: async () => ({ before: id }),
      apply: async () => {
        const rec = (await journal.getSteps(incidentId())).find((s) => s.stepId === id);
        trace.preImageAtApply.set(id, rec?.preImage);
        if (failing.has(id)) throw Object.assign(new Error(`${id} denied`), { name: 'AccessDenied' });
        trace.log.push(id);
        return { did: id };
      },
      verify: async () => ({ holds: !notHolding.has(id), detail: notHolding.has(id) ? `${id} reverted behind our back` : `${id} holds` }),
    };
  };
}

async function run(plan: Plan, mode: 'observe' | 'approve' | 'contain', overrides: Record<string, 'skip' | 'require-approval' | 'auto-approve'> = {}, failing?: Set<string>, notHolding?: Set<string>) {
  const incident = await openPlanIncident(journal, plan, mode);
  const trace: Trace = { log: [], preImageAtApply: new Map() };
  // This process's own id (no `processId`), as a responder runs it.
  const deps: RunPlanDeps = planDeps(journal, fakeActions(trace, () => incident.incidentId, failing, notHolding), { runnerId: 'test', processId: undefined });
  let clientRequests = 0;
  const clients = (): Promise<AwsClients> => {
    clientRequests++;
    return Promise.resolve({} as AwsClients);
  };
  const input = { incidentId: incident.incidentId, plan, mode, overrides, subject, clients, evidence };
  const result = await runPlan(deps, input);
  return { result, trace, deps, input, clientRequests: () => clientRequests, status: Object.fromEntries(result.steps.map((s) => [s.stepId, s.status])) };
}

const plan: Plan = {
  playbook: 'p',
  incidentKey: 'k',
  steps: [step('read', 'read'), step('snap', 'evidence', ['read']), step('fence', 'contain', ['read']), step('cut', 'contain', ['snap'], ['fence']), step('stop', 'destructive', ['cut'], ['snap'])],
};

describe('runPlan', () => {
  it('contain mode runs in dependency order, journals each pre-image before apply, and waits for approval on destructive steps', async () => {
    const { result, trace, status } = await run(plan, 'contain');
    expect(trace.log).toEqual(['read', 'snap', 'fence', 'cut']);
    expect(status).toEqual({ read: 'done', snap: 'done', fence: 'done', cut: 'done', stop: 'awaiting-approval' });
    expect(trace.preImageAtApply.get('cut')).toEqual({ before: 'cut' });
    expect(trace.preImageAtApply.get('read')).toBeUndefined(); // read steps change nothing: no pre-image
    expect(result.status).toBe('contained');
  });

  it('approve mode runs reads and evidence only; an approval resumes the plan', async () => {
    const first = await run(plan, 'approve');
    expect(first.trace.log).toEqual(['read', 'snap']);
    expect(first.status).toMatchObject({ fence: 'awaiting-approval', cut: 'planned', stop: 'planned' });
    expect(first.result.status).toBe('awaiting-approval');
    await journal.transitionStep(first.input.incidentId, 'fence', ['awaiting-approval'], 'approved', { approvedBy: 'bob' }, new Date());
    const again = await runPlan(first.deps, first.input);
    const st = Object.fromEntries(again.steps.map((s) => [s.stepId, s.status]));
    expect(st).toMatchObject({ fence: 'done', cut: 'awaiting-approval', stop: 'planned' });
  });

  it('a policy skip lets the chain go on, but not past requiresSuccessOf', async () => {
    const { status } = await run(plan, 'contain', { fence: 'skip', stop: 'auto-approve' });
    expect(status).toEqual({ read: 'done', snap: 'done', fence: 'skipped', cut: 'skipped', stop: 'skipped' });
  });

  it('a failure is recorded and every dependent is skipped, never done', async () => {
    const { status, result, trace } = await run(plan, 'contain', { stop: 'auto-approve' }, new Set(['snap']));
    expect(status).toEqual({ read: 'done', snap: 'failed', fence: 'done', cut: 'skipped', stop: 'skipped' });
    expect(trace.log).not.toContain('cut');
    expect(result.steps.find((s) => s.stepId === 'snap')?.error).toMatchObject({ name: 'AccessDenied', transient: false });
    expect(result.status).toBe('partial');
  });

  it('a change that does not hold when read back fails its step (never done) and skips the dependents', async () => {
    const { status, result } = await run(plan, 'contain', {}, undefined, new Set(['fence']));
    expect(status).toMatchObject({ read: 'done', snap: 'done', fence: 'failed', cut: 'skipped', stop: 'skipped' });
    expect(result.steps.find((s) => s.stepId === 'fence')?.error).toMatchObject({ name: 'VerificationError' });
    expect(result.steps.find((s) => s.stepId === 'fence')?.error?.message).toMatch(/does not hold: fence reverted behind our back/);
  });

  it('`after` orders without depending: the step waits for the other to finish, and runs even when it failed', async () => {
    const ordered: Plan = {
      playbook: 'p',
      incidentKey: 'k',
      steps: [step('snap', 'evidence'), { ...step('cut', 'contain'), after: ['snap'] }, { ...step('stop', 'contain'), dependsOn: ['snap'] }],
    };
    const { status, trace } = await run(ordered, 'contain', {}, new Set(['snap']));
    expect(status).toEqual({ snap: 'failed', cut: 'done', stop: 'skipped' });
    expect(trace.log).toEqual(['cut']);
    const fine = await run(ordered, 'contain');
    expect(fine.trace.log).toEqual(['snap', 'cut', 'stop']);
  });

  it('observe mode runs nothing, needs no AWS clients, and journals the plan', async () => {
    const { status, trace, result, clientRequests } = await run(plan, 'observe');
    expect(trace.log).toEqual([]);
    expect(clientRequests()).toBe(0);
    expect(Object.values(status).every((s) => s === 'planned')).toBe(true);
    expect(result.status).toBe('observed');
  });
});
