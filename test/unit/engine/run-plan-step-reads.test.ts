/**
 * The scheduler keeps the records its own writes return (claim, finish, skip) instead of reading every step of the
 * incident from the journal after each step finishes; it reads again only when another holder may have moved a step
 * (a claim or transition of its own lost) and before deciding that nothing is left. Real embedded journal.
 */
import { describe, expect, it } from 'vitest';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import { fakeAction, planDeps, planInput } from '../../support/fake-plan.js';
import { openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

const step = (id: string, more: Partial<PlanStep> = {}): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn: [], effect: 'contain', reversible: true, description: id, ...more });

/** The journal with its `getSteps` calls counted, and a hook run before each `transitionStep`. */
function watched(journal: Journal, beforeTransition: (stepId: string, to: string) => Promise<void> = async () => undefined): { journal: Journal; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(journal, {
    get(target, prop, recv) {
      if (prop === 'getSteps') {
        return (id: string) => {
          reads++;
          return target.getSteps(id);
        };
      }
      if (prop === 'transitionStep') {
        return async (...args: Parameters<Journal['transitionStep']>) => {
          await beforeTransition(args[1], args[3]);
          return target.transitionStep(...args);
        };
      }
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
  return { journal: proxy, reads: () => reads };
}

const applying = (applied: string[]) => (name: string) =>
  fakeAction(name, {
    capture: async () => ({}),
    apply: async () => {
      applied.push(name);
      return {};
    },
  });

describe('the steps of a run as the scheduler knows them', () => {
  it('a chain of eight steps reads the steps from the journal a few times, not once per finished step', async () => {
    const journal = await openMemoryJournal();
    try {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: ids.map((id, i) => step(id, { dependsOn: i === 0 ? [] : [ids[i - 1]!] })) };
      const incident = await openPlanIncident(journal, plan);
      const applied: string[] = [];
      const w = watched(journal);
      const result = await runPlan(planDeps(w.journal, applying(applied)), planInput(incident.incidentId, plan));
      expect(result.steps.map((s) => s.status)).toEqual(ids.map(() => 'done'));
      expect(applied).toEqual(ids.map((id) => `fake.${id}`));
      // The first read (before creating the steps) and the one it decides the end on: the steps it created are known
      // as written, and each finished step used to cost one more read (11 here).
      expect(w.reads()).toBeLessThanOrEqual(2);
      // Run again (a re-delivery): the steps exist and are done, one read says so.
      const again = watched(journal);
      const second = await runPlan(planDeps(again.journal, applying(applied)), planInput(incident.incidentId, plan));
      expect(second.steps.map((s) => s.status)).toEqual(ids.map(() => 'done'));
      expect(second.progressed).toBe(false);
      expect(again.reads()).toBe(1);
    } finally {
      await journal.close();
    }
  });

  it('given the steps its caller just read, the run does not read them first; a step another responder created meanwhile makes it read', async () => {
    const journal = await openMemoryJournal();
    try {
      const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('a'), step('b', { dependsOn: ['a'] })] };
      const incident = await openPlanIncident(journal, plan);
      const applied: string[] = [];
      const w = watched(journal);
      const result = await runPlan(planDeps(w.journal, applying(applied)), { ...planInput(incident.incidentId, plan), steps: [] });
      expect(result.steps.map((s) => s.status)).toEqual(['done', 'done']);
      // Only the read it decides the end on.
      expect(w.reads()).toBe(1);

      // The caller's read is stale: another responder created `a` and ran it since. Its creation is lost, so the run
      // reads the steps and does not run `a` again.
      const other = await openPlanIncident(journal, { ...plan, incidentKey: 'k2' });
      await journal.putSteps(other.incidentId, [{ stepId: 'a', action: 'fake.a', status: 'planned', ordinal: 0 }], new Date());
      await journal.transitionStep(other.incidentId, 'a', ['planned'], 'done', { output: { by: 'other' } }, new Date());
      const again = watched(journal);
      const ran: string[] = [];
      const second = await runPlan(planDeps(again.journal, applying(ran)), { ...planInput(other.incidentId, plan), steps: [] });
      expect(second.steps.map((s) => [s.stepId, s.status])).toEqual([['a', 'done'], ['b', 'done']]);
      expect(second.steps[0]?.output).toEqual({ by: 'other' });
      expect(ran).toEqual(['fake.b']);
      expect(again.reads()).toBeGreaterThanOrEqual(1);
    } finally {
      await journal.close();
    }
  });

  it('a step another responder ran since the run last read the journal is not run again: the lost claim makes it read again', async () => {
    const journal = await openMemoryJournal();
    try {
      const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('first'), step('second', { dependsOn: ['first'] }), step('third', { dependsOn: ['second'] })] };
      const incident = await openPlanIncident(journal, plan);
      const id = incident.incidentId;
      const applied: string[] = [];
      let otherRan = false;
      // Just before this run claims `second` (its view: planned), another responder claims and finishes it.
      const w = watched(journal, async (stepId, to) => {
        if (stepId !== 'second' || to !== 'running' || otherRan) return;
        otherRan = true;
        const lease = { leaseOwner: 'other', leaseUntil: new Date(Date.now() + 60_000).toISOString(), leaseProcess: 'host#1#me' };
        await journal.transitionStep(id, 'second', ['planned'], 'running', { ...lease, attempts: 1, preImage: {} }, new Date());
        await journal.transitionStep(id, 'second', ['running'], 'done', { output: { by: 'other' }, leaseOwner: null, leaseUntil: null, leaseProcess: null }, new Date(), { leaseOwner: 'other' });
      });
      const result = await runPlan(planDeps(w.journal, applying(applied)), planInput(id, plan));
      expect(otherRan).toBe(true);
      expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({ first: 'done', second: 'done', third: 'done' });
      expect(result.steps.find((s) => s.stepId === 'second')?.output).toEqual({ by: 'other' });
      expect(applied).toEqual(['fake.first', 'fake.third']);
    } finally {
      await journal.close();
    }
  });

  it('while it waits for a step another live responder holds, it reads again: the step finishing there lets the rest run', async () => {
    const journal = await openMemoryJournal();
    try {
      const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('held'), step('after', { dependsOn: ['held'] })] };
      const incident = await openPlanIncident(journal, plan);
      const id = incident.incidentId;
      await journal.putSteps(id, [{ stepId: 'held', action: 'fake.held', status: 'planned' }, { stepId: 'after', action: 'fake.after', status: 'planned' }], new Date());
      // Held by a live responder of another process (a shared journal: not exclusive), which finishes it soon.
      const shared = new Proxy(journal, { get: (t, p, r) => (p === 'exclusive' ? false : (Reflect.get(t, p, r) as unknown)) });
      await journal.transitionStep(id, 'held', ['planned'], 'running', { leaseOwner: 'other', leaseUntil: new Date(Date.now() + 60_000).toISOString(), leaseProcess: 'host#2#other', attempts: 1 }, new Date());
      const finishing = new Promise<void>((resolve) =>
        setTimeout(() => {
          void journal
            .transitionStep(id, 'held', ['running'], 'done', { output: {}, leaseOwner: null, leaseUntil: null, leaseProcess: null }, new Date(), { leaseOwner: 'other' })
            .then(() => resolve());
        }, 150),
      );
      const applied: string[] = [];
      const result = await runPlan(planDeps(shared, applying(applied), { waitMs: 5000, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) }), planInput(id, plan));
      await finishing;
      expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({ held: 'done', after: 'done' });
      expect(applied).toEqual(['fake.after']);
    } finally {
      await journal.close();
    }
  });
});
