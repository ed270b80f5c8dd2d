/**
 * The `sagemaker-notebook` and `bedrock` playbooks end to end against moto_server: a GuardDuty finding (parsed from
 * JSON like any input) → subjects → plan → the real engine → state read back from the emulator → release → the
 * prior state read back. And observe mode: planned and journaled, zero mutating AWS calls.
 *
 * moto lacks UpdateNotebookInstance, so the notebook here is created with root access disabled and no lifecycle
 * configuration: the lock-down step finds it locked down and changes nothing (its update is proven with
 * aws-sdk-client-mock in test/unit/actions/sagemaker-notebook-actions.test.ts).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { CreateNotebookInstanceCommand, DescribeNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateRoleCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { CallRecord } from '../../src/aws/clients.js';
import { createResponder } from '../../src/engine/create-responder.js';
import type { Finding } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type { Journal } from '../../src/journal/journal.js';
import { MemoryNotifier } from '../../src/notify/notification.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { isReadOnlyOperation } from '../support/engine-harness.js';
import { testClientConfig } from '../support/aws-clients.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NOTEBOOK = 'nb-e2e';
const ROLE = 'nb-e2e-role';

const POLICY = `
version: 1
defaults: { mode: approve }
rules:
  - name: notebook
    match: { subject: [sagemaker-notebook] }
    mode: contain
    steps: { stop-notebook-instance: auto-approve, deny-notebook-sessions: auto-approve }
    options: { notebookWaitSeconds: 0, invocationLogging: { s3: { bucketName: tourniquet-evidence } } }
  - name: bedrock
    match: { subject: [bedrock-model] }
    mode: contain
    options: { invocationLogging: { s3: { bucketName: tourniquet-evidence, keyPrefix: bedrock/ } } }
`;

let moto: MotoServer;
const journals: Journal[] = [];

beforeAll(async () => {
  moto = await startMotoServer();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const cfg = testClientConfig(moto.endpoint);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const role = await new IAMClient(cfg).send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: trust }));
  await new SageMakerClient(cfg).send(
    new CreateNotebookInstanceCommand({ NotebookInstanceName: NOTEBOOK, InstanceType: 'ml.t3.medium', RoleArn: role.Role!.Arn!, RootAccess: 'Disabled' }),
  );
});

afterAll(async () => {
  for (const j of journals) await j.close();
  await moto?.stop();
});

async function engine() {
  const journal = await openJournal({});
  await journal.ensureTable();
  journals.push(journal);
  const calls: CallRecord[] = [];
  const responder = createResponder({
    journal,
    policy: parsePolicy(POLICY, 'test-policy.yaml'),
    endpoint: moto.endpoint,
    evidence: { dir: await mkdtemp(join(tmpdir(), 'tourniquet-ai-')) },
    notifier: new MemoryNotifier(),
    onCall: (c) => calls.push(c),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return { responder, calls };
}

/** A GuardDuty finding from a sample, in moto's account and Region, not marked sample, with `edit` applied to its detail. */
function finding(sample: string, id: string, edit: (detail: Record<string, unknown>) => void = () => undefined): Finding {
  const event = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'samples', sample), 'utf8')) as { detail: Record<string, unknown> };
  const detail: Record<string, unknown> = { ...event.detail, id, accountId: ACCOUNT, region: REGION };
  // A sample finding never mutates anything (the `sample` guardrail): this one stands for a real one.
  const service = structuredClone(detail['service']) as { additionalInfo?: Record<string, unknown> };
  if (service.additionalInfo !== undefined) service.additionalInfo['sample'] = false;
  detail['service'] = service;
  edit(detail);
  const rec = parseRecord({ ...event, account: ACCOUNT, region: REGION, detail }, { name: id });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

/** An API call that opened a pre-signed URL to the notebook, from a Tor exit node. */
const notebookFinding = (id: string): Finding =>
  finding('events/UnauthorizedAccess-IAMUser-TorIPCaller.eventbridge.json', id, (d) => {
    const service = structuredClone(d['service']) as { action: { awsApiCallAction: Record<string, unknown> } };
    service.action.awsApiCallAction['api'] = 'CreatePresignedNotebookInstanceUrl';
    service.action.awsApiCallAction['serviceName'] = 'sagemaker.amazonaws.com';
    service.action.awsApiCallAction['affectedResources'] = { 'AWS::SageMaker::NotebookInstance': `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${NOTEBOOK}` };
    d['service'] = service;
    // Real-looking identity: GeneratedFinding… placeholder ids make a finding a sample (which never mutates).
    d['resource'] = { ...(d['resource'] as Record<string, unknown>), accessKeyDetails: { accessKeyId: 'AKIA2EXAMPLEML7DEV42', principalId: 'AIDA2EXAMPLEML7DEV42', userType: 'IAMUser', userName: 'ml-dev' } };
  });

