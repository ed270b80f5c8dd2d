/**
 * defineAction: the input schema is the input type, the engine parses it once before the phases, every phase gets
 * the parsed value and a context bound to the action, `release` present = reversible, and a mutating action without
 * verify cannot be defined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AwsClients } from '../../../src/aws/clients.js';
import { defineAction } from '../../../src/actions/define-action.js';
import type { Plan } from '../../../src/contracts/plan.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import { StepError, TourniquetError } from '../../../src/errors.js';
import type { Journal } from '../../../src/journal/journal.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { instanceSubject, makeCtx } from './action-fixtures.js';
import { decisionFixture } from '../../support/decision-fixture.js';

/** An action that records what each phase received. */
function recordingAction(seen: Array<{ phase: string; input: unknown; action: string }>, parses: { count: number }) {
  return defineAction({
    name: 'test.recording',
    effect: 'contain',
    description: 'records its phases',
    // The transform runs on every parse, so the count says how often the input was parsed.
    input: z.strictObject({ seconds: z.number().min(0).max(600) }).transform((v) => {
      parses.count++;
      return { ...v, millis: v.seconds * 1000 };
    }),
    permissions: [],
    async capture(input, ctx) {
      seen.push({ phase: 'capture', input, action: ctx.action });
      return { before: input.millis };
    },
    async apply(input, pre, ctx) {
      seen.push({ phase: 'apply', input, action: ctx.action });
      return { after: pre.before + input.millis };
    },
    async release(input, _pre, _output, ctx) {
      seen.push({ phase: 'release', input, action: ctx.action });
      return null;
    },
    async verify(input, ctx) {
      seen.push({ phase: 'verify', input, action: ctx.action });
      return { holds: true, detail: 'ok' };
    },
  });
}

describe('defineAction', () => {
  it('parseInput names the action, the field and the value received; the step id comes from the engine', () => {
    const action = recordingAction([], { count: 0 });
    const err = (() => {
      try {
        action.parseInput({ seconds: 9000 }, makeCtx());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).stepId).toBe('step-under-test');
    expect((err as StepError).message).toMatch(/^step step-under-test: test\.recording: invalid input \(object \{"seconds"\}\): seconds: /);
  });

  it('gives every phase a context bound to the action whose fail() names the step and the action and keeps the cause', async () => {
    const cause = new Error('root');
    const action = defineAction({
      name: 'test.failing',
      effect: 'read',
      description: 'fails',
      input: z.strictObject({}),
      permissions: [],
      capture: async (_input, ctx) => {
        throw ctx.fail('nothing to read', cause);
      },
      apply: async () => null,
    });
    const err = await action.capture({}, makeCtx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).message).toBe('step step-under-test: test.failing: nothing to read');
    expect((err as StepError).cause).toBe(cause);
  });

  it('is reversible exactly when it has a release', () => {
    const reversible = recordingAction([], { count: 0 });
    const oneWay = defineAction({
      name: 'test.one-way',
      effect: 'evidence',
      description: 'keeps what it makes',
      input: z.strictObject({}),
      permissions: [],
      capture: async () => null,
      apply: async () => null,
      verify: async () => ({ holds: true, detail: '' }),
    });
    expect(reversible.reversible).toBe(true);
    expect(typeof reversible.release).toBe('function');
    expect(oneWay.reversible).toBe(false);
    expect(oneWay.release).toBeUndefined();
  });

  it('refuses an action that changes something but cannot verify it', () => {
    expect(() =>
      defineAction({
        name: 'test.unverified',
        effect: 'contain',
        description: 'changes without reading back',
        input: z.strictObject({}),
        permissions: [],
        capture: async () => null,
        apply: async () => null,
      }),
    ).toThrow(TourniquetError);
  });
});

describe('the engine and the action input', () => {
  let journal: Journal;
  beforeAll(async () => {
    journal = await openJournal({});
    await journal.ensureTable();
  });
  afterAll(async () => {
    await journal?.close();
  });

  async function run(input: { [k: string]: number }) {
    const seen: Array<{ phase: string; input: unknown; action: string }> = [];
    const parses = { count: 0 };
    const action = recordingAction(seen, parses);
    const plan: Plan = {
      playbook: 'p',
      incidentKey: 'k',
      steps: [{ id: 's', action: action.name, input, dependsOn: [], effect: 'contain', reversible: true, description: 's' }],
    };
    const subject = instanceSubject();
    const { incident } = await journal.openIncident(
      { incidentKey: `k-${Math.random()}`, accountId: subject.accountId, region: subject.region, subjectKind: subject.kind, subjectId: subject.id, findingId: 'f', findingType: 't', severity: 8, mode: 'contain', playbook: 'p', plan, decision: decisionFixture(), subject: subject as never },
      new Date(),
    );
    const result = await runPlan(
      { journal, getAction: () => action, isTransient: () => false, calls: new CallCollector(), now: () => new Date(), runnerId: 'test', actor: 'test', retry: { baseDelayMs: 1, maxDelayMs: 2 } },
      { incidentId: incident.incidentId, plan, mode: 'contain', overrides: {}, subject, clients: () => Promise.resolve({} as AwsClients), evidence: makeCtx().evidence },
    );
    return { seen, parses, step: result.steps[0]! };
  }

  it('parses a step input once and hands the parsed value to capture, apply and verify', async () => {
    const { seen, parses, step } = await run({ seconds: 2 });
    expect(step.status).toBe('done');
    expect(parses.count).toBe(1);
    expect(seen.map((s) => s.phase)).toEqual(['capture', 'apply', 'verify']);
    for (const s of seen) expect(s).toMatchObject({ input: { seconds: 2, millis: 2000 }, action: 'test.recording' });
    expect(step.output).toEqual({ after: 4000 });
  });

  it('fails the step on a bad input before any phase runs, naming the field', async () => {
    const { seen, step } = await run({ seconds: -1 });
    expect(step.status).toBe('failed');
    expect(step.error?.message).toMatch(/test\.recording: invalid input .*seconds: /);
    expect(seen).toEqual([]);
  });
});
