/**
 * A step's lease fences the calls it sends, not only its journal writes: a holder whose renewals stopped landing and
 * whose change waited (in the rate limiter) past its lease does not send it once another responder may have taken
 * the step over — the defect seen in a loaded burst, where one instance got three snapshots. Real EC2 client and
 * middleware stack (a counting request handler instead of the network), the real embedded journal.
 */
import { CreateSnapshotsCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { fenceClients } from '../../../src/aws/step-fence.js';
import type { Plan } from '../../../src/contracts/plan.js';
import { LeaseLostError } from '../../../src/errors.js';
import { HeldLease } from '../../../src/engine/held-lease.js';
import { rateLimitClients, type RateLimiter } from '../../../src/engine/rate-limiter.js';
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

const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [{ id: 'snapshot', action: 'fake.snapshot', input: {}, dependsOn: [], effect: 'contain', reversible: true, description: 'snapshot' }] };

/** An EC2 client that answers every call itself and counts what reached the wire. */
function countingEc2(sent: string[]): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        const op = /Action=(\w+)/.exec(String(request.body))?.[1] ?? '?';
        sent.push(op);
        const body = `<${op}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId></${op}Response>`;
        return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(body)]) } };
      },
    } as never,
  });
}

/**
 * The clients a responder gives its steps (rate-limited, then fenced), with a limiter that holds the first change
 * until the test releases it.
 */
function heldClients(ec2: EC2Client, hold: { first?: Promise<void>; waiting?: () => void }): () => Promise<AwsClients> {
  const limiter = {
    take: async (_scope: string, _service: string, call: { operation: string }) => {
      if (call.operation === 'CreateSnapshots' && hold.first !== undefined) {
        const gate = hold.first;
        hold.first = undefined;
        hold.waiting?.();
        await gate;
      }
    },
  } as unknown as RateLimiter;
  const base = { accountId: '111111111111', region: 'us-east-1', aws: () => ec2 } as unknown as AwsClients;
  return () => Promise.resolve(fenceClients(rateLimitClients(base, limiter)));
}

function snapshotAction(): AnyAction {
  return fakeAction('fake.snapshot', {
    capture: async (_i, ctx) => {
      await ctx.clients.aws(EC2Client).send(new DescribeSnapshotsCommand({}));
      return { snapshots: [] };
    },
    apply: async (_i, _pre, ctx) => {
      await ctx.clients.aws(EC2Client).send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-1' } }));
      return { created: true };
    },
  });
}

