/**
 * The Bedrock invocation-logging and SageMaker notebook actions against moto_server, each phase run as the engine
 * runs it (parse, capture, apply, verify, release) and the state READ BACK with fresh clients after apply and after
 * release.
 *
 * moto implements GetModelInvocationLoggingConfiguration / Put / Delete, the notebook instance calls except
 * UpdateNotebookInstance, and IAM inline policies. `sagemaker.lock-down-notebook-instance` (UpdateNotebookInstance)
 * is therefore proven with aws-sdk-client-mock in test/unit/actions/sagemaker-notebook-actions.test.ts, and its
 * fixture of AWS calls is listed there. Where moto differs from AWS it is said next to the check.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import { CreateNotebookInstanceCommand, DescribeNotebookInstanceCommand, SageMakerClient, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { ActionContext } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import { denyNotebookSessionsDocument, notebookDenyPolicyName } from '../../src/actions/iam-deny-notebook-sessions.js';
import { readRolePolicy } from '../../src/actions/iam-role-lookup.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { StepError } from '../../src/errors.js';
import type { Json, Subject } from '../../src/findings/model.js';
import { makeTestClients } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-ai-actions-1';
const NOW = new Date('2026-12-01T10:00:00.400Z');
const ROLE_NAME = 'notebook-exec-role';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/service-role/notebook-exec-role';
const LOGGING_ROLE_ARN = 'arn:aws:iam::123456789012:role/tourniquet-bedrock-logging-1a2b3c';

let moto: MotoServer;
let clients: AwsClients;
let currentAction = '';
const evidence = memoryEvidence({ recordedAt: NOW });

const subject: Subject = {
  kind: 'sagemaker-notebook',
  id: 'nb-1',
  accountId: '123456789012',
  region: 'us-east-1',
  tags: [],
  ai: { isAi: true, reasons: [] },
  details: { notebookInstanceName: 'nb-1' },
};

/** Fresh clients each time: nothing the actions' clients cached leaks into what is read back. */
const reader = (): AwsClients => makeTestClients(moto.endpoint);

beforeAll(async () => {
  moto = await startMotoServer();
  clients = makeTestClients(moto.endpoint);
  recordAwsCalls(clients, () => currentAction);
  const iam = reader().aws(IAMClient);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, Path: '/service-role/', AssumeRolePolicyDocument: trust }));
});

afterAll(async () => {
  await writeAwsCallFixtures('test/integration/actions-bedrock-sagemaker.test.ts against moto_server');
  await moto?.stop();
});

/** Runs one phase of an action as the engine does: the input parsed once, the context bound to the step. */
function phases(name: string, rawInput: Json) {
  const action = getAction(name);
  const ctx: ActionContext = { clients, incidentId: CASE, caseId: CASE, subject, evidence, now: () => NOW, actor: 'test', stepId: name };
  const input = action.parseInput(rawInput, ctx) as unknown;
  const within = async <T>(fn: () => Promise<T>): Promise<T> => {
    currentAction = name;
    try {
      return await fn();
    } finally {
      currentAction = '';
    }
  };
  return {
    capture: () => within(() => action.capture(input, ctx)),
    apply: (pre: Json) => within(() => action.apply(input, pre, ctx)),
    release: (pre: Json, out: Json | undefined) => within(() => action.release!(input, pre, out, ctx)),
    verify: () => within(() => action.verify!(input, ctx)),
  };
}

// ── Bedrock model invocation logging ────────────────────────────────────────────────────────────────────────────
async function loggingConfig(): Promise<LoggingConfig | null> {
  const out = await reader().aws(BedrockClient).send(new GetModelInvocationLoggingConfigurationCommand({}));
  const c = out.loggingConfig;
  // AWS omits loggingConfig when there is none; moto answers {} after a delete (and before any put: omitted).
  return c === undefined || Object.keys(c).length === 0 ? null : c;
}

const DESTINATION = { cloudWatch: { logGroupName: '/tourniquet/bedrock-invocations', roleArn: LOGGING_ROLE_ARN }, s3: { bucketName: 'evidence-bucket', keyPrefix: 'bedrock/' } };

