/**
 * Steps left `running` by a responder that stopped: taken over at once when its process is provably gone (an
 * exclusive journal), only after the lease otherwise; a live holder keeps its step (its lease is renewed while it
 * works) and can be waited for. The journaled pre-image of a taken-over step is kept: nothing is captured twice.
 * Fake actions on the real embedded journal.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { runPlan, type RunPlanDeps, type RunPlanInput } from '../../../src/engine/run-plan.js';
import type { EvidenceWriter } from '../../../src/evidence/evidence-writer.js';
import type { Subject } from '../../../src/findings/model.js';
import { DynamoJournal } from '../../../src/journal/dynamo-journal.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../src/journal/embedded-dynamo.js';
import type { Mode, Plan, PlanStep } from '../../../src/contracts/plan.js';
import { decisionFixture } from '../../support/decision-fixture.js';
import { planDeps } from '../../support/fake-plan.js';

let server: EmbeddedDynamo;
let client: DynamoDBClient;
/** The same table seen as the embedded journal sees it (no other process) and as a shared table. */
let exclusive: DynamoJournal;
let shared: DynamoJournal;
beforeAll(async () => {
  server = await startEmbeddedDynamo();
  client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  exclusive = new DynamoJournal({ client, tableName: 'takeover', ownsClient: false, exclusive: true });
  shared = new DynamoJournal({ client, tableName: 'takeover', ownsClient: false });
  await exclusive.ensureTable();
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const subject = { kind: 'ec2-instance', id: 'i-1', accountId: '111111111111', region: 'us-east-1', tags: [], ai: { isAi: false, reasons: [] }, details: { instanceId: 'i-1', networkInterfaces: [] } } as Subject;
const evidence: EvidenceWriter = { location: 'memory://', put: async (name) => ({ seq: 0, name, sha256: '', bytes: 0, recordedAt: '', chain: '' }) };
const step = (id: string, dependsOn: string[] = [], effect: PlanStep['effect'] = 'contain'): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn, effect, reversible: true, description: id });
const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('isolate'), step('imds', ['isolate'])] };

interface Trace {
  captures: string[];
  applies: Array<{ id: string; pre: unknown }>;
}

function actions(trace: Trace, applyMs: number | Promise<unknown> = 0): (name: string) => AnyAction {
  return (name) => {
    const id = name.slice('fake.'.length);
    return {
      name,
      effect: 'contain',
      reversible: true,
      description: id,
      permissions: [],
      parseInput: (raw) => raw,
      capture: async () => {
        trace.captures.push(id);
        return { fresh: id };
      },
      apply: async (_i: unknown, pre: unknown) => {
        if (typeof applyMs !== 'number') await applyMs;
        else if (applyMs > 0) await new Promise((r) => setTimeout(r, applyMs));
        trace.applies.push({ id, pre });
        return { did: id };
      },
      verify: async () => ({ holds: true, detail: 'ok' }),
    };
  };
}

async function setup(journal: DynamoJournal, mode: Mode = 'contain'): Promise<{ deps: (o?: Partial<RunPlanDeps>) => RunPlanDeps; input: RunPlanInput; trace: Trace; id: string }> {
  const { incident } = await journal.openIncident(
    { incidentKey: `k-${Math.random()}`, accountId: '111111111111', region: 'us-east-1', subjectKind: 'ec2-instance', subjectId: 'i-1', findingId: 'f', findingType: 't', severity: 8, mode, playbook: 'p', plan, decision: decisionFixture(mode), subject: subject as never },
    new Date(),
  );
  const trace: Trace = { captures: [], applies: [] };
  const deps = (o: Partial<RunPlanDeps> = {}): RunPlanDeps => planDeps(journal, actions(trace), o);
  const input: RunPlanInput = { incidentId: incident.incidentId, plan, mode, overrides: {}, subject, clients: () => Promise.resolve({} as AwsClients), evidence };
  await journal.putSteps(incident.incidentId, plan.steps.map((s) => ({ stepId: s.id, action: s.action, status: 'planned' as const })), new Date());
  return { deps, input, trace, id: incident.incidentId };
}

/** A responder that claimed `isolate`, journaled its pre-image, and stopped (kill -9) before finishing. */
async function leftRunning(journal: DynamoJournal, id: string, leaseMs: number): Promise<void> {
  await journal.transitionStep(id, 'isolate', ['planned'], 'running', { leaseOwner: 'dead', leaseUntil: new Date(Date.now() + leaseMs).toISOString(), leaseProcess: 'host#2#dead', attempts: 1 }, new Date());
  await journal.transitionStep(id, 'isolate', ['running'], 'running', { preImage: { original: 'sg-app' } }, new Date(), { leaseOwner: 'dead' });
}