/** A journal whose lease renewals never land (an overloaded journal), everything else as is. */
function renewalsFail(inner: Journal): Journal {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'transitionStep') {
        return (...args: Parameters<Journal['transitionStep']>) => {
          const [, , from, to, patch] = args;
          const renewal = from.length === 1 && from[0] === 'running' && to === 'running' && patch.leaseProcess !== undefined && patch.leaseOwner === undefined;
          if (renewal) return Promise.reject(Object.assign(new Error('journal timed out'), { name: 'TimeoutError' }));
          return target.transitionStep(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('the lease fences the calls a step sends', () => {
  it('a change held in the rate limiter past the lease is not sent once another responder took the step over: one snapshot, not two', async () => {
    const incident = await openPlanIncident(journal, plan);
    const sent: string[] = [];
    const ec2 = countingEc2(sent);
    let release!: () => void;
    let waiting!: () => void;
    const isWaiting = new Promise<void>((r) => (waiting = r));
    const hold = { first: new Promise<void>((r) => (release = r)), waiting };
    const leaseMs = 300;
    const holder = runPlan(planDeps(renewalsFail(journal), () => snapshotAction(), { leaseMs, runnerId: 'holder' }), { ...planInput(incident.incidentId, plan), clients: heldClients(ec2, hold) });
    await isWaiting;
    // The holder's lease runs out while its change waits for a token; another responder takes the step over.
    await new Promise((r) => setTimeout(r, leaseMs + 50));
    const taker = await runPlan(planDeps(journal, () => snapshotAction(), { leaseMs: 60_000, runnerId: 'taker' }), { ...planInput(incident.incidentId, plan), clients: heldClients(ec2, {}) });
    expect(taker.status).toBe('contained');
    release();
    await holder;
    expect(sent.filter((op) => op === 'CreateSnapshots')).toHaveLength(1);
    const step = (await journal.getSteps(incident.incidentId))[0]!;
    expect(step).toMatchObject({ status: 'done', attempts: 2 });
    const events = await journal.listEvents(incident.incidentId);
    expect(events.some((e) => e.type === 'step.taken-over' && /its lease expired/.test(e.message))).toBe(true);
  });

  it('a holder fenced out with nobody else around gives the step back and takes it again with a fresh lease: sent once, done', async () => {
    const incident = await openPlanIncident(journal, plan);
    const sent: string[] = [];
    let release!: () => void;
    let waiting!: () => void;
    const isWaiting = new Promise<void>((r) => (waiting = r));
    const hold = { first: new Promise<void>((r) => (release = r)), waiting };
    const leaseMs = 300;
    const run = runPlan(planDeps(renewalsFail(journal), () => snapshotAction(), { leaseMs }), { ...planInput(incident.incidentId, plan), clients: heldClients(countingEc2(sent), hold) });
    await isWaiting;
    await new Promise((r) => setTimeout(r, leaseMs + 50));
    release();
    const result = await run;
    expect(result.status).toBe('contained');
    expect(sent.filter((op) => op === 'CreateSnapshots')).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ status: 'done', attempts: 2 });
    const events = await journal.listEvents(incident.incidentId);
    const lost = events.find((e) => e.type === 'step.lease-lost');
    expect(lost?.message).toMatch(/^step snapshot: CreateSnapshots not sent: its lease ran out \d+ ms ago .*; the step is given back$/);
    expect(events.some((e) => e.type === 'step.failed')).toBe(false);
  });
});

describe('HeldLease', () => {
  const clock = { t: 0 };
  const now = (): Date => new Date(clock.t);

  it('lets everything through before the claim, and reads always', () => {
    clock.t = 1_000_000;
    const lease = new HeldLease('s', 60_000, now);
    expect(() => lease.beforeSend('CreateSnapshots')).not.toThrow();
    lease.held(new Date(clock.t));
    clock.t += 10 * 60_000;
    expect(() => lease.beforeSend('DescribeSnapshots')).not.toThrow();
    expect(() => lease.beforeSend('GetRole')).not.toThrow();
  });

  it('stops a change within the margin (a quarter of the lease, at most 15 s) of the lease running out, until a renewal lands', () => {
    clock.t = 1_000_000;
    const lease = new HeldLease('s', 60_000, now);
    lease.held(new Date(clock.t));
    clock.t += 44_999;
    expect(() => lease.beforeSend('ModifyNetworkInterfaceAttribute')).not.toThrow();
    clock.t += 2;
    expect(() => lease.beforeSend('ModifyNetworkInterfaceAttribute')).toThrow(LeaseLostError);
    expect(() => lease.beforeSend('')).toThrow(/a call not sent/);
    lease.held(new Date(clock.t));
    expect(() => lease.beforeSend('ModifyNetworkInterfaceAttribute')).not.toThrow();
    const short = new HeldLease('s', 400, now);
    short.held(new Date(clock.t));
    clock.t += 299;
    expect(() => short.beforeSend('CreateSnapshots')).not.toThrow();
    clock.t += 2;
    expect(() => short.beforeSend('CreateSnapshots')).toThrow(/runs out in 99 ms, less than the 100 ms/);
  });

  it('stops every change once a renewal lost to another responder', () => {
    clock.t = 1_000_000;
    const lease = new HeldLease('s', 60_000, now);
    lease.held(new Date(clock.t));
    lease.takenOver();
    expect(() => lease.beforeSend('CreateSnapshots')).toThrow('step s: CreateSnapshots not sent: another responder took the step over');
  });
});