describe('bedrock.ensure-invocation-logging (moto)', () => {
  beforeEach(async () => {
    await reader().aws(BedrockClient).send(new DeleteModelInvocationLoggingConfigurationCommand({}));
  });

  it('absent → on with the configured destination (read back), unchanged when applied again → absent again on release', async () => {
    expect(await loggingConfig()).toBeNull();
    const step = phases('bedrock.ensure-invocation-logging', { destination: DESTINATION });
    const pre = await step.capture();
    expect(pre).toEqual({ region: 'us-east-1', prior: null });
    const out = await step.apply(pre);
    expect(out).toMatchObject({ changed: true });
    expect(await loggingConfig()).toEqual({
      cloudWatchConfig: { logGroupName: '/tourniquet/bedrock-invocations', roleArn: LOGGING_ROLE_ARN },
      s3Config: { bucketName: 'evidence-bucket', keyPrefix: 'bedrock/' },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: true,
      embeddingDataDeliveryEnabled: true,
      videoDataDeliveryEnabled: true,
      audioDataDeliveryEnabled: true,
    });
    expect(await step.verify()).toMatchObject({ holds: true, detail: expect.stringContaining('on (CloudWatch + S3)') });
    expect(await step.apply(pre)).toMatchObject({ changed: false });

    expect(await step.release(pre, out)).toMatchObject({ action: 'deleted' });
    expect(await loggingConfig()).toBeNull();
    expect(await step.verify()).toMatchObject({ holds: false });
  });

  it('a prior configuration that logs nothing is replaced, and put back JSON-equal on release', async () => {
    const prior: LoggingConfig = { s3Config: { bucketName: 'old-bucket', keyPrefix: 'old/' }, textDataDeliveryEnabled: false, imageDataDeliveryEnabled: false, embeddingDataDeliveryEnabled: false };
    await reader().aws(BedrockClient).send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: prior }));
    const step = phases('bedrock.ensure-invocation-logging', { destination: { s3: { bucketName: 'evidence-bucket' } } });
    const pre = await step.capture();
    const out = await step.apply(pre);
    expect(out).toMatchObject({ changed: true });
    expect((await loggingConfig())?.s3Config).toEqual({ bucketName: 'evidence-bucket' });
    expect(await step.release(pre, out)).toMatchObject({ action: 'restored' });
    expect(await loggingConfig()).toEqual(prior);
  });

  it('logging already on: nothing is changed (no destination needed) and release changes nothing', async () => {
    const theirs: LoggingConfig = { cloudWatchConfig: { logGroupName: 'theirs', roleArn: 'arn:aws:iam::123456789012:role/theirs' }, textDataDeliveryEnabled: true };
    await reader().aws(BedrockClient).send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: theirs }));
    const step = phases('bedrock.ensure-invocation-logging', {});
    const pre = await step.capture();
    const out = await step.apply(pre);
    expect(out).toMatchObject({ changed: false, reason: 'invocation logging is already on' });
    expect(await step.release(pre, out)).toMatchObject({ action: 'none' });
    expect(await loggingConfig()).toEqual(theirs);
  });

  it('logging off and no destination configured: the step fails naming the option, and nothing is written', async () => {
    const step = phases('bedrock.ensure-invocation-logging', {});
    const pre = await step.capture();
    const err = await step.apply(pre).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as Error).message).toMatch(/invocation logging is off in us-east-1 and no destination is configured: set the playbook option invocationLogging .*tourniquet:bedrockInvocationLogging/);
    expect(await loggingConfig()).toBeNull();
  });

  it('keepOnRelease leaves logging on; a configuration changed since the step is not overridden', async () => {
    const kept = phases('bedrock.ensure-invocation-logging', { destination: DESTINATION, keepOnRelease: true });
    const pre1 = await kept.capture();
    const out1 = await kept.apply(pre1);
    expect(await kept.release(pre1, out1)).toMatchObject({ action: 'kept' });
    expect(await loggingConfig()).not.toBeNull();

    await reader().aws(BedrockClient).send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    const step = phases('bedrock.ensure-invocation-logging', { destination: DESTINATION });
    const pre = await step.capture();
    const out = await step.apply(pre);
    const operators: LoggingConfig = { s3Config: { bucketName: 'ops-bucket' }, textDataDeliveryEnabled: true };
    await reader().aws(BedrockClient).send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: operators }));
    expect(await step.release(pre, out)).toMatchObject({ action: 'kept' });
    expect(await loggingConfig()).toEqual(operators);
  });
});

