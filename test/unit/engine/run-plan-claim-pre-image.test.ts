/**
 * The journal writes on a step's way, fewer and off the path of the steps after it: a step that changes something
 * reads its pre-image before the claim, and the claim journals it (one conditional write, never over a pre-image an
 * earlier holder journaled); the case's copy of the pre-image is written while the step acts and before it reports;
 * the result evidence and the timeline event are written while the steps after it run, and the run awaits them.
 * Fake actions on the real embedded journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { Mode, Plan, PlanStep } from '../../../src/contracts/plan.js';
import { ConflictError } from '../../../src/errors.js';
import { runPlan, type RunPlanDeps, type RunPlanInput } from '../../../src/engine/run-plan.js';
import type { EvidenceWriter } from '../../../src/evidence/evidence-writer.js';
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

const step = (id: string, dependsOn: string[] = [], effect: PlanStep['effect'] = 'contain'): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn, effect, reversible: true, description: id });
const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('evidence', [], 'read'), step('isolate'), step('imds', ['isolate'])] };

/** What happened, in order: captures, applies, journal writes and evidence writes. */
type Log = string[];

interface Hooks {
  capture?: (id: string) => Promise<unknown>;
  put?: (name: string) => Promise<void>;
}

function actions(log: Log, hooks: Hooks): (name: string) => AnyAction {
  return (name) => {
    const id = name.slice('fake.'.length);
    return fakeAction(name, {
      effect: id === 'evidence' ? 'read' : 'contain',
      capture: async () => {
        log.push(`capture ${id}`);
        const custom = await hooks.capture?.(id);
        return custom ?? { fresh: id };
      },
      apply: async (_i: unknown, pre: unknown) => {
        log.push(`apply ${id} ${JSON.stringify(pre)}`);
        return { did: id };
      },
    });
  };
}

/** The journal, with every step transition logged (claim = to running with a lease owner). */
function loggedJournal(log: Log): Journal {
  return new Proxy(journal, {
    get(target, prop, recv) {
      if (prop !== 'transitionStep') return Reflect.get(target, prop, recv) as unknown;
      return async (...args: Parameters<Journal['transitionStep']>) => {
        const [, stepId, , to, patch] = args;
        const what = to === 'running' && typeof patch.leaseOwner === 'string' ? 'claim' : to;
        const rec = await target.transitionStep(...args);
        log.push(`journal ${what} ${stepId}${patch.preImage !== undefined ? ` pre=${JSON.stringify(patch.preImage)}` : ''}`);
        return rec;
      };
    },
  });
}

async function setup(hooks: Hooks = {}, mode: Mode = 'contain'): Promise<{ deps: RunPlanDeps; input: RunPlanInput; log: Log; id: string; puts: string[] }> {
  const incident = await openPlanIncident(journal, plan, mode);
  const log: Log = [];
  const puts: string[] = [];
  const evidence: EvidenceWriter = {
    location: 'memory://',
    put: async (name) => {
      await hooks.put?.(name);
      puts.push(name);
      log.push(`put ${name}`);
      return { seq: 0, name, sha256: '', bytes: 0, recordedAt: '', chain: '' };
    },
  };
  const deps = planDeps(loggedJournal(log), actions(log, hooks));
  const input = planInput(incident.incidentId, plan, { mode, evidence });
  return { deps, input, log, id: incident.incidentId, puts };
}