const cfg = () => testClientConfig(moto.endpoint);
const notebookStatus = async () => (await new SageMakerClient(cfg()).send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: NOTEBOOK }))).NotebookInstanceStatus;
const rolePolicies = async () => (await new IAMClient(cfg()).send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames ?? [];
const loggingConfig = async () => {
  const c = (await new BedrockClient(cfg()).send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig;
  return c === undefined || Object.keys(c).length === 0 ? null : c;
};

describe('sagemaker-notebook playbook (moto)', () => {
  it('the finding names the notebook: a sagemaker-notebook subject, planned with every step', () => {
    const f = notebookFinding('f-nb-plan');
    const nb = f.subjects.find((s) => s.kind === 'sagemaker-notebook');
    expect(nb).toMatchObject({ id: NOTEBOOK, derived: true, details: { notebookInstanceName: NOTEBOOK } });
  });

  it('observe: planned and journaled, zero mutating AWS calls, nothing changed', async () => {
    const { responder, calls } = await engine();
    const result = await responder.respond(notebookFinding('f-nb-observe'), 'observe');
    const o = result.outcomes.find((x) => x.subject.kind === 'sagemaker-notebook')!;
    expect(o.status).toBe('observed');
    expect(o.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['stop-notebook-instance', 'planned'],
      ['lock-down-notebook-instance', 'planned'],
      ['deny-notebook-sessions', 'planned'],
      ['ensure-invocation-logging', 'planned'],
    ]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await notebookStatus()).toBe('InService');
    expect(await rolePolicies()).toEqual([]);
    expect(await loggingConfig()).toBeNull();
  });

  it('contain: stopped, sessions denied, logging on (read back); release starts it and removes both (read back)', async () => {
    const { responder } = await engine();
    const result = await responder.respond(notebookFinding('f-nb-contain'), 'contain');
    const o = result.outcomes.find((x) => x.subject.kind === 'sagemaker-notebook')!;
    expect(Object.fromEntries(o.steps.map((s) => [s.stepId, s.status]))).toEqual({
      'stop-notebook-instance': 'done',
      'lock-down-notebook-instance': 'done',
      'deny-notebook-sessions': 'done',
      'ensure-invocation-logging': 'done',
    });
    expect(o.status).toBe('contained');
    expect(await notebookStatus()).toBe('Stopped');
    expect(await rolePolicies()).toEqual([expect.stringMatching(/^tourniquet-sagemaker-/)]);
    expect((await loggingConfig())?.s3Config).toEqual({ bucketName: 'tourniquet-evidence' });

    const released = await responder.release(o.incidentId, { by: 'dana', reason: 'drill' });
    expect(released.incident.status).toBe('released');
    expect(released.released.sort()).toEqual(['deny-notebook-sessions', 'ensure-invocation-logging', 'lock-down-notebook-instance', 'stop-notebook-instance']);
    expect(await notebookStatus()).toBe('InService');
    expect(await rolePolicies()).toEqual([]);
    expect(await loggingConfig()).toBeNull();
  });
});

describe('bedrock playbook (moto)', () => {
  const aiFinding = (id: string) => finding('synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json', id);

  it('observe: zero mutating calls; contain: logging on (read back); release: off again', async () => {
    await new BedrockClient(cfg()).send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    const { responder, calls } = await engine();
    const observed = await responder.respond(aiFinding('f-br-observe'), 'observe');
    expect(observed.outcomes.find((x) => x.subject.kind === 'bedrock-model')?.status).toBe('observed');
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await loggingConfig()).toBeNull();

    const result = await responder.respond(aiFinding('f-br-contain'), 'contain');
    const o = result.outcomes.find((x) => x.subject.kind === 'bedrock-model')!;
    expect(o.steps.map((s) => [s.stepId, s.status])).toEqual([['ensure-invocation-logging', 'done']]);
    expect((await loggingConfig())?.s3Config).toEqual({ bucketName: 'tourniquet-evidence', keyPrefix: 'bedrock/' });
    expect((await responder.release(o.incidentId, { by: 'dana', reason: 'drill' })).incident.status).toBe('released');
    expect(await loggingConfig()).toBeNull();
  });
});
