/**
 * The exemption tag is read live (issue 7, item 5), against moto_server with the state read back: the resource's
 * current tags decide, never the finding's alone — an exemption tag added after the finding exempts, one removed since
 * does not; when the tags cannot be read, the finding's exemption tag is not used, containment proceeds, and the
 * timeline says so. IAM users and roles and S3 buckets are read live too.
 */
import { CreateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/client-factory.js';
import { isTransientAwsError } from '../../src/aws/transient-error.js';
import { startFaultProxy } from '../../src/drill/fault-proxy.js';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import { readLiveTags } from '../../src/engine/live-tags.js';
import type { Finding, Subject } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { ACCOUNT, isReadOnlyOperation, REGION, startHarness, type Harness } from '../support/engine-harness.js';

let h: Harness;
let fleet: SeededFleet;
let instanceA: string;
let instanceB: string;
beforeAll(async () => {
  h = await startHarness();
  fleet = await h.seed('live-tags');
  [instanceA, instanceB] = fleet.instanceIds as [string, string];
});
afterAll(async () => {
  await h?.close();
});

const EXEMPT = { Key: 'tourniquet:exempt', Value: 'true' };
const isolated = async (instanceId: string): Promise<boolean> =>
  !Object.values((await h.state(fleet, undefined, instanceId)).groupsByEni).flat().includes(fleet.appSecurityGroupId);

describe('the exemption tag is read live, before the decision', () => {
  it('an exemption tag added after the finding was produced exempts (reads only, nothing changed)', async () => {
    const finding = await h.finding(instanceA);
    expect(finding.subjects[0]!.tags.some((t) => t.key === EXEMPT.Key)).toBe(false);
    await h.clients.ec2.send(new CreateTagsCommand({ Resources: [instanceA], Tags: [EXEMPT] }));
    const before = await h.state(fleet, undefined, instanceA);
    const { responder, journal, calls, notifier } = await h.engine();
    const o = (await responder.respond(finding)).outcomes[0]!;
    expect(o.decision.decidedBy).toBe('guardrail:exempt-tag');
    expect(o.status).toBe('observed');
    // The live reads (the client factory first learns its own account, to know whether to assume a role): the tags
    // and the profile's roles (protected principals); and, started with them because the finding's own tags did not
    // exempt it, the reads the plan would have needed first (src/engine/prefetch-reads.ts). Reads only.
    const ops = calls.map((c) => c.operation);
    expect(ops.filter((op) => op === 'DescribeInstances')).toHaveLength(1);
    expect(ops).toEqual(expect.arrayContaining(['DescribeInstances', 'GetCallerIdentity', 'GetInstanceProfile']));
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await h.state(fleet, undefined, instanceA)).toEqual(before);
    const tags = (await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.live')!;
    expect(tags.message).toContain('read live (ec2:DescribeInstances)');
    expect(tags.message).toContain('tourniquet:exempt was absent in the finding, string "true" now: the live value counts');
    expect(notifier.sent.filter((n) => n.incidentId === o.incidentId)).toHaveLength(1); // the block is not silent
  });

  it('an exemption tag in the finding but removed since does not exempt: the instance is contained', async () => {
    await h.clients.ec2.send(new CreateTagsCommand({ Resources: [instanceB], Tags: [EXEMPT] }));
    const finding = await h.finding(instanceB);
    expect(finding.subjects[0]!.tags).toContainEqual({ key: EXEMPT.Key, value: 'true' });
    await h.clients.ec2.send(new DeleteTagsCommand({ Resources: [instanceB], Tags: [{ Key: EXEMPT.Key }] }));
    const { responder, journal } = await h.engine();
    const o = (await responder.respond(finding)).outcomes[0]!;
    expect(o.decision.effectiveMode).toBe('contain');
    expect(o.decision.verdicts.find((v) => v.guardrail === 'exempt-tag')?.outcome).toBe('pass');
    expect(o.status, JSON.stringify(o.steps.filter((s) => s.status !== 'done').map((s) => [s.stepId, s.status, s.error?.message]))).toBe('contained');
    expect(await isolated(instanceB)).toBe(true);
    const tags = (await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.live')!;
    expect(tags.message).toContain('tourniquet:exempt was string "true" in the finding, absent now');
  });

  it('when the tags cannot be read, the finding\'s exemption tag is not used: containment proceeds and the timeline says why', async () => {
    // Instance A is exempt in the finding and in the account; every attempt of the live read fails (503).
    const finding = await h.finding(instanceA);
    expect(finding.subjects[0]!.tags).toContainEqual({ key: EXEMPT.Key, value: 'true' });
    const proxy = await startFaultProxy({
      upstream: h.moto.endpoint,
      rules: [{ name: 'tags-unreadable', services: ['ec2'], operations: ['DescribeInstances'], first: 5, fault: { kind: 'server-error', status: 503 } }],
    });
    try {
      const { responder, journal } = await h.engine({ endpoint: proxy.endpoint });
      const o = (await responder.respond(finding)).outcomes[0]!;
      expect(proxy.stats().injected['server-error']).toBe(5); // the read's five attempts, all failed
      expect(o.decision.decidedBy).toBe('rule:gpu-crypto');
      expect(o.decision.effectiveMode).toBe('contain');
      expect(o.status).toBe('contained');
      expect(await isolated(instanceA)).toBe(true);
      const unread = (await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.read-failed')!;
      expect(unread.message).toMatch(/^ec2:DescribeInstances failed \(AwsCallError: .*\): deciding on the finding's tags; the finding's tourniquet:exempt="true" is not used/);
    } finally {
      await proxy.close();
    }
  });
});

describe('IAM users and roles, S3 buckets', () => {
  const factory = (): ReturnType<typeof createClientFactory> => createClientFactory({ endpoint: h.moto.endpoint, callerAccountId: ACCOUNT, maxAttempts: 1 });
  const deps = () => ({ exemptTagKey: EXEMPT.Key, observeOnly: false, clients: () => factory().forIncident(ACCOUNT, REGION, 'test'), isTransient: isTransientAwsError });
  const subject = (kind: Subject['kind'], id: string, details: Record<string, unknown>, tags: Subject['tags'] = []): Subject =>
    ({ kind, id, accountId: ACCOUNT, region: REGION, tags, ai: { isAi: false, reasons: [] }, details }) as Subject;

  it('reads a user\'s, a role\'s and a bucket\'s current tags (a bucket without tags has none)', async () => {
    await h.clients.iam.send(new CreateUserCommand({ UserName: 'live-user', Tags: [EXEMPT, { Key: 'team', Value: 'ml' }] }));
    await h.clients.iam.send(new CreateRoleCommand({ RoleName: 'live-role', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}', Tags: [{ Key: 'team', Value: 'ml' }] }));
    const s3 = new S3Client({ endpoint: h.moto.endpoint, region: REGION, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'live-tagged' }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'live-tagged', Tagging: { TagSet: [EXEMPT] } }));
    await s3.send(new CreateBucketCommand({ Bucket: 'live-untagged' }));

    expect(await readLiveTags(subject('iam-user', 'live-user', { userName: 'live-user' }), deps())).toEqual({
      source: 'live',
      read: 'iam:ListUserTags',
      tags: [{ key: EXEMPT.Key, value: 'true' }, { key: 'team', value: 'ml' }],
    });
    expect(await readLiveTags(subject('access-key', 'AKIA', { userName: 'live-user', userType: 'IAMUser' }), deps())).toMatchObject({ source: 'live', read: 'iam:ListUserTags' });
    expect(await readLiveTags(subject('iam-role-session', 'AROA:s', { roleName: 'live-role' }), deps())).toEqual({ source: 'live', read: 'iam:ListRoleTags', tags: [{ key: 'team', value: 'ml' }] });
    expect(await readLiveTags(subject('s3-bucket', 'live-tagged', {}), deps())).toEqual({ source: 'live', read: 's3:GetBucketTagging', tags: [{ key: EXEMPT.Key, value: 'true' }] });
    // The finding said exempt; the bucket has no tags now (S3 answers NoSuchTagSet): not exempt.
    expect(await readLiveTags(subject('s3-bucket', 'live-untagged', {}, [{ key: EXEMPT.Key, value: 'true' }]), deps())).toEqual({ source: 'live', read: 's3:GetBucketTagging', tags: [] });
    // A user that does not exist: the read fails, the finding's exemption tag is dropped.
    const missing = await readLiveTags(subject('iam-user', 'ghost', { userName: 'ghost' }, [{ key: EXEMPT.Key, value: 'true' }, { key: 'a', value: 'b' }]), deps());
    expect(missing).toMatchObject({ source: 'finding', why: 'read-failed', tags: [{ key: 'a', value: 'b' }], dropped: [{ key: EXEMPT.Key, value: 'true' }] });
    expect((missing as { detail: string }).detail).toMatch(/^iam:ListUserTags failed \(AwsCallError: .*NoSuchEntity/);
  });

  it('an IAM user exempt in the account (GuardDuty reports no user tags) is exempt, and the block notifies', async () => {
    const raw = JSON.parse(readFileSync('samples/events/UnauthorizedAccess-IAMUser-TorIPCaller.eventbridge.json', 'utf8')) as { detail: Record<string, unknown> & { resource: { accessKeyDetails: Record<string, unknown> }; service: Record<string, unknown> } };
    const d = raw.detail;
    Object.assign(d, { accountId: ACCOUNT, region: REGION });
    // Real-looking ids: sample-generator placeholders (GeneratedFinding…) make a finding a sample.
    Object.assign(d.resource.accessKeyDetails, { userName: 'live-user', accessKeyId: 'AKIAEXAMPLELIVEUSER1', principalId: 'AIDAEXAMPLELIVEUSER1' });
    d.service['additionalInfo'] = { value: '{}', type: 'default' }; // not a sample
    const rec = parseRecord(raw, { name: 'iam-user' });
    if (rec.kind !== 'finding') throw new Error('not a finding');
    const finding: Finding = rec;
    expect(finding.subjects[0]!.tags).toEqual([]);
    const { responder, journal, notifier } = await h.engine({ policy: 'version: 1\ndefaults: { mode: approve }\n' });
    const o = (await responder.respond(finding)).outcomes[0]!;
    // The user has a playbook (iam-user), so it is the subject handled; its access key stays record-only.
    expect(o.subject.kind).toBe('iam-user');
    expect(o.decision.decidedBy).toBe('guardrail:exempt-tag');
    expect((await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.live')?.message).toContain('read live (iam:ListUserTags)');
    expect(notifier.sent.filter((n) => n.incidentId === o.incidentId)).toHaveLength(1);
  });

  it('observe asked for by the caller: nothing is read, the finding\'s exemption tag is not used, and the timeline says so', async () => {
    const finding = await h.finding(instanceA);
    const { responder, journal, calls } = await h.engine();
    const o = (await responder.respond(finding, 'observe')).outcomes[0]!;
    expect(calls).toEqual([]);
    expect(o.decision.verdicts.find((v) => v.guardrail === 'exempt-tag')?.outcome).toBe('pass');
    const ev = (await journal.listEvents(o.incidentId)).find((e) => e.type === 'tags.not-live')!;
    expect(ev.message).toContain('observe was requested');
  });
});
