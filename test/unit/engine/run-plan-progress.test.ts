/**
 * The step retry budget counts attempts in a row that got nothing new done: a step whose attempts each complete
 * one more change before being throttled keeps going; a step that re-does the same change and is throttled again
 * gives up after the budget. Fake actions report their AWS calls as the client factory would (CallCollector.record).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClients, CallRecord } from '../../../src/aws/clients.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan, type RunPlanDeps } from '../../../src/engine/run-plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import type { Plan } from '../../../src/contracts/plan.js';
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
const throttle = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
const call = (operation: string, input: object, error?: string): CallRecord => ({
  service: 'ec2',
  operation,
  input,
  startedAt: new Date(0).toISOString(),
  durationMs: 1,
  ...(error !== undefined ? { error, errorMessage: error } : {}),
});

/**
 * An action that must make `changes` changes; each attempt re-does the changes already made, makes the next one,
 * then is throttled on the one after, until all are made. After `stuckAfter` changes it makes no new one.
 */
function stepwiseAction(calls: CallCollector, changes: number, stuckAfter = Infinity): { action: AnyAction; attempts: () => number } {
  let made = 0;
  let attempts = 0;
  const action: AnyAction = {
    name: 'fake.stepwise',
    effect: 'contain',
    reversible: true,
    description: 'stepwise',
    permissions: [],
    parseInput: (raw) => raw,
    capture: async () => ({}),
    apply: async () => {
      attempts++;
      calls.record(call('DescribeThings', {}));
      for (let i = 0; i < made; i++) calls.record(call('ModifyThing', { n: i }));
      if (made < changes && made < stuckAfter) calls.record(call('ModifyThing', { n: made++ }));
      if (made < changes) {
        calls.record(call('ModifyThing', { n: made }, 'Throttling'));
        throw throttle();
      }
      return { made };
    },
  };
  return { action, attempts: () => attempts };
}

async function runOne(getAction: (calls: CallCollector) => AnyAction): Promise<{ status: string; transient?: boolean }> {
  const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [{ id: 's', action: 'fake.stepwise', input: {}, dependsOn: [], effect: 'contain', reversible: true, description: 's' }] };
  const incident = await openPlanIncident(journal, plan, 'contain');
  const calls = new CallCollector();
  const action = getAction(calls);
  const deps: RunPlanDeps = {
    journal,
    getAction: () => action,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    isTransient: (e) => e instanceof Error && e.name === 'Throttling',
    calls,
    now: () => new Date(),
    runnerId: 'test',
    actor: 'test',
  };
  const result = await runPlan(deps, { incidentId: incident.incidentId, plan, mode: 'contain', overrides: {}, subject, clients: () => Promise.resolve({} as AwsClients), evidence });
  const rec = result.steps[0]!;
  return { status: rec.status, ...(rec.error ? { transient: rec.error.transient } : {}) };
}

describe('step retries and progress', () => {
  it('a step that gets one more change done per attempt outlasts a budget of 3 attempts', async () => {
    let made: ReturnType<typeof stepwiseAction> | undefined;
    const r = await runOne((calls) => (made = stepwiseAction(calls, 6)).action);
    expect(r).toEqual({ status: 'done' });
    expect(made!.attempts()).toBe(6);
  });

  it('re-doing changes already made is not progress: then the budget is spent and the step fails as transient', async () => {
    let made: ReturnType<typeof stepwiseAction> | undefined;
    const r = await runOne((calls) => (made = stepwiseAction(calls, 6, 2)).action);
    expect(r).toEqual({ status: 'failed', transient: true });
    // Two attempts that each made a change, then three in a row that only re-did them.
    expect(made!.attempts()).toBe(5);
  });

  it('a read that failed before and now answers is progress (a retried evidence capture converges); a read re-done is not', async () => {
    // Six reads; an attempt asks only for those it has no answer to yet (as the run's shared reads do), one more
    // answers per attempt, the next is throttled.
    const answered = new Set<number>();
    let attempts = 0;
    const reader = (calls: CallCollector): AnyAction => ({
      name: 'fake.stepwise',
      effect: 'read',
      reversible: false,
      description: 'reads',
      permissions: [],
      parseInput: (raw) => raw,
      capture: async () => ({}),
      apply: async () => {
        attempts++;
        calls.record(call('DescribeAlways', {}));
        const missing = [0, 1, 2, 3, 4, 5].filter((n) => !answered.has(n));
        if (missing.length === 0) return { reads: answered.size };
        calls.record(call('DescribeThing', { n: missing[0] }));
        answered.add(missing[0]!);
        if (missing.length > 1) {
          calls.record(call('DescribeThing', { n: missing[1] }, 'Throttling'));
          throw throttle();
        }
        return { reads: answered.size };
      },
    });
    expect(await runOne(reader)).toEqual({ status: 'done' });
    expect(attempts).toBe(6);
  });

  it('with no progress at all the budget is the plain attempt count', async () => {
    let made: ReturnType<typeof stepwiseAction> | undefined;
    const r = await runOne((calls) => (made = stepwiseAction(calls, 6, 0)).action);
    expect(r).toEqual({ status: 'failed', transient: true });
    expect(made!.attempts()).toBe(3);
  });
});