// ── SageMaker notebook instance ─────────────────────────────────────────────────────────────────────────────────
async function notebookStatus(name: string): Promise<string | undefined> {
  return (await reader().aws(SageMakerClient).send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
}

describe('sagemaker.stop-notebook-instance (moto)', () => {
  it('stops an InService notebook (read back Stopped), changes nothing when applied again, starts it again on release', async () => {
    await reader().aws(SageMakerClient).send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'nb-1', InstanceType: 'ml.t3.medium', RoleArn: ROLE_ARN, RootAccess: 'Enabled' }));
    // moto puts a new notebook InService at once; on AWS it is Pending for minutes first (the step waits for that).
    expect(await notebookStatus('nb-1')).toBe('InService');
    const step = phases('sagemaker.stop-notebook-instance', { notebookInstanceName: 'nb-1', waitSeconds: 0 });
    const pre = await step.capture();
    expect(pre).toMatchObject({ notebookInstanceName: 'nb-1', status: 'InService' });
    const out = await step.apply(pre);
    expect(out).toEqual({ changed: true, status: 'Stopping' });
    // moto stops at once; AWS goes through Stopping, which verify accepts too.
    expect(await notebookStatus('nb-1')).toBe('Stopped');
    expect(await step.verify()).toMatchObject({ holds: true });
    expect(await step.apply(pre)).toEqual({ changed: false, status: 'Stopped' });

    expect(await step.release(pre, out)).toMatchObject({ action: 'started' });
    expect(await notebookStatus('nb-1')).toBe('InService');
    expect(await step.verify()).toMatchObject({ holds: false });
  });

  it('a notebook that was already stopped is left stopped on release', async () => {
    await reader().aws(SageMakerClient).send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'nb-stopped', InstanceType: 'ml.t3.medium', RoleArn: ROLE_ARN }));
    await reader().aws(SageMakerClient).send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb-stopped' }));
    const step = phases('sagemaker.stop-notebook-instance', { notebookInstanceName: 'nb-stopped' });
    const pre = await step.capture();
    const out = await step.apply(pre);
    expect(out).toEqual({ changed: false, status: 'Stopped' });
    expect(await step.release(pre, out)).toMatchObject({ action: 'none' });
    expect(await notebookStatus('nb-stopped')).toBe('Stopped');
  });

  it('a notebook that does not exist fails the step, naming it', async () => {
    const step = phases('sagemaker.stop-notebook-instance', { notebookInstanceName: 'nb-missing' });
    await expect(step.capture()).rejects.toThrow(/notebook instance nb-missing does not exist in us-east-1/);
  });
});

describe('iam.deny-notebook-sessions (moto)', () => {
  it('puts the SageMaker-session deny on the notebook\'s execution role (read back), keeps its cut-off, deletes it on release', async () => {
    const role = await reader().aws(IAMClient).send(new (await import('@aws-sdk/client-iam')).GetRoleCommand({ RoleName: ROLE_NAME }));
    const roleId = role.Role!.RoleId!;
    const step = phases('iam.deny-notebook-sessions', { notebookInstanceName: 'nb-1' });
    const pre = await step.capture();
    expect(pre).toMatchObject({ role: { roleName: ROLE_NAME, roleId }, policyName: notebookDenyPolicyName(CASE), prior: null });
    const out = await step.apply(pre);
    expect(out).toEqual({ applied: true, roleName: ROLE_NAME, cutoff: '2026-12-01T10:00:01Z' });
    const iam = reader().aws(IAMClient);
    expect(await readRolePolicy(iam, ROLE_NAME, notebookDenyPolicyName(CASE))).toEqual(denyNotebookSessionsDocument(roleId, '2026-12-01T10:00:01Z'));
    expect(await step.verify()).toMatchObject({ holds: true });
    expect(await step.apply(pre)).toEqual(out);

    expect(await step.release(pre, out)).toMatchObject({ action: 'deleted' });
    expect(await readRolePolicy(iam, ROLE_NAME, notebookDenyPolicyName(CASE))).toBeNull();
    expect(await step.verify()).toMatchObject({ holds: false });
  });
});
