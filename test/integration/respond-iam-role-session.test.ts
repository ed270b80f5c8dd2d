/**
 * The iam-role-session playbook against moto_server: a role with its own inline and managed policies, and a real
 * session of it (STS AssumeRole). Through the engine in contain mode the session deny is applied and read back from
 * IAM, the role-wide revocation waits for its own approval, and release restores the role's policies exactly (JSON
 * equal to before). Observe mode makes no mutating call; protected roles (service-linked, Identity Center, the
 * responder's own) get no step at all and manual steps saying why; root and federated-user findings become incidents
 * whose notification carries the manual steps. The action itself is also run phase by phase with its calls recorded
 * (the IAM evaluator's fixture: TOURNIQUET_RECORD_AWS_CALLS=1).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  IAMClient} from '@aws-sdk/client-iam';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denyRoleSession, denyRoleSessionDocument, sessionDenyPolicyName } from '../../src/actions/iam-deny-role-session.js';
import type { ActionContext } from '../../src/actions/action.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { createResponder } from '../../src/engine/create-responder.js';
import type { Finding, Json } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { MemoryNotifier } from '../../src/notify/notification.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { makeTestClients } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { ACCOUNT, REGION, isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';
import { memoryEvidence } from '../support/memory-evidence.js';
import { runCli } from '../support/run-cli.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const CONTAIN = `
version: 1
defaults: { mode: approve }
rules:
  - name: stolen-session
    match: { subject: [iam-role-session] }
    mode: contain
    # moto has no CloudTrail LookupEvents: the AI-activity steps are proven in test/unit/actions/ai-activity-*.test.ts,
    # test/unit/playbooks/ai-activity-steps.test.ts and test/integration/actions-ai-activity.test.ts.
    steps: { lookup-ai-activity: skip }
    # An AI session: the Bedrock invocation-logging check, with a destination to turn logging on if it is off.
    options: { invocationLogging: { s3: { bucketName: tourniquet-evidence, keyPrefix: bedrock/ } } }
`;

let h: Harness;
let iam: IAMClient;
let sts: STSClient;
let bedrock: BedrockClient;
beforeAll(async () => {
  h = await startHarness();
  iam = h.clients.iam;
  sts = new STSClient({ endpoint: h.moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  bedrock = new BedrockClient({ endpoint: h.moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  await writeAwsCallFixtures('test/integration/respond-iam-role-session.test.ts against moto_server');
  await h?.close();
});

/** A role with an inline and a managed policy of its own, and one real session of it. */
async function roleWithSession(roleName: string, sessionName: string): Promise<{ roleName: string; principalId: string; accessKeyId: string }> {
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'app-permissions',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] }),
    }),
  );
  const managed = await iam.send(
    new CreatePolicyCommand({ PolicyName: `${roleName}-managed`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managed.Policy!.Arn! }));
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, RoleSessionName: sessionName }));
  return { roleName, principalId: assumed.AssumedRoleUser!.AssumedRoleId!, accessKeyId: assumed.Credentials!.AccessKeyId! };
}

/** The role's own policies as IAM returns them: inline (name → document) and attached (ARNs). */
async function rolePolicies(roleName: string): Promise<{ inline: Record<string, Json>; attached: string[] }> {
  const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const inline: Record<string, Json> = {};
  for (const name of [...names].sort()) {
    const doc = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument ?? '';
    inline[name] = JSON.parse(decodeURIComponent(doc)) as Json;
  }
  const attached = ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? []).map((p) => p.PolicyArn!).sort();
  return { inline, attached };
}

