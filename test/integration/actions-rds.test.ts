/**
 * The RDS instance playbook's actions against moto_server: a public PostgreSQL instance with a self-managed master
 * password, one whose password RDS already manages in Secrets Manager, and an Aurora cluster member. Each step of
 * the plan is captured, applied, applied again (nothing changes), verified and released, with the state READ BACK
 * with fresh clients: the case snapshot exists and is tagged (and stays after release), public access is off and
 * comes back on release, the password is in an RDS-managed secret (rotated when it already was), and no password
 * appears in anything the steps return.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Finding, Json, SubjectOf } from '../../src/findings/model.js';
import { getAction } from '../../src/actions/registry.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import { rdsInstancePlaybook } from '../../src/playbooks/rds-instance.js';
import { caseSnapshotIdentifier } from '../../src/actions/rds-snapshot-instance.js';
import { makeTestClients } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-rds-actions-1';
const NOW = new Date('2026-12-03T08:30:00.000Z');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PASSWORD = 'attacker-knows-this-1';

let moto: MotoServer;
const evidence = memoryEvidence({ recordedAt: NOW });
let currentAction = '';

function subjectOf(id: string): SubjectOf<'rds-instance'> {
  return {
    kind: 'rds-instance',
    id,
    arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`,
    name: id,
    accountId: ACCOUNT,
    region: REGION,
    tags: [],
    ai: { isAi: false, reasons: [] },
    details: { dbInstanceIdentifier: id, engine: 'postgres' },
  };
}

const reader = (): RDSClient => makeTestClients(moto.endpoint).aws(RDSClient);

function ctxFor(clients: AwsClients, id: string, stepId: string): ActionContext {
  return { clients, incidentId: CASE, caseId: CASE, subject: subjectOf(id), evidence, now: () => NOW, actor: 'test', stepId };
}

type Record_ = { action: AnyAction; stepId: string; input: unknown; pre: Json; output: Json };

async function run(id: string): Promise<Record_[]> {
  const finding = { id: 'f-r', type: { raw: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin' } } as unknown as Finding;
  const plan = rdsInstancePlaybook.plan(finding, subjectOf(id));
  const clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
  const records: Record_[] = [];
  for (const s of topologicalOrder(plan.steps)) {
    const action = getAction(s.action);
    currentAction = action.name;
    const ctx = ctxFor(clients, id, s.id);
    const input: unknown = action.parseInput(s.input, ctx);
    const pre = (await action.capture(input, ctx)) as Json;
    const output = (await action.apply(input, pre, ctx)) as Json;
    records.push({ action, stepId: s.id, input, pre, output });
  }
  for (const r of records) {
    currentAction = r.action.name;
    const again = (await r.action.apply(r.input, r.pre, ctxFor(clients, id, r.stepId))) as { changed?: boolean; created?: boolean; method?: string };
    if (r.action.name !== 'rds.rotate-master-password') expect(again.changed ?? again.created ?? false, `${r.stepId} second apply`).toBe(false);
    const v = await r.action.verify!(r.input, ctxFor(clients, id, r.stepId));
    expect(v.holds, `${r.stepId}: ${v.detail}`).toBe(true);
  }
  currentAction = '';
  return records;
}

async function release(id: string, records: Record_[]): Promise<Json[]> {
  const clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
  const out: Json[] = [];
  for (const r of [...records].reverse()) {
    if (r.action.release === undefined) continue;
    currentAction = r.action.name;
    out.push(await r.action.release(r.input, r.pre, r.output, ctxFor(clients, id, r.stepId)));
    out.push(await r.action.release(r.input, r.pre, r.output, ctxFor(clients, id, r.stepId)));
  }
  currentAction = '';
  return out;
}

async function instance(id: string) {
  return (await reader().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances![0]!;
}

async function snapshotTags(snapshotId: string): Promise<Record<string, string>> {
  const s = (await reader().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }))).DBSnapshots![0]!;
  return Object.fromEntries((s.TagList ?? []).map((t) => [t.Key!, t.Value!]));
}

beforeAll(async () => {
  moto = await startMotoServer();
  const rds = reader();
  const base = { DBInstanceClass: 'db.t3.micro', Engine: 'postgres', AllocatedStorage: 20, MasterUsername: 'admin' };
  await rds.send(new CreateDBInstanceCommand({ ...base, DBInstanceIdentifier: 'features-db', MasterUserPassword: PASSWORD, PubliclyAccessible: true }));
  await rds.send(new CreateDBInstanceCommand({ ...base, DBInstanceIdentifier: 'ledger-db', ManageMasterUserPassword: true, PubliclyAccessible: false }));
  await rds.send(
    new CreateDBClusterCommand({ DBClusterIdentifier: 'vectors', Engine: 'aurora-postgresql', MasterUsername: 'admin', MasterUserPassword: PASSWORD }),
  );
  await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'vectors-1', DBClusterIdentifier: 'vectors', DBInstanceClass: 'db.r6g.large', Engine: 'aurora-postgresql', PubliclyAccessible: true }));
});

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-rds.test.ts against moto_server');
});

describe('RDS instance containment actions against moto', () => {
  it('snapshots a public self-managed instance, turns public access off, hands the password to RDS; release restores access and keeps the snapshot', async () => {
    expect((await instance('features-db')).PubliclyAccessible).toBe(true);
    expect((await instance('features-db')).MasterUserSecret).toBeUndefined();
    const records = await run('features-db');

    const snap = caseSnapshotIdentifier(CASE, 'features-db');
    expect(await snapshotTags(snap)).toMatchObject({ 'tourniquet:case': CASE, 'tourniquet:incident': CASE });
    const after = await instance('features-db');
    expect(after.PubliclyAccessible).toBe(false);
    expect(after.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect(records.find((r) => r.stepId === 'rotate-master-password')!.output).toMatchObject({ method: 'manage' });
    expect(evidence.items.has('rds-features-db.json')).toBe(true);

    const released = await release('features-db', records);
    const back = await instance('features-db');
    expect(back.PubliclyAccessible).toBe(true);
    // The snapshot is evidence: kept. The password is not restored (never known).
    expect(await snapshotTags(snap)).toMatchObject({ 'tourniquet:case': CASE });
    expect(back.MasterUserSecret?.SecretArn).toBe(after.MasterUserSecret?.SecretArn);
    // No password anywhere in what the steps journal.
    expect(JSON.stringify([records.map((r) => [r.pre, r.output]), released])).not.toContain(PASSWORD);
    expect(JSON.stringify([...evidence.items.values()])).not.toContain(PASSWORD);
  });

  it('an instance whose password RDS already manages gets it rotated; a private instance stays private after release', async () => {
    const before = await instance('ledger-db');
    expect(before.MasterUserSecret?.SecretArn).toBeDefined();
    const records = await run('ledger-db');
    expect(records.find((r) => r.stepId === 'rotate-master-password')!.output).toMatchObject({ method: 'rotate-managed', target: 'instance ledger-db' });
    expect(records.find((r) => r.stepId === 'disable-public-access')!.output).toMatchObject({ changed: false });
    await release('ledger-db', records);
    expect((await instance('ledger-db')).PubliclyAccessible).toBe(false);
  });

  it('an Aurora member: the cluster is snapshotted and the cluster’s password handed to RDS', async () => {
    const records = await run('vectors-1');
    const snaps = await reader().send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: caseSnapshotIdentifier(CASE, 'vectors') }));
    expect(snaps.DBClusterSnapshots?.[0]?.DBClusterIdentifier).toBe('vectors');
    const cluster = (await reader().send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'vectors' }))).DBClusters![0]!;
    expect(cluster.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect((await instance('vectors-1')).PubliclyAccessible).toBe(false);
    await release('vectors-1', records);
    expect((await instance('vectors-1')).PubliclyAccessible).toBe(true);
  });

  it('the snapshot identifier follows RDS’s rules whatever the case id', () => {
    for (const id of [caseSnapshotIdentifier('inc_2026/12:03--x', 'db-1'), caseSnapshotIdentifier('x'.repeat(400), 'db')]) {
      expect(id).toMatch(/^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/);
      expect(id.length).toBeLessThanOrEqual(255);
    }
  });
});
