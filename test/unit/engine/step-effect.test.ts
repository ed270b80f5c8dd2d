/**
 * A plan cannot run a destructive action without approval, whatever effect its step claims: the engine gates each
 * step by the higher of the step's and the action's effect (journaled plans are data, so the builder's own check is
 * not enough).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../../src/actions/define-action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Plan } from '../../../src/contracts/plan.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import { withActionEffects } from '../../../src/engine/step-effect.js';
import { NotFoundError } from '../../../src/errors.js';
import type { Journal } from '../../../src/journal/journal.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { instanceSubject, makeCtx } from '../actions/action-fixtures.js';
import { decisionFixture } from '../../support/decision-fixture.js';

let journal: Journal;
beforeAll(async () => {
  journal = await openJournal({});
  await journal.ensureTable();
});
afterAll(async () => {
  await journal?.close();
});

function destructiveAction(applied: string[]) {
  return defineAction({
    name: 'test.stop',
    effect: 'destructive',
    description: 'hard to undo',
    input: z.strictObject({}),
    permissions: [],
    capture: async () => null,
    apply: async () => {
      applied.push('test.stop');
      return null;
    },
    verify: async () => ({ holds: true, detail: 'stopped' }),
  });
}

/** A journaled plan whose step claims `contain` for a destructive action (hand-written, or from a buggy playbook). */
const lowered: Plan = {
  playbook: 'p',
  incidentKey: 'k',
  steps: [{ id: 'stop', action: 'test.stop', input: {}, dependsOn: [], effect: 'contain', reversible: false, description: 'claims contain' }],
};

async function run(mode: 'approve' | 'contain', overrides: Record<string, 'auto-approve'> = {}) {
  const applied: string[] = [];
  const action = destructiveAction(applied);
  const subject = instanceSubject();
  const { incident } = await journal.openIncident(
    { incidentKey: `k-${Math.random()}`, accountId: subject.accountId, region: subject.region, subjectKind: subject.kind, subjectId: subject.id, findingId: 'f', findingType: 't', severity: 8, mode, playbook: 'p', plan: lowered, decision: decisionFixture(mode), subject: subject as never },
    new Date(),
  );
  const result = await runPlan(
    { journal, getAction: () => action, isTransient: () => false, calls: new CallCollector(), now: () => new Date(), runnerId: 'test', actor: 'test' },
    { incidentId: incident.incidentId, plan: lowered, mode, overrides, subject, clients: () => Promise.resolve({} as AwsClients), evidence: makeCtx().evidence },
  );
  return { applied, status: result.steps[0]!.status };
}

describe('the effect the engine gates a step by', () => {
  it('a step labelled contain whose action is destructive waits for approval in contain mode, and never runs', async () => {
    const { applied, status } = await run('contain');
    expect(status).toBe('awaiting-approval');
    expect(applied).toEqual([]);
  });

  it('still runs where the rule auto-approves the destructive step (the override names the step)', async () => {
    const { applied, status } = await run('contain', { stop: 'auto-approve' });
    expect(status).toBe('done');
    expect(applied).toEqual(['test.stop']);
  });

  it('is the higher of the step and the action; an unknown action keeps the step (it fails when it runs)', () => {
    const action = destructiveAction([]);
    const getAction = (name: string) => {
      if (name === action.name) return action;
      throw new NotFoundError('action', name);
    };
    const raised = withActionEffects([...lowered.steps, { ...lowered.steps[0]!, id: 'x', action: 'test.unknown' }], getAction);
    expect(raised.map((s) => s.effect)).toEqual(['destructive', 'contain']);
    expect(withActionEffects([{ ...lowered.steps[0]!, effect: 'destructive' }], () => ({ ...action, effect: 'contain' }))[0]!.effect).toBe('destructive');
  });
});
