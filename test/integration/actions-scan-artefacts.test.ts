/**
 * The malware-scan artefact playbook's actions against moto_server: a snapshot shared with two accounts and
 * publicly, and an AMI shared with an account, publicly, with an organisation and an OU. The plan's steps are
 * captured, applied twice, verified and released; the state is READ BACK with fresh clients: after apply no
 * sharing is left and the case tags are on; after release the permission lists equal the originals and the tags
 * are what they were. A Backup recovery point whose ARN is the snapshot's gets the same steps; an S3 recovery
 * point gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Finding, Json, Subject } from '../../src/findings/model.js';
import { getAction } from '../../src/actions/registry.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import { malwareScanArtefactPlaybook } from '../../src/playbooks/malware-scan-artefact.js';
import { makeTestClients } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-artefact-actions-1';
const NOW = new Date('2026-12-03T09:00:00.000Z');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ORG = 'arn:aws:organizations::123456789012:organization/o-abcdef1234';
const OU = 'arn:aws:organizations::123456789012:ou/o-abcdef1234/ou-ab12-cdef3456';

let moto: MotoServer;
let snapshotId: string;
let imageId: string;
const evidence = memoryEvidence({ recordedAt: NOW });
let currentAction = '';

const finding = (type: string): Finding => ({ id: 'f-a', type: { raw: type } }) as unknown as Finding;
const base = { accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: false, reasons: [] } };
const snapshotSubject = (): Subject => ({ ...base, kind: 'ebs-snapshot', id: snapshotId, arn: `arn:aws:ec2:${REGION}::snapshot/${snapshotId}`, details: { snapshotArn: `arn:aws:ec2:${REGION}::snapshot/${snapshotId}` } });
const imageSubject = (): Subject => ({ ...base, kind: 'ec2-image', id: imageId, arn: `arn:aws:ec2:${REGION}::image/${imageId}`, details: { imageArn: `arn:aws:ec2:${REGION}::image/${imageId}` } });
const recoveryPoint = (arn: string): Subject => ({ ...base, kind: 'recovery-point', id: arn, arn, details: { recoveryPointArn: arn, backupVaultName: 'Default' } });

const ec2 = (): EC2Client => makeTestClients(moto.endpoint).aws(EC2Client);

function ctxFor(clients: AwsClients, subject: Subject, stepId: string): ActionContext {
  return { clients, incidentId: CASE, caseId: CASE, subject, evidence, now: () => NOW, actor: 'test', stepId };
}

type Rec = { action: AnyAction; stepId: string; input: unknown; pre: Json; output: Json };

async function contain(subject: Subject, type: string): Promise<Rec[]> {
  const plan = malwareScanArtefactPlaybook.plan(finding(type), subject);
  const clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
  const records: Rec[] = [];
  for (const s of topologicalOrder(plan.steps)) {
    const action = getAction(s.action);
    currentAction = action.name;
    const ctx = ctxFor(clients, subject, s.id);
    const input: unknown = action.parseInput(s.input, ctx);
    const pre = (await action.capture(input, ctx)) as Json;
    records.push({ action, stepId: s.id, input, pre, output: (await action.apply(input, pre, ctx)) as Json });
  }
  for (const r of records) {
    currentAction = r.action.name;
    const again = (await r.action.apply(r.input, r.pre, ctxFor(clients, subject, r.stepId))) as { written?: unknown[]; removed?: unknown[] };
    expect(again.written ?? again.removed, `${r.stepId}: a second apply changes nothing`).toEqual([]);
    const v = await r.action.verify!(r.input, ctxFor(clients, subject, r.stepId));
    expect(v.holds, `${r.stepId}: ${v.detail}`).toBe(true);
  }
  currentAction = '';
  return records;
}

async function release(subject: Subject, records: Rec[]): Promise<void> {
  const clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
  for (const r of [...records].reverse()) {
    currentAction = r.action.name;
    await r.action.release!(r.input, r.pre, r.output, ctxFor(clients, subject, r.stepId));
    await r.action.release!(r.input, r.pre, r.output, ctxFor(clients, subject, r.stepId));
  }
  currentAction = '';
}

const tagMap = (tags: Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value!]));
const sortJson = (list: unknown[] | undefined): string[] => (list ?? []).map((x) => JSON.stringify(x)).sort();

async function snapshotState(): Promise<Json> {
  const attr = await ec2().send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }));
  const snap = (await ec2().send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots![0]!;
  return { permissions: sortJson(attr.CreateVolumePermissions), tags: tagMap(snap.Tags) };
}

async function imageState(): Promise<Json> {
  const attr = await ec2().send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
  const image = (await ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;
  return { permissions: sortJson(attr.LaunchPermissions), tags: tagMap(image.Tags) };
}

beforeAll(async () => {
  moto = await startMotoServer();
  const volumeId = (await ec2().send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
  snapshotId = (await ec2().send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId!;
  await ec2().send(
    new ModifySnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
      // moto implements only this form of the call (AWS accepts it too).
      OperationType: 'add',
      UserIds: ['111122223333', '444455556666'],
      GroupNames: ['all'],
    }),
  );
  // A tag of ours from an earlier case: release must put its value back, not delete it.
  await ec2().send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: 'tourniquet:status', Value: 'reviewed' }, { Key: 'team', Value: 'ml' }] }));
  imageId = (await ec2().send(new RegisterImageCommand({ Name: 'agent-base' }))).ImageId!;
  await ec2().send(
    new ModifyImageAttributeCommand({
      ImageId: imageId,
      LaunchPermission: { Add: [{ UserId: '111122223333' }, { Group: 'all' }, { OrganizationArn: ORG }, { OrganizationalUnitArn: OU }] },
    }),
  );
});

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-scan-artefacts.test.ts against moto_server');
});

describe('malware-scan artefact actions against moto', () => {
  it('a snapshot: tagged, unshared, and release restores the permission list and the tags exactly', async () => {
    const before = await snapshotState();
    expect((before as { permissions: string[] }).permissions).toHaveLength(3);
    const records = await contain(snapshotSubject(), 'Execution:EC2/MaliciousFile!Snapshot');
    expect(records.map((r) => r.stepId)).toEqual(['tag-artefact', 'unshare-snapshot']);
    expect(await snapshotState()).toEqual({
      permissions: [],
      tags: { team: 'ml', 'tourniquet:case': CASE, 'tourniquet:status': 'malware-found', 'tourniquet:finding-type': 'Execution:EC2/MaliciousFile!Snapshot', 'tourniquet:finding-id': 'f-a' },
    });
    expect(evidence.items.has(`artefact-${snapshotId}.json`)).toBe(true);
    await release(snapshotSubject(), records);
    expect(await snapshotState()).toEqual(before);
  });

  it('an AMI: accounts, public, organisation and OU removed, and all four back on release', async () => {
    const before = await imageState();
    expect((before as { permissions: string[] }).permissions).toHaveLength(4);
    const records = await contain(imageSubject(), 'Execution:EC2/MaliciousFile!AMI');
    expect(records.map((r) => r.stepId)).toEqual(['tag-artefact', 'unshare-image']);
    expect(await imageState()).toMatchObject({ permissions: [], tags: { 'tourniquet:case': CASE } });
    await release(imageSubject(), records);
    expect(await imageState()).toEqual(before);
  });

  it('a Backup recovery point of an EBS volume is its snapshot and gets the same steps; an S3 recovery point gets none', async () => {
    const before = await snapshotState();
    const rp = recoveryPoint(`arn:aws:ec2:${REGION}::snapshot/${snapshotId}`);
    const records = await contain(rp, 'Execution:EC2/MaliciousFile!RecoveryPoint');
    expect(records.map((r) => r.stepId)).toEqual(['tag-artefact', 'unshare-snapshot']);
    expect((await snapshotState()) as { permissions: string[] }).toMatchObject({ permissions: [] });
    await release(rp, records);
    expect(await snapshotState()).toEqual(before);
    const s3 = recoveryPoint(`arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:continuous:data-lake-8f2a`);
    expect(malwareScanArtefactPlaybook.plan(finding('Execution:EC2/MaliciousFile!RecoveryPoint'), s3).steps).toEqual([]);
  });
});
