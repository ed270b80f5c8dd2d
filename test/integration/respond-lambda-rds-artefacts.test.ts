/**
 * The Lambda function, RDS instance and malware-scan artefact playbooks through the real engine against
 * moto_server: a GuardDuty finding for each, in observe mode (planned and journaled, zero mutating AWS calls, the
 * resources' state read back unchanged), then in contain mode and released, with the state read back.
 * moto's whole-state dump (/moto-api/data.json, test/support/emulator-state.ts) answers 500 once this file's Lambda
 * and RDS models exist, so the state compared is read per resource (everything the three playbooks change).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreateFunctionCommand, GetFunctionConcurrencyCommand, GetPolicyCommand, LambdaClient, ListEventSourceMappingsCommand, TagResourceCommand } from '@aws-sdk/client-lambda';
import { AddTagsToResourceCommand, CreateDBInstanceCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateSnapshotCommand, CreateTagsCommand, CreateVolumeCommand, DescribeSnapshotAttributeCommand, DescribeSnapshotsCommand, EC2Client, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { Finding } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { ACCOUNT, REGION, isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';
import { testClientConfig } from '../support/aws-clients.js';
import { finding } from '../unit/findings/finding-fixtures.js';

const POLICY = `
version: 1
defaults: { mode: approve }
rules:
  - name: lambda
    match: { type: ["*:Lambda/*"], subject: [lambda-function] }
    mode: contain
  - name: rds
    match: { type: ["*:RDS/*"], subject: [rds-instance] }
    mode: contain
  - name: scanned-artefacts
    match: { type: ["Execution:EC2/MaliciousFile*"], subject: [ebs-snapshot, ec2-image, recovery-point] }
    mode: contain
`;
// A real zip (index.py).
const ZIP = Buffer.from(
  'UEsDBBQAAAAIABI/g12sKm9YNQAAADUAAAAIAAAAaW5kZXgucHlLSU1TyEjMS8lJLdJILUvNK9FRSM7PK0mtKNG04lIAgqLUktKiPIVqpfxsJSuFkKLS1FouAFBLAQIUAxQAAAAIABI/g12sKm9YNQAAADUAAAAIAAAAAAAAAAAAAACAAQAAAABpbmRleC5weVBLBQYAAAAAAQABADYAAABbAAAAAAA=',
  'base64',
);

let h: Harness;
let snapshotId: string;
let containedSnapshotId: string;

function parse(raw: Record<string, unknown>): Finding {
  const rec = parseRecord(raw, { name: 'test' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

const at = { accountId: ACCOUNT, region: REGION, arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d1/finding/` };
const lambdaFinding = (id: string, name: string): Finding =>
  parse(
    finding(
      { ...at, id, arn: `${at.arn}${id}`, type: 'Backdoor:Lambda/C&CActivity.B' },
      { resourceType: 'Lambda', lambdaDetails: { functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, functionName: name, role: `arn:aws:iam::${ACCOUNT}:role/tool-role` } },
    ),
  );
const rdsFinding = (id: string, db: string): Finding =>
  parse(
    finding(
      { ...at, id, arn: `${at.arn}${id}`, type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin' },
      { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: db, engine: 'postgres', dbInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${db}` } },
    ),
  );
const snapshotFinding = (id: string, snap = snapshotId): Finding =>
  parse(
    finding(
      { ...at, id, arn: `${at.arn}${id}`, type: 'Execution:EC2/MaliciousFile!Snapshot' },
      { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: `arn:aws:ec2:${REGION}::snapshot/${snap}` } },
    ),
  );

const cfg = (): ReturnType<typeof testClientConfig> => testClientConfig(h.moto.endpoint, REGION);
const concurrency = async (fn: string): Promise<number | null> =>
  (await new LambdaClient(cfg()).send(new GetFunctionConcurrencyCommand({ FunctionName: fn }))).ReservedConcurrentExecutions ?? null;
const publicDb = async (db: string): Promise<boolean | undefined> =>
  (await new RDSClient(cfg()).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db }))).DBInstances![0]!.PubliclyAccessible;
const shares = async (snap = snapshotId): Promise<number> =>
  ((await new EC2Client(cfg()).send(new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' }))).CreateVolumePermissions ?? []).length;

/** Everything the three playbooks can change on the observed resources, read back. */
async function everything(): Promise<unknown> {
  const lambda = new LambdaClient(cfg());
  const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'observed-tool' })).then((p) => p.Policy, () => null);
  const snaps = await new RDSClient(cfg()).send(new DescribeDBSnapshotsCommand({}));
  const image = await new EC2Client(cfg()).send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
  const roles = await new IAMClient(cfg()).send(new ListRolePoliciesCommand({ RoleName: 'tool-role' }));
  const db = (await new RDSClient(cfg()).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'observed-db' }))).DBInstances![0]!;
  return {
    concurrency: await concurrency('observed-tool'),
    policy,
    mappings: (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'observed-tool' }))).EventSourceMappings ?? [],
    rolePolicies: roles.PolicyNames,
    db: [db.PubliclyAccessible, db.MasterUserSecret ?? null],
    dbSnapshots: (snaps.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier),
    snapshotTags: image.Snapshots![0]!.Tags ?? [],
    shares: await shares(),
  };
}