describe('taking over steps left running', () => {
  it('an exclusive journal proves another process gone: its step is taken over at once, its pre-image kept', async () => {
    const { deps, input, trace, id } = await setup(exclusive);
    await leftRunning(exclusive, id, 15 * 60_000);
    const result = await runPlan(deps(), input);
    expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({ isolate: 'done', imds: 'done' });
    expect(result.progressed).toBe(true);
    // Captured nothing again for the taken-over step: apply ran on the first pre-image.
    expect(trace.captures).toEqual(['imds']);
    expect(trace.applies[0]).toEqual({ id: 'isolate', pre: { original: 'sg-app' } });
    const isolate = result.steps.find((s) => s.stepId === 'isolate')!;
    expect(isolate).toMatchObject({ attempts: 2, preImage: { original: 'sg-app' } });
    expect(isolate.leaseOwner).toBeUndefined();
    const events = await exclusive.listEvents(id);
    expect(events.find((e) => e.type === 'step.taken-over')?.message).toBe('isolate: taken over from dead (its process is gone); its journaled pre-image is kept');
  });

  it('on a shared table a live lease is left alone; once it expires the step is taken over', async () => {
    const { deps, input, trace, id } = await setup(shared);
    await leftRunning(shared, id, 400);
    const early = await runPlan(deps(), input);
    expect(early.status).toBe('in-progress');
    expect(early.progressed).toBe(false);
    expect(trace.applies).toEqual([]);
    await new Promise((r) => setTimeout(r, 450));
    const later = await runPlan(deps(), input);
    expect(later.status).toBe('contained');
    expect((await shared.listEvents(id)).some((e) => e.message === 'isolate: taken over from dead (its lease expired); its journaled pre-image is kept')).toBe(true);
  });

  it('waits for a live holder to finish (waitMs), then runs what was behind it', async () => {
    const { deps, input, trace, id } = await setup(shared);
    await leftRunning(shared, id, 60_000);
    // The holder finishes 300 ms from now.
    setTimeout(() => void shared.transitionStep(id, 'isolate', ['running'], 'done', { output: {}, leaseOwner: null, leaseUntil: null }, new Date(), { leaseOwner: 'dead' }), 300);
    const slept: number[] = [];
    const result = await runPlan(deps({ waitMs: 5_000, sleep: (ms) => (slept.push(ms), new Promise((r) => setTimeout(r, 50))) }), input);
    expect(result.status).toBe('contained');
    expect(slept.length).toBeGreaterThan(0);
    expect(trace.applies.map((a) => a.id)).toEqual(['imds']);
  });

  it('a running step renews its lease, so a short lease still keeps others off a long step', async () => {
    const { deps, input, id } = await setup(shared);
    const trace: Trace = { captures: [], applies: [] };
    // The step runs until the test lets it finish (no timing assumption on a loaded machine).
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const run = runPlan(deps({ leaseMs: 150, getAction: actions(trace, gate) }), input);
    const isolate = async () => (await shared.getSteps(id)).find((s) => s.stepId === 'isolate');
    let first: number | undefined;
    let renewed = false;
    for (const until = Date.now() + 10_000; Date.now() < until && !renewed; ) {
      const step = await isolate();
      if (step?.status === 'running' && step.leaseUntil !== undefined) {
        first ??= Date.parse(step.leaseUntil);
        renewed = Date.parse(step.leaseUntil) > first;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(renewed).toBe(true); // the lease was extended past its first 150 ms while the step ran
    const held = (await isolate())!;
    expect(held.status).toBe('running');
    const other = await runPlan(deps({ runnerId: 'other', processId: 'host#3#other' }), input);
    expect(other.progressed).toBe(false);
    finish();
    expect((await run).status).toBe('contained');
    expect((await shared.getSteps(id)).find((s) => s.stepId === 'isolate')!.attempts).toBe(1);
  });

  it('a step waiting for approval runs once the mode allows it (an incident escalated to contain)', async () => {
    const { deps, input } = await setup(shared, 'approve');
    const approve = await runPlan(deps(), { ...input, mode: 'approve' });
    expect(approve.steps.find((s) => s.stepId === 'isolate')!.status).toBe('awaiting-approval');
    const contain = await runPlan(deps(), { ...input, mode: 'contain' });
    expect(contain.status).toBe('contained');
  });
});