/** A GuardDuty finding for the session (the synthesized CostHarvesting sample with this account's values). */
async function sessionFinding(id: string, keyDetails: Record<string, string>, sample = 'synthesized/Impact-IAMUser-CostHarvesting.SYNTHESIZED.json'): Promise<Finding> {
  const event = JSON.parse(await readFile(join(SAMPLES, sample), 'utf8')) as { account: string; detail: Record<string, unknown> & { resource: Record<string, unknown> } };
  event.account = ACCOUNT;
  event.detail.accountId = ACCOUNT;
  event.detail.id = id;
  event.detail.resource.accessKeyDetails = keyDetails;
  const rec = parseRecord(event, { name: id });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

const assumedRole = (s: { roleName: string; principalId: string; accessKeyId: string }) => ({ accessKeyId: s.accessKeyId, principalId: s.principalId, userName: s.roleName, userType: 'AssumedRole' });

async function engine(policy = CONTAIN, responderPrincipalArns: string[] = []) {
  const journal = await openJournal({});
  await journal.ensureTable();
  const calls: Array<{ operation: string }> = [];
  const notifier = new MemoryNotifier();
  const responder = createResponder({
    journal,
    policy: parsePolicy(policy, 'test-policy.yaml'),
    endpoint: h.moto.endpoint,
    evidence: { dir: h.evidenceDir },
    notifier,
    onCall: (c) => calls.push(c),
    responderPrincipalArns,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return { responder, journal, calls, notifier };
}

describe('iam-role-session playbook end to end', () => {
  it('contain: denies the session only, read back from IAM; the revocation waits; release restores the role exactly', async () => {
    const s = await roleWithSession('chat-backend-role', 'chat-backend');
    const before = await rolePolicies(s.roleName);
    const { responder, notifier, journal } = await engine();
    const result = await responder.respond(await sessionFinding('role-session-contain', assumedRole(s)));
    // The CostHarvesting sample also names the model: its bedrock-model subject is an incident of its own (bedrock playbook).
    expect(result.outcomes.map((o) => o.subject.kind).filter((k) => k !== 'bedrock-model')).toEqual(['iam-role-session']);
    const o = result.outcomes.find((x) => x.subject.kind === 'iam-role-session')!;
    expect(o.decision.effectiveMode).toBe('contain');
    expect(Object.fromEntries(o.steps.map((x) => [x.stepId, x.status]))).toEqual({
      'deny-role-session': 'done',
      'revoke-role-sessions': 'awaiting-approval',
      // Skipped by the rule (moto has no LookupEvents), and so the stop steps that need its list.
      'lookup-ai-activity': 'skipped',
      'stop-bedrock-resources': 'skipped',
      'stop-sagemaker-jobs': 'skipped',
      'delete-sagemaker-endpoints': 'skipped',
      'ensure-invocation-logging': 'done',
    });
    // Logging was off in the Region: the check turned it on with the rule's destination (read back).
    expect((await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig?.s3Config).toEqual({ bucketName: 'tourniquet-evidence', keyPrefix: 'bedrock/' });

    const roleId = s.principalId.split(':')[0]!;
    const applied = await rolePolicies(s.roleName);
    expect(applied.attached).toEqual(before.attached);
    expect(applied.inline).toEqual({ ...before.inline, [sessionDenyPolicyName('chat-backend')]: denyRoleSessionDocument(roleId, 'chat-backend') });
    expect(applied.inline[sessionDenyPolicyName('chat-backend')]).toMatchObject({ Statement: [{ Effect: 'Deny', Action: '*', Condition: { StringLike: { 'aws:userid': s.principalId } } }] });
    // The notification says what a human must still do: cut how the session was obtained.
    expect(notifier.sent.filter((n) => n.incidentId === o.incidentId).at(-1)!.manualSteps?.map((m) => m.id)).toEqual(['cut-assumption-source']);
    expect((await journal.listEvents(o.incidentId)).some((e) => e.type === 'manual-steps' && e.message.includes('Cut how the session of chat-backend-role was obtained'))).toBe(true);

    // The role-wide revocation is destructive: only its own approval runs it.
    await expect(responder.approve(o.incidentId, { by: 'dana' })).rejects.toThrow(/only destructive steps wait.*revoke-role-sessions/);
    const revoked = await responder.approve(o.incidentId, { by: 'dana', stepId: 'revoke-role-sessions' });
    expect(revoked.steps.find((x) => x.stepId === 'revoke-role-sessions')?.status).toBe('done');
    const withRevocation = await rolePolicies(s.roleName);
    const revokeName = Object.keys(withRevocation.inline).find((n) => n.startsWith('tourniquet-revoke-'));
    expect(withRevocation.inline[revokeName!]).toMatchObject({ Statement: [{ Effect: 'Deny', Action: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': expect.any(String) } } }] });

    const released = await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    expect(released.incident.status).toBe('released');
    expect(notifier.sent.at(-1)!.reason).toBe('release');
    expect(notifier.sent.at(-1)!.manualSteps).toBeUndefined();
    expect(await rolePolicies(s.roleName)).toEqual(before);
    // Logging off again, as before the incident (moto answers an empty configuration, AWS none).
    expect((await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig ?? {}).toEqual({});
  });

  it('release removes only its own deny: a policy another incident or a human put on the role stays', async () => {
    const s = await roleWithSession('shared-role', 'worker-7');
    const { responder } = await engine();
    const o = (await responder.respond(await sessionFinding('role-session-shared', assumedRole(s)))).outcomes[0]!;
    const other = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: s.roleName, PolicyName: 'human-added', PolicyDocument: JSON.stringify(other) }));
    const afterHuman = await rolePolicies(s.roleName);
    await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    const { [sessionDenyPolicyName('worker-7')]: removed, ...rest } = afterHuman.inline;
    expect(removed).toBeDefined();
    expect(await rolePolicies(s.roleName)).toEqual({ inline: rest, attached: afterHuman.attached });
  });

  it('observe mode plans and journals but makes zero mutating calls', async () => {
    const s = await roleWithSession('observed-role', 'observed');
    const before = await rolePolicies(s.roleName);
    const { responder, calls, notifier } = await engine();
    const o = (await responder.respond(await sessionFinding('role-session-observe', assumedRole(s)), 'observe')).outcomes[0]!;
    expect(o.status).toBe('observed');
    expect(o.steps.map((x) => [x.stepId, x.status])).toEqual([
      ['deny-role-session', 'planned'],
      ['revoke-role-sessions', 'planned'],
      ['lookup-ai-activity', 'skipped'],
      ['stop-bedrock-resources', 'skipped'],
      ['stop-sagemaker-jobs', 'skipped'],
      ['delete-sagemaker-endpoints', 'skipped'],
      ['ensure-invocation-logging', 'planned'],
    ]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await rolePolicies(s.roleName)).toEqual(before);
    expect(notifier.sent).toEqual([]);
  });

  it.each([
    ['a service-linked role', 'AWSServiceRoleForAmazonSageMakerNotebooks', [], 'service-linked-role', /service-linked role/],
    ['an Identity Center role', 'AWSReservedSSO_DataScience_0123456789abcdef', [], 'sso-deny-session', /IAM Identity Center role/],
    ['the responder’s own role', 'TourniquetResponder', [`arn:aws:iam::${ACCOUNT}:role/TourniquetResponder`], 'responder-role-session', /responder's own principal/],
  ])('%s in contain mode: no step, no mutating call, manual steps saying why', async (_what, roleName, responderArns, manualId, why) => {
    const { responder, calls, notifier } = await engine(CONTAIN, responderArns);
    const finding = await sessionFinding(`protected-${roleName}`, { accessKeyId: 'ASIA3XFRBF23EXAMPLEX', principalId: 'AROA3XFRBF23EXAMPLE9:someone@example.com', userName: roleName, userType: 'AssumedRole' });
    const o = (await responder.respond(finding)).outcomes[0]!;
    expect(o.subject.kind).toBe('iam-role-session');
    expect(o.steps).toEqual([]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    // The sample's model is an incident of its own (bedrock playbook): take the role session's notification.
    const sent = notifier.sent.filter((n) => n.incidentId === o.incidentId).at(-1)!;
    const manual = sent.manualSteps!.find((m) => m.id === manualId)!;
    expect(manual.why).toMatch(why);
    expect(manual.commands!.length).toBeGreaterThan(0);
    if (manualId === 'sso-deny-session') {
      expect(sent.manualSteps!.map((m) => m.id)).toEqual(['sso-deny-session', 'sso-remove-assignment', 'sso-disable-user']);
      expect(sent.manualSteps![1]!.commands!.join('\n')).toContain(`aws sso-admin delete-account-assignment --instance-arn <instance-arn> --target-id ${ACCOUNT} --target-type AWS_ACCOUNT`);
    }
  });
});

describe('root and federated-user findings', () => {
  it('a root credential finding is an incident with no step whose notification carries the root manual steps', async () => {
    const { responder, notifier, journal, calls } = await engine('version: 1\ndefaults: { mode: contain }\n');
    const event = JSON.parse(await readFile(join(SAMPLES, 'events/Policy-IAMUser-RootCredentialUsage.eventbridge.json'), 'utf8')) as unknown;
    const rec = parseRecord(event, { name: 'root' });
    if (rec.kind !== 'finding') throw new Error('not a finding');
    const o = (await responder.respond(rec)).outcomes[0]!;
    expect(o.subject.kind).toBe('root');
    expect(o.decision.playbook).toBe('root-user');
    expect(o.steps).toEqual([]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    const n = notifier.sent.at(-1)!;
    expect(n.manualSteps!.map((m) => m.id)).toEqual(['root-change-password-and-mfa', 'root-temporary-credentials', 'root-deny-scp', 'root-review-changes']);
    expect(n.manualSteps![2]!.commands![0]).toContain(`"aws:PrincipalArn":"arn:aws:iam::${rec.accountId}:root"`);
    expect((await journal.listEvents(o.incidentId)).filter((e) => e.type === 'manual-steps')).toHaveLength(1);
  });

  it('a federated-user finding is an incident whose notification says how to deny the session on its issuing user', async () => {
    const { responder, notifier } = await engine('version: 1\ndefaults: { mode: contain }\n');
    const event = JSON.parse(await readFile(join(SAMPLES, 'synthesized/UnauthorizedAccess-IAMUser-MaliciousIPCaller.FederatedUser.SYNTHESIZED.json'), 'utf8')) as unknown;
    const rec = parseRecord(event, { name: 'federated' });
    if (rec.kind !== 'finding') throw new Error('not a finding');
    const o = (await responder.respond(rec)).outcomes[0]!;
    expect(o.subject.kind).toBe('federated-user');
    expect(o.steps).toEqual([]);
    const n = notifier.sent.at(-1)!;
    expect(n.manualSteps!.map((m) => m.id)).toEqual(['find-issuing-user', 'deny-federated-session', 'contain-issuing-user', 'review-federated-activity']);
    expect(n.manualSteps![1]!.commands![0]).toContain('"aws:userid":"111122223333:data-scientist-alice"');
  });
});

describe('iam.deny-role-session against moto_server, phase by phase', () => {
  it('captures, applies, applies again (no change), verifies, releases, and verify then sees the deny gone', async () => {
    const s = await roleWithSession('phase-role', 'phase-session');
    const before = await rolePolicies(s.roleName);
    let current = '';
    const clients: AwsClients = makeTestClients(h.moto.endpoint);
    recordAwsCalls(clients, () => current);
    const roleId = s.principalId.split(':')[0]!;
    const ctx = {
      clients,
      incidentId: 'case-role-1',
      caseId: 'case-role-1',
      subject: (await sessionFinding('phase', assumedRole(s))).subjects.find((x) => x.kind === 'iam-role-session')!,
      evidence: memoryEvidence({ recordedAt: new Date('2026-12-03T08:00:00Z') }),
      now: () => new Date('2026-12-03T08:00:00Z'),
      actor: 'test',
      stepId: 'deny-role-session',
    } as ActionContext;
    const input = denyRoleSession.parseInput({ roleName: s.roleName, sessionName: 'phase-session', roleId }, ctx);
    current = denyRoleSession.name;
    const pre = await denyRoleSession.capture(input, ctx);
    expect(pre.prior).toBeNull();
    const out = await denyRoleSession.apply(input, pre, ctx);
    expect(out.userId).toBe(s.principalId);
    await denyRoleSession.apply(input, pre, ctx);
    expect((await denyRoleSession.verify!(input, ctx)).holds).toBe(true);
    expect(Object.keys((await rolePolicies(s.roleName)).inline)).toEqual(['app-permissions', sessionDenyPolicyName('phase-session')]);
    await denyRoleSession.release!(input, pre, out, ctx);
    current = '';
    expect(await rolePolicies(s.roleName)).toEqual(before);
    expect(await denyRoleSession.verify!(input, ctx)).toEqual({ holds: false, detail: `role phase-role inline policy ${sessionDenyPolicyName('phase-session')}: absent` });
  });

  it('refuses a role re-created since the session was issued (another role id), naming both ids', async () => {
    const s = await roleWithSession('recreated-role', 'old-session');
    const ctx = { clients: makeTestClients(h.moto.endpoint), incidentId: 'c', caseId: 'c', subject: {} as never, evidence: memoryEvidence({}), now: () => new Date(), actor: 't', stepId: 'deny-role-session' } as ActionContext;
    const input = denyRoleSession.parseInput({ roleName: s.roleName, sessionName: 'old-session', roleId: 'AROA3XFRBF23NOTTHEROLE' }, ctx);
    await expect(denyRoleSession.capture(input, ctx)).rejects.toThrow(/has id AROA\w+, not AROA3XFRBF23NOTTHEROLE as in the finding/);
  });
});

describe('the CLI shows manual steps loudly and print-safe', () => {
  it('plan, respond and show print the root manual steps as !! lines; a hostile value cannot forge a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tourniquet-manual-'));
    const event = JSON.parse(await readFile(join(SAMPLES, 'events/Policy-IAMUser-RootCredentialUsage.eventbridge.json'), 'utf8')) as { detail: { resource: { accessKeyDetails: Record<string, string> } } };
    // An attacker-shaped key id: not a key id, so it becomes a placeholder, and its escape codes never print raw.
    event.detail.resource.accessKeyDetails.accessKeyId = 'AKIA\u001b[2J\nFORGED';
    const file = join(dir, 'root.json');
    await writeFile(file, JSON.stringify(event));
    const common = ['--journal-path', join(dir, 'journal'), '--evidence-dir', join(dir, 'cases'), '--endpoint', h.moto.endpoint];

    const planned = await runCli(['plan', file]);
    expect(planned.code).toBe(0);
    expect(planned.out).toContain('  !! ACTION REQUIRED BY A HUMAN: 4 manual steps (Tourniquet does not do these)');
    expect(planned.out).toContain('!!    $ aws iam update-access-key --access-key-id <access-key-id> --status Inactive');
    // eslint-disable-next-line no-control-regex -- looking for the escape character is the point
    expect(planned.out).not.toMatch(/\u001b|^FORGED/m);

    const responded = await runCli(['respond', file, '--mode', 'contain', ...common]);
    expect(responded.code).toBe(0);
    expect(responded.out).toContain('!! 1. Change the root user’s password of account');
    // The notification the CLI prints says it first.
    expect(responded.out).toMatch(/incident inc-[^\n]+\n\nACTION REQUIRED BY A HUMAN: 4 manual steps/);
    const incidentId = /incident (inc-[\w-]+)/.exec(responded.out)![1]!;

    const shown = await runCli(['show', incidentId, ...common]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('  !! 3. Deny the root user of');
    expect(shown.out).toMatch(/manual-steps +ACTION REQUIRED BY A HUMAN: 4 manual steps \(Tourniquet does not do these\): 1\. Change the root user’s password/);

    const resumed = await runCli(['resume', incidentId, ...common]);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('  !! ACTION REQUIRED BY A HUMAN: 4 manual steps');
  });
});