beforeAll(async () => {
  h = await startHarness();
  const role = await new IAMClient(cfg()).send(
    new CreateRoleCommand({
      RoleName: 'tool-role',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  for (const name of ['observed-tool', 'contained-tool']) {
    await new LambdaClient(cfg()).send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'python3.12', Role: role.Role!.Arn!, Handler: 'index.handler', Code: { ZipFile: ZIP } }));
  }
  for (const db of ['observed-db', 'contained-db']) {
    await new RDSClient(cfg()).send(
      new CreateDBInstanceCommand({ DBInstanceIdentifier: db, DBInstanceClass: 'db.t3.micro', Engine: 'postgres', AllocatedStorage: 20, MasterUsername: 'admin', MasterUserPassword: 'secret-pw-1', PubliclyAccessible: true }),
    );
  }
  const ec2 = new EC2Client(cfg());
  const volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
  snapshotId = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId!;
  containedSnapshotId = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId!;
  for (const snap of [snapshotId, containedSnapshotId]) {
    // moto implements only this form of the call (AWS accepts it too).
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: ['111122223333'], GroupNames: ['all'] }));
  }
  // AWS's pre-signed Code.Location serves the package to a plain GET; moto's URL is unreachable, so the test answers it.
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) =>
    String(url).startsWith(`https://awslambda-${REGION}-tasks.s3.${REGION}.amazonaws.com/`) ? new Response(ZIP, { status: 200 }) : realFetch(url, init),
  );
});

afterAll(async () => {
  vi.restoreAllMocks();
  await h?.close();
});

describe('observe mode makes zero mutating calls', () => {
  for (const [label, make, playbook] of [
    ['lambda-function', () => lambdaFinding('obs-lambda', 'observed-tool'), 'lambda-function'],
    ['rds-instance', () => rdsFinding('obs-rds', 'observed-db'), 'rds-instance'],
    ['malware-scan-artefact', () => snapshotFinding('obs-snap'), 'malware-scan-artefact'],
  ] as const) {
    it(label, async () => {
      const before = await everything();
      const { responder, calls } = await h.engine({ policy: POLICY });
      const result = await responder.respond(make(), 'observe');
      const o = result.outcomes[0]!;
      expect(o.decision.playbook).toBe(playbook);
      expect(o.status).toBe('observed');
      expect(o.steps.length).toBeGreaterThan(0);
      expect(o.steps.every((s) => s.status === 'planned')).toBe(true);
      expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
      expect(await everything()).toEqual(before);
    });
  }
});

describe('an exemption tag on the resource, added after the finding, is read live and exempts', () => {
  it('a function, a DB instance and a snapshot tagged tourniquet:exempt=true are not touched', async () => {
    await new LambdaClient(cfg()).send(new TagResourceCommand({ Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:observed-tool`, Tags: { 'tourniquet:exempt': 'true' } }));
    await new RDSClient(cfg()).send(new AddTagsToResourceCommand({ ResourceName: `arn:aws:rds:${REGION}:${ACCOUNT}:db:observed-db`, Tags: [{ Key: 'tourniquet:exempt', Value: 'true' }] }));
    await new EC2Client(cfg()).send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: 'tourniquet:exempt', Value: 'true' }] }));
    const before = await everything();
    for (const [f, read] of [
      [lambdaFinding('ex-lambda', 'observed-tool'), 'lambda:GetFunction'],
      [rdsFinding('ex-rds', 'observed-db'), 'rds:DescribeDBInstances'],
      [snapshotFinding('ex-snap'), 'ec2:DescribeSnapshots'],
    ] as const) {
      const { responder, calls, journal } = await h.engine({ policy: POLICY });
      const o = (await responder.respond(f)).outcomes[0]!;
      expect(o.decision.decidedBy, read).toBe('guardrail:exempt-tag');
      expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
      expect((await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.live')?.message).toContain(`read live (${read})`);
    }
    expect(await everything()).toEqual(before);
  });
});

describe('contain and release through the engine', () => {
  it('lambda-function: every step done, invocations stopped, and release brings "no reservation" back', async () => {
    const { responder } = await h.engine({ policy: POLICY });
    const o = (await responder.respond(lambdaFinding('c-lambda', 'contained-tool'))).outcomes[0]!;
    expect(Object.fromEntries(o.steps.map((s) => [s.stepId, s.status]))).toEqual({
      'capture-evidence': 'done',
      'stop-invocations': 'done',
      'restrict-function-url': 'done',
      'remove-public-permissions': 'done',
      'disable-event-sources': 'done',
      'deny-function-session': 'done',
    });
    expect(await concurrency('contained-tool')).toBe(0);
    await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    expect(await concurrency('contained-tool')).toBeNull();
  });

  it('rds-instance: snapshot and public access done, the password change waits for approval; release restores access', async () => {
    const { responder } = await h.engine({ policy: POLICY });
    const o = (await responder.respond(rdsFinding('c-rds', 'contained-db'))).outcomes[0]!;
    expect(Object.fromEntries(o.steps.map((s) => [s.stepId, s.status]))).toEqual({
      'snapshot-instance': 'done',
      'disable-public-access': 'done',
      'rotate-master-password': 'awaiting-approval',
    });
    expect(await publicDb('contained-db')).toBe(false);
    await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    expect(await publicDb('contained-db')).toBe(true);
  });

  it('malware-scan-artefact: the snapshot is unshared, and its sharing comes back on release', async () => {
    const { responder } = await h.engine({ policy: POLICY });
    const o = (await responder.respond(snapshotFinding('c-snap', containedSnapshotId))).outcomes[0]!;
    expect(o.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['tag-artefact', 'done'],
      ['unshare-snapshot', 'done'],
    ]);
    expect(await shares(containedSnapshotId)).toBe(0);
    await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    expect(await shares(containedSnapshotId)).toBe(2);
  });
});
