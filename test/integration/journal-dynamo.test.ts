/**
 * The DynamoDB journal against real DynamoDB API implementations (the embedded emulator and moto_server): races,
 * re-delivery, step leases, budget, breaker, listing, release.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, TourniquetError } from '../../src/errors.js';
import { DynamoJournal } from '../../src/journal/dynamo-journal.js';
import { startEmbeddedDynamo } from '../../src/journal/embedded-dynamo.js';
import { startMotoServer } from '../../src/aws/moto-server.js';
import type { Json } from '../../src/findings/model.js';
import type { NewIncident } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { keys } from '../../src/journal/table-layout.js';
import { decisionFixture } from '../support/decision-fixture.js';
import type { Plan } from '../../src/contracts/plan.js';

const TABLE = 'journal-test';

const T0 = new Date('2026-11-28T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let n = 0;
const emptyPlan: Plan = { playbook: 'ec2-instance', incidentKey: 'k', steps: [] };
function newIncident(overrides: Partial<NewIncident> = {}): NewIncident {
  n++;
  const incidentKey = overrides.incidentKey ?? `123456789012#us-east-1#ec2-instance#i-${String(n).padStart(17, '0')}`;
  return {
    incidentKey,
    accountId: '123456789012',
    region: 'us-east-1',
    subjectKind: 'ec2-instance',
    subjectId: `i-${n}`,
    findingId: `f${n}`,
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    severity: 8,
    mode: 'contain',
    playbook: 'ec2-instance',
    plan: { playbook: 'ec2-instance', incidentKey, steps: [] },
    decision: decisionFixture('contain', 'ec2-instance', { verdicts: [{ guardrail: 'budget', outcome: 'pass', reason: 'ok' }] }),
    subject: {
      kind: 'ec2-instance',
      id: `i-${n}`,
      accountId: '123456789012',
      region: 'us-east-1',
      tags: [{ key: '__proto__', value: 'x' }],
      ai: { isAi: false, reasons: [] },
      details: { instanceId: `i-${n}`, networkInterfaces: [] },
    },
    ...overrides,
  };
}

// The same suite on the embedded emulator and on moto_server (a second, independent DynamoDB implementation
// that also enables TTL), so the expressions are not tuned to one emulator's quirks.
describe.each(['embedded', 'moto'] as const)('journal on %s', (backend) => {
  let server: { endpoint: string; close(): Promise<void> };
  let client: DynamoDBClient;
  let journal: DynamoJournal;
  let raw: DynamoDBDocumentClient;
  // moto's DynamoDB does not make a conditional write atomic under concurrent requests (two racing writers can both
  // pass the condition), unlike DynamoDB and the embedded emulator. Races are therefore run concurrently on the
  // embedded emulator and one after another on moto, where they still check the conditions themselves.
  const race = async <T>(tasks: ReadonlyArray<() => Promise<T>>): Promise<Array<PromiseSettledResult<T>>> => {
    if (backend === 'embedded') return Promise.allSettled(tasks.map((t) => t()));
    const out: Array<PromiseSettledResult<T>> = [];
    for (const t of tasks) out.push(await t().then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason })));
    return out;
  };
  const raceAll = async <T>(n: number, task: () => Promise<T>): Promise<T[]> =>
    (await race(Array.from({ length: n }, () => task))).map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });

  beforeAll(async () => {
    server = backend === 'embedded' ? await startEmbeddedDynamo() : await startMoto();
    client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    raw = DynamoDBDocumentClient.from(client);
    journal = new DynamoJournal({ client, tableName: TABLE, ownsClient: false });
    await journal.ensureTable();
  });

  afterAll(async () => {
    await journal?.close();
    client?.destroy();
    await server?.close();
  });

  describe('ensureTable', () => {
    it('is idempotent on an existing table', async () => {
      await journal.ensureTable();
      const other = new DynamoJournal({ client, tableName: TABLE, ownsClient: false });
      await other.ensureTable();
      expect(await other.getIncident('nope')).toBeUndefined();
    });

    it('rejects a table that does not have the journal layout', async () => {
      await client.send(
        new CreateTableCommand({
          TableName: 'not-a-journal',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      const wrong = new DynamoJournal({ client, tableName: 'not-a-journal', ownsClient: false });
      await expect(wrong.ensureTable()).rejects.toMatchObject({ code: 'journal.table-layout' });
    });
  });

  describe('incidents', () => {
    it('opens one incident for concurrent callers on the same key', async () => {
      const init = newIncident();
      const results = await raceAll(6, () => journal.openIncident(init, T0));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.incident.incidentId)).size).toBe(1);
      const stored = await journal.getIncident(results[0]!.incident.incidentId);
      expect(stored).toMatchObject({ incidentKey: init.incidentKey, status: 'in-progress', version: 1, occurrences: 0, severity: 8 });
      // JSON values come back as data, including a `__proto__` key.
      expect(stored!.subject).toEqual(init.subject);
      expect(Object.getPrototypeOf(stored!.subject.tags[0])).toBe(Object.prototype);
      expect(stored!.plan).toEqual(init.plan);
    });

    it('returns the open incident (created=false) on a second open', async () => {
      const init = newIncident({ mode: 'observe' });
      const first = await journal.openIncident(init, T0);
      const second = await journal.openIncident({ ...init, findingId: 'other' }, at(5));
      expect(first.created).toBe(true);
      expect(first.incident.status).toBe('observed');
      expect(second).toMatchObject({ created: false, incident: { incidentId: first.incident.incidentId, findingId: init.findingId } });
    });

    it('claims an occurrence once (a finding id, or a higher severity or count, is a new one); re-delivery returns the stored record', async () => {
      const { incident } = await journal.openIncident(newIncident(), T0);
      const id = incident.incidentId;
      const occ = { findingId: 'f-a', severity: 8, count: 1, findingType: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', updatedAt: '2026-11-28T09:00:00Z' };
      const claim = (owner: string, until = at(1)) => ({ owner, process: `host#1#${owner}`, until: until.toISOString() });
      const first = await journal.claimOccurrence(id, occ, claim('r1'), T0);
      expect(first).toMatchObject({ claimed: true, occurrence: { status: 'claimed', claimedBy: 'r1', claimProcess: 'host#1#r1', count: 1 } });
      const again = await race([() => journal.claimOccurrence(id, occ, claim('r2'), T0), () => journal.claimOccurrence(id, { ...occ, updatedAt: 'later' }, claim('r3'), T0)]);
      for (const r of again) expect(r).toMatchObject({ status: 'fulfilled', value: { claimed: false, occurrence: { claimedBy: 'r1', updatedAt: occ.updatedAt } } });
      // Only the claimant decides, once.
      await expect(journal.decideOccurrence(id, occ, { decision: decisionFixture('observe'), plan: emptyPlan }, 'r2', T0)).rejects.toBeInstanceOf(ConflictError);
      const decided = await journal.decideOccurrence(id, occ, { decision: decisionFixture('observe'), plan: emptyPlan }, 'r1', at(1));
      expect(decided).toMatchObject({ status: 'decided', decision: { effectiveMode: 'observe' }, plan: emptyPlan, decidedAt: at(1).toISOString() });
      await expect(journal.decideOccurrence(id, occ, { decision: decisionFixture('contain'), plan: emptyPlan }, 'r1', at(1))).rejects.toBeInstanceOf(ConflictError);
      await journal.updateOccurrence(id, occ, { merge: 'initial: observe (rule:x)', evidenceWritten: true }, at(2));
      expect(await journal.getOccurrence(id, occ)).toMatchObject({ status: 'merged', merge: 'initial: observe (rule:x)', evidenceWritten: true, mergedAt: at(2).toISOString() });
      // The same id with a higher count is another occurrence.
      expect((await journal.claimOccurrence(id, { ...occ, count: 7 }, claim('r2'), at(3))).claimed).toBe(true);
      expect((await journal.listOccurrences(id)).map((o) => [o.findingId, o.count, o.status])).toEqual([
        ['f-a', 1, 'merged'],
        ['f-a', 7, 'claimed'],
      ]);
      const stored = await journal.getIncident(id);
      expect(stored!.occurrences).toBe(2);
      expect(stored!.version).toBe(1); // a counter, not a state change
      await expect(journal.claimOccurrence('inc-missing', occ, claim('r1'), T0)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('takes an undecided claim over from the owner it names, and only from that one', async () => {
      const { incident } = await journal.openIncident(newIncident(), T0);
      const id = incident.incidentId;
      const occ = { findingId: 'f-b', severity: 5, count: 2, findingType: 'Recon:EC2/PortProbeUnprotectedPort', updatedAt: 'u' };
      await journal.claimOccurrence(id, occ, { owner: 'gone', process: 'p1', until: at(1).toISOString() }, T0);
      const claim = { owner: 'taker', process: 'p2', until: at(5).toISOString() };
      await expect(journal.claimOccurrence(id, occ, claim, T0, { takeOverFrom: 'someone-else' })).rejects.toBeInstanceOf(ConflictError);
      const taken = await journal.claimOccurrence(id, occ, claim, T0, { takeOverFrom: 'gone' });
      expect(taken).toMatchObject({ claimed: true, occurrence: { claimedBy: 'taker', claimProcess: 'p2', status: 'claimed' } });
      // The first claimant can no longer decide it.
      await expect(journal.decideOccurrence(id, occ, { decision: decisionFixture(), plan: emptyPlan }, 'gone', T0)).rejects.toBeInstanceOf(ConflictError);
      await journal.decideOccurrence(id, occ, { decision: decisionFixture(), plan: emptyPlan }, 'taker', T0);
      // A decided occurrence is never taken over.
      await expect(journal.claimOccurrence(id, occ, { ...claim, owner: 'x' }, T0, { takeOverFrom: 'taker' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('updates with optimistic locking', async () => {
      const { incident } = await journal.openIncident(newIncident(), T0);
      const updated = await journal.updateIncident(incident.incidentId, { status: 'contained', evidenceLocation: 'file:///x' }, at(1), 1);
      expect(updated).toMatchObject({ status: 'contained', version: 2, evidenceLocation: 'file:///x', updatedAt: at(1).toISOString() });
      const stale = journal.updateIncident(incident.incidentId, { status: 'partial' }, at(2), 1);
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toThrow(/version 2, expected 1/);
      expect((await journal.getIncident(incident.incidentId))!.status).toBe('contained');
      const unconditional = await journal.updateIncident(incident.incidentId, { decision: decisionFixture('observe', 'ec2-instance', { decidedBy: 'changed' }) }, at(3));
      expect(unconditional).toMatchObject({ version: 3, decision: { decidedBy: 'changed' } });
      await expect(journal.updateIncident('inc-missing', { status: 'contained' }, at(1))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('opens a new incident on the same key after release', async () => {
      const init = newIncident();
      const first = await journal.openIncident(init, T0);
      await journal.updateIncident(first.incident.incidentId, { status: 'released', releasedBy: 'alice', releaseReason: 'false positive', releasedAt: at(1).toISOString() }, at(1));
      const second = await journal.openIncident(init, at(2));
      expect(second.created).toBe(true);
      expect(second.incident.incidentId).not.toBe(first.incident.incidentId);
      const old = await journal.getIncident(first.incident.incidentId);
      expect(old).toMatchObject({ status: 'released', releasedBy: 'alice', releaseReason: 'false positive' });
      // The new one absorbs later findings.
      expect((await journal.openIncident(init, at(3))).incident.incidentId).toBe(second.incident.incidentId);
    });

    it('retires a key pointer left on a released incident (crash between release and pointer delete)', async () => {
      const init = newIncident();
      const first = await journal.openIncident(init, T0);
      await journal.updateIncident(first.incident.incidentId, { status: 'released' }, at(1));
      // Put the pointer back as if the delete had never happened.
      await raw.send(new PutCommand({ TableName: TABLE, Item: { ...keys.openPointer(init.incidentKey), incidentKey: init.incidentKey, incidentId: first.incident.incidentId, createdAt: T0.toISOString() } }));
      const second = await journal.openIncident(init, at(2));
      expect(second.created).toBe(true);
      expect(second.incident.incidentId).not.toBe(first.incident.incidentId);
      const pointer = await raw.send(new GetCommand({ TableName: TABLE, Key: keys.openPointer(init.incidentKey) }));
      expect(pointer.Item?.incidentId).toBe(second.incident.incidentId);
    });

    it('completes an incident whose pointer was written but whose item was not (crash between the two writes)', async () => {
      const init = newIncident();
      await raw.send(new PutCommand({ TableName: TABLE, Item: { ...keys.openPointer(init.incidentKey), incidentKey: init.incidentKey, incidentId: 'inc-orphan-pointer', createdAt: T0.toISOString() } }));
      const opened = await journal.openIncident(init, T0);
      expect(opened).toMatchObject({ created: true, incident: { incidentId: 'inc-orphan-pointer' } });
      // Completed in the table, read back: the incident item under the pointer's id, with the finding's data.
      const item = await raw.send(new GetCommand({ TableName: TABLE, Key: keys.incident('inc-orphan-pointer') }));
      expect(item.Item).toMatchObject({ incidentId: 'inc-orphan-pointer', incidentKey: init.incidentKey, subjectId: init.subjectId, findingId: init.findingId, status: 'in-progress' });
      expect(await journal.getIncident('inc-orphan-pointer')).toMatchObject({ incidentKey: init.incidentKey, createdAt: T0.toISOString(), occurrences: 0 });
      expect((await journal.listIncidents()).map((i) => i.incidentId)).toContain('inc-orphan-pointer');
      // And it is the open incident of its key from now on.
      expect(await journal.openIncident(init, at(1))).toMatchObject({ created: false, incident: { incidentId: 'inc-orphan-pointer' } });
    });

    it('lists incidents newest first, with limit and status filter', async () => {
      const base = new Date('2030-01-01T00:00:00.000Z');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { incident } = await journal.openIncident(newIncident(), new Date(base.getTime() + i * 1000));
        ids.push(incident.incidentId);
      }
      await journal.updateIncident(ids[1]!, { status: 'partial' }, base);
      const top = await journal.listIncidents({ limit: 3 });
      expect(top.map((i) => i.incidentId)).toEqual([ids[3], ids[2], ids[1]]);
      const all = await journal.listIncidents();
      const created = all.map((i) => i.createdAt);
      expect(created).toEqual([...created].sort().reverse());
      const partial = await journal.listIncidents({ status: 'partial' });
      expect(partial.map((i) => i.incidentId)).toEqual([ids[1]]);
      expect(await journal.listIncidents({ limit: 0 })).toEqual([]);
    });
  });

  describe('steps', () => {
    async function incidentWithSteps() {
      const { incident } = await journal.openIncident(newIncident(), T0);
      await journal.putSteps(
        incident.incidentId,
        [
          { stepId: 'tag', action: 'ec2.tag', status: 'planned' },
          { stepId: 'isolate', action: 'ec2.isolate', status: 'planned' },
          { stepId: 'snapshot', action: 'ec2.snapshot', status: 'awaiting-approval' },
        ],
        T0,
      );
      return incident.incidentId;
    }

    it('creates steps once, in plan order, leaving existing ones alone', async () => {
      const id = await incidentWithSteps();
      await journal.transitionStep(id, 'tag', ['planned'], 'done', { output: { ok: true } }, T0);
      const created = await journal.putSteps(id, [{ stepId: 'tag', action: 'ec2.tag', status: 'planned' }, { stepId: 'notify', action: 'notify', status: 'planned' }], at(1));
      const steps = await journal.getSteps(id);
      // What it created, exactly as a read returns it; not the step that existed.
      expect(created).toEqual(steps.filter((s) => s.stepId === 'notify'));
      expect(steps.map((s) => [s.stepId, s.status])).toEqual([
        ['tag', 'done'],
        ['isolate', 'planned'],
        ['notify', 'planned'], // position 1 of its own putSteps call; ties go by id
        ['snapshot', 'awaiting-approval'],
      ]);
    });

    it('lets exactly one of several concurrent claims win', async () => {
      const id = await incidentWithSteps();
      const claims = await race(
        ['a', 'b', 'c', 'd'].map((owner) => () =>
          journal.transitionStep(id, 'isolate', ['planned', 'approved'], 'running', { leaseOwner: owner, leaseUntil: at(15).toISOString(), attempts: 1 }, T0),
        ),
      );
      const won = claims.filter((c) => c.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const c of claims) if (c.status === 'rejected') expect(c.reason).toBeInstanceOf(ConflictError);
      const step = (await journal.getSteps(id)).find((s) => s.stepId === 'isolate')!;
      expect(step).toMatchObject({ status: 'running', attempts: 1, leaseUntil: at(15).toISOString() });
      expect(['a', 'b', 'c', 'd']).toContain(step.leaseOwner);
    });

    it('treats a running step as claimable only once its lease expired', async () => {
      const id = await incidentWithSteps();
      await journal.transitionStep(id, 'isolate', ['planned'], 'running', { leaseOwner: 'r1', leaseUntil: at(15).toISOString(), attempts: 1 }, T0);
      // The holder updates its own step (pre-image) without naming itself.
      const withPre = await journal.transitionStep(id, 'isolate', ['running'], 'running', { preImage: { groups: ['sg-1'], weird: JSON.parse('{"__proto__":1}') as Json } }, at(1));
      expect(withPre.preImage).toEqual({ groups: ['sg-1'], weird: JSON.parse('{"__proto__":1}') });
      // Another responder cannot take it over before expiry …
      const early = journal.transitionStep(id, 'isolate', ['planned', 'running'], 'running', { leaseOwner: 'r2', leaseUntil: at(30).toISOString(), attempts: 2 }, at(10));
      await expect(early).rejects.toBeInstanceOf(ConflictError);
      await expect(early).rejects.toThrow(/lease held by r1/);
      // … but can after it.
      const taken = await journal.transitionStep(id, 'isolate', ['planned', 'running'], 'running', { leaseOwner: 'r2', leaseUntil: at(40).toISOString(), attempts: 2 }, at(20));
      expect(taken).toMatchObject({ leaseOwner: 'r2', attempts: 2, preImage: { groups: ['sg-1'] } });
      // The old holder, fenced by its owner id, can no longer finish it.
      await expect(
        journal.transitionStep(id, 'isolate', ['running'], 'done', { output: 'late' }, at(21), { leaseOwner: 'r1' }),
      ).rejects.toBeInstanceOf(ConflictError);
      // The new holder finishes; lease fields are removed, the error cleared.
      const done = await journal.transitionStep(
        id,
        'isolate',
        ['running'],
        'done',
        { output: { isolated: true }, finishedAt: at(22).toISOString(), leaseOwner: null, leaseUntil: null, error: null },
        at(22),
        { leaseOwner: 'r2' },
      );
      expect(done).toMatchObject({ status: 'done', output: { isolated: true }, finishedAt: at(22).toISOString() });
      expect(done.leaseOwner).toBeUndefined();
      expect(done.leaseUntil).toBeUndefined();
      // Re-claiming a finished step is a conflict.
      await expect(journal.transitionStep(id, 'isolate', ['planned', 'running'], 'running', { leaseOwner: 'r3' }, at(60))).rejects.toThrow(/is done/);
    });

    it('a claim takes over a live lease only from the owner named as gone', async () => {
      const id = await incidentWithSteps();
      await journal.transitionStep(id, 'isolate', ['planned'], 'running', { leaseOwner: 'dead', leaseUntil: at(15).toISOString(), leaseProcess: 'host#99#x', attempts: 1 }, T0);
      const claim = { leaseOwner: 'alive', leaseUntil: at(16).toISOString(), leaseProcess: 'host#1#y', attempts: 2 };
      await expect(journal.transitionStep(id, 'isolate', ['running'], 'running', claim, at(1), { takeOver: 'someone-else' })).rejects.toBeInstanceOf(ConflictError);
      const taken = await journal.transitionStep(id, 'isolate', ['running'], 'running', claim, at(1), { takeOver: 'dead' });
      expect(taken).toMatchObject({ leaseOwner: 'alive', leaseProcess: 'host#1#y', attempts: 2 });
      // `takeOver` is for claims only: it never lets a non-claim write past the fence.
      await expect(journal.transitionStep(id, 'isolate', ['running'], 'done', {}, at(2), { leaseOwner: 'dead', takeOver: 'alive' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('records and clears errors, and reports unknown steps', async () => {
      const id = await incidentWithSteps();
      const failed = await journal.transitionStep(id, 'tag', ['planned'], 'failed', { error: { name: 'Throttling', message: 'Rate exceeded', transient: true } }, T0);
      expect(failed.error).toEqual({ name: 'Throttling', message: 'Rate exceeded', transient: true });
      const retried = await journal.transitionStep(id, 'tag', ['failed'], 'planned', { error: null }, at(1));
      expect(retried.error).toBeUndefined();
      const approved = await journal.transitionStep(id, 'snapshot', ['awaiting-approval'], 'approved', { approvedBy: 'bob' }, at(1));
      expect(approved).toMatchObject({ status: 'approved', approvedBy: 'bob' });
      await expect(journal.transitionStep(id, 'nope', ['planned'], 'running', {}, T0)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses an oversized pre-image with a clear error', async () => {
      const id = await incidentWithSteps();
      const big = { blob: 'x'.repeat(400_000) };
      await expect(journal.transitionStep(id, 'tag', ['planned'], 'planned', { preImage: big }, T0)).rejects.toMatchObject({ code: 'journal.too-large' });
      expect((await journal.getSteps(id)).find((s) => s.stepId === 'tag')!.preImage).toBeUndefined();
    });
  });

  describe('timeline and approvals', () => {
    it('keeps events in order, including same-millisecond ones', async () => {
      const { incident } = await journal.openIncident(newIncident(), T0);
      for (let i = 0; i < 5; i++) {
        await journal.appendEvent(incident.incidentId, { at: T0.toISOString(), type: 'step.done', message: `m${i}`, ...(i === 2 ? { data: { calls: 3 } } : {}) });
      }
      await journal.appendEvent(incident.incidentId, { at: at(1).toISOString(), type: 'release', message: 'later' });
      const events = await journal.listEvents(incident.incidentId);
      expect(events.map((e) => e.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'later']);
      expect(events[2]!.data).toEqual({ calls: 3 });
      expect(events[0]).not.toHaveProperty('data');
    });

    it('records approvals, also two for one step at the same instant', async () => {
      const { incident } = await journal.openIncident(newIncident(), T0);
      const atIso = T0.toISOString();
      await journal.recordApproval({ incidentId: incident.incidentId, stepId: 'isolate', decision: 'approve', by: 'alice', at: atIso });
      await journal.recordApproval({ incidentId: incident.incidentId, stepId: 'isolate', decision: 'deny', by: 'bob', reason: 'prod', at: atIso });
      const approvals = await journal.listApprovals(incident.incidentId);
      expect(approvals).toHaveLength(2);
      expect(approvals).toContainEqual({ incidentId: incident.incidentId, stepId: 'isolate', decision: 'deny', by: 'bob', reason: 'prod', at: atIso });
      await expect(journal.recordApproval({ incidentId: 'inc-missing', stepId: '*', decision: 'approve', by: 'x', at: atIso })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('guardrail counters', () => {
    it('takes budget up to the hourly limit, never beyond, also concurrently', async () => {
      const account = '210987654321';
      const takes = await raceAll(8, () => journal.takeBudget(account, T0, 5));
      expect(takes.filter((t) => t.allowed)).toHaveLength(5);
      expect(takes.filter((t) => t.allowed).map((t) => t.used).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(takes.filter((t) => !t.allowed).every((t) => t.used === 5)).toBe(true);
      // The next hour has a fresh budget; another account is separate.
      expect(await journal.takeBudget(account, at(60), 5)).toEqual({ allowed: true, used: 1 });
      expect(await journal.takeBudget('111111111111', T0, 5)).toEqual({ allowed: true, used: 1 });
      // No budget at all: nothing taken.
      expect(await journal.takeBudget('222222222222', T0, 0)).toEqual({ allowed: false, used: 0 });
    });

    it('counts breaker hits within the window only', async () => {
      const key = 'type#Recon:EC2/PortProbeUnprotectedPort';
      expect(await journal.hitBreaker(key, at(0), 5)).toBe(1);
      expect(await journal.hitBreaker(key, at(0), 5)).toBe(2);
      expect(await journal.hitBreaker(key, at(2), 5)).toBe(3);
      expect(await journal.hitBreaker(key, at(4), 5)).toBe(4);
      // At minute 5 the window is minutes 1..5: the two hits at minute 0 fall out.
      expect(await journal.hitBreaker(key, at(5), 5)).toBe(3);
      expect(await journal.hitBreaker('type#other', at(5), 5)).toBe(1);
      const parallel = await raceAll(5, () => journal.hitBreaker('type#storm', at(0), 10));
      expect(Math.max(...parallel)).toBe(5);
      await expect(journal.hitBreaker(key, T0, 0)).rejects.toBeInstanceOf(TourniquetError);
    });

    it('lets a one-time key be claimed once (also concurrently) until it expires', async () => {
      const claims = await raceAll(5, () => journal.claimOnce('approval-nonce#n1', at(60), T0));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await journal.claimOnce('approval-nonce#n1', at(60), at(30))).toBe(false);
      expect(await journal.claimOnce('approval-nonce#n2', at(60), T0)).toBe(true);
      // After its expiry (still stored: TTL is lazy) the key is free again.
      expect(await journal.claimOnce('approval-nonce#n1', at(180), at(61))).toBe(true);
    });
  });

  it.runIf(backend === 'moto')('enables TTL on the transient counters when it creates the table', async () => {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });
});

async function startMoto(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const moto = await startMotoServer();
  return { endpoint: moto.endpoint, close: () => moto.stop() };
}

describe('openJournal', () => {
  it('keeps an on-disk embedded journal across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tourniquet-journal-'));
    try {
      const first = await openJournal({ path: join(dir, 'journal') });
      const { incident } = await first.openIncident(newIncident(), T0);
      await first.close();
      const second = await openJournal({ path: join(dir, 'journal') });
      try {
        expect((await second.getIncident(incident.incidentId))?.incidentId).toBe(incident.incidentId);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second journal on the same folder instead of hanging, and takes over a stale lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tourniquet-journal-'));
    try {
      const first = await openJournal({ path: dir });
      try {
        await expect(openJournal({ path: dir })).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
      } finally {
        await first.close();
      }
      // A lock left by a process that is gone does not block: the next generation is claimed, and released on close.
      await writeFile(join(dir, 'tourniquet.lock.1'), '999999999');
      const again = await openJournal({ path: dir });
      expect(await readFile(join(dir, 'tourniquet.lock.2'), 'utf8')).toBe(String(process.pid));
      await again.close();
      await expect(readFile(join(dir, 'tourniquet.lock.2'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps two in-memory journals apart', async () => {
    const a = await openJournal();
    const b = await openJournal();
    try {
      const { incident } = await a.openIncident(newIncident(), T0);
      expect(await b.getIncident(incident.incidentId)).toBeUndefined();
      expect((await a.getIncident(incident.incidentId))?.incidentId).toBe(incident.incidentId);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rejects a path together with a table', async () => {
    await expect(openJournal({ path: '/tmp/x', tableName: 't' })).rejects.toMatchObject({ code: 'usage' });
  });
});