describe('a step’s claim, pre-image and result', () => {
  it('a step that changes something reads its pre-image first and journals it with the claim: one write, then done', async () => {
    const { deps, input, log } = await setup();
    const result = await runPlan(deps, input);
    expect(result.status).toBe('contained');
    const isolate = log.filter((l) => l.includes(' isolate'));
    expect(isolate.filter((l) => l.startsWith('journal'))).toEqual(['journal claim isolate pre={"fresh":"isolate"}', 'journal done isolate']);
    expect(isolate.indexOf('capture isolate')).toBeLessThan(isolate.indexOf('journal claim isolate pre={"fresh":"isolate"}'));
    expect(isolate.indexOf('journal claim isolate pre={"fresh":"isolate"}')).toBeLessThan(isolate.indexOf('apply isolate {"fresh":"isolate"}'));
    // A read step journals no pre-image: claimed first, as before.
    const evidence = log.filter((l) => l.endsWith(' evidence'));
    expect(evidence.filter((l) => l.startsWith('journal'))).toEqual(['journal claim evidence', 'journal done evidence']);
    expect(log.indexOf('journal claim evidence')).toBeLessThan(log.indexOf('capture evidence'));
    expect(result.steps.find((s) => s.stepId === 'isolate')?.preImage).toEqual({ fresh: 'isolate' });
  });

  it('never replaces a pre-image another holder journaled between the read and the claim: that one is kept and used', async () => {
    let raced = false;
    const ctx: { id?: string } = {};
    const { deps, input, log, id } = await setup({
      capture: async (stepId) => {
        if (stepId !== 'isolate' || raced) return undefined;
        raced = true;
        // While this responder reads, another claims the step, journals its pre-image, changes something and stops;
        // its lease has already run out when this responder's claim arrives.
        await journal.transitionStep(ctx.id!, 'isolate', ['planned'], 'running', { leaseOwner: 'other', leaseUntil: new Date(Date.now() - 1000).toISOString(), leaseProcess: 'host#2#other', attempts: 1 }, new Date());
        await journal.transitionStep(ctx.id!, 'isolate', ['running'], 'running', { preImage: { original: 'sg-app' } }, new Date(), { leaseOwner: 'other' });
        return { fresh: 'half-contained' };
      },
    });
    ctx.id = id;
    const result = await runPlan(deps, input);
    expect(result.status).toBe('contained');
    expect(log).not.toContain('journal claim isolate pre={"fresh":"half-contained"}');
    expect(log).toContain('apply isolate {"original":"sg-app"}');
    expect(result.steps.find((s) => s.stepId === 'isolate')?.preImage).toEqual({ original: 'sg-app' });
  });

  it('the journal refuses a claim that brings a pre-image when one is journaled', async () => {
    const { id } = await setup();
    await journal.putSteps(id, [{ stepId: 'isolate', action: 'fake.isolate', status: 'planned' }], new Date());
    await journal.transitionStep(id, 'isolate', ['planned'], 'running', { leaseOwner: 'a', leaseUntil: new Date(Date.now() - 1).toISOString(), preImage: { first: true } }, new Date(), { noPreImage: true });
    await expect(
      journal.transitionStep(id, 'isolate', ['running'], 'running', { leaseOwner: 'b', leaseUntil: new Date(Date.now() + 60_000).toISOString(), preImage: { second: true } }, new Date(), { noPreImage: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await journal.getSteps(id)).find((s) => s.stepId === 'isolate')).toMatchObject({ leaseOwner: 'a', preImage: { first: true } });
  });

  it('a pre-image read that fails is claimed and recorded as the step’s failure; the steps after it are skipped', async () => {
    const { deps, input, log } = await setup({
      capture: async (stepId) => {
        if (stepId === 'isolate') throw new Error('DescribeInstances: access denied');
        return undefined;
      },
    });
    const result = await runPlan(deps, input);
    const byId = Object.fromEntries(result.steps.map((s) => [s.stepId, s]));
    expect(byId.isolate).toMatchObject({ status: 'failed', error: { message: 'DescribeInstances: access denied', transient: false } });
    expect(byId.isolate?.preImage).toBeUndefined();
    expect(byId.imds?.status).toBe('skipped');
    expect(log).toContain('journal claim isolate');
    expect(log.some((l) => l.startsWith('apply isolate'))).toBe(false);
  });

  it('the steps after a step start before its result evidence is written; the run returns only once it is', async () => {
    let letResultGo!: () => void;
    const resultHeld = new Promise<void>((r) => (letResultGo = r));
    const { deps, input, log, puts } = await setup({
      put: async (name) => {
        if (name === 'steps/isolate/result.json') await Promise.race([resultHeld, new Promise((r) => setTimeout(r, 3000))]);
      },
    });
    const running = runPlan(deps, input);
    // imds waits for isolate only: it is applied while isolate's result is still being written.
    for (let i = 0; i < 200 && !log.some((l) => l.startsWith('apply imds')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(log.some((l) => l.startsWith('apply imds'))).toBe(true);
    expect(puts).not.toContain('steps/isolate/result.json');
    letResultGo();
    const result = await running;
    expect(result.status).toBe('contained');
    expect(puts).toEqual(expect.arrayContaining(['steps/isolate/result.json', 'steps/imds/result.json', 'steps/isolate/pre-image.json']));
  });

  it('the case’s copy of the pre-image is written while the step acts, and before the step is done', async () => {
    const { deps, input, log } = await setup({
      put: async (name) => {
        if (name === 'steps/isolate/pre-image.json') await new Promise((r) => setTimeout(r, 150));
      },
    });
    await runPlan(deps, input);
    const at = (l: string): number => log.indexOf(l);
    expect(at('apply isolate {"fresh":"isolate"}')).toBeLessThan(at('put steps/isolate/pre-image.json'));
    expect(at('put steps/isolate/pre-image.json')).toBeLessThan(at('journal done isolate'));
  });
});

describe('a trailing write that fails', () => {
  it('fails the run once it has settled the steps already started, and is never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { deps, input, log } = await setup({
        put: async (name) => {
          // isolate's result cannot be written; imds (after isolate) takes a while, so the failure comes first.
          if (name === 'steps/isolate/result.json') throw new Error('S3 PutObject: AccessDenied');
          if (name === 'steps/imds/pre-image.json') await new Promise((r) => setTimeout(r, 200));
        },
      });
      await expect(runPlan(deps, input)).rejects.toThrow('S3 PutObject: AccessDenied');
      // The steps already let go finished and recorded before the run threw.
      expect(log).toContain('journal done imds');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
