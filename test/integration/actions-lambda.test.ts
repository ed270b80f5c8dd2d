/**
 * The Lambda function playbook's actions against moto_server: a function with a public URL, a public and a limited
 * resource-policy statement, an enabled and a disabled SQS event source mapping, and an execution role; a second
 * function with a reserved concurrency of 5. Each step of the playbook's plan is captured, applied (twice: the
 * second changes nothing), verified, then released in reverse order, with the state READ BACK with fresh clients
 * after apply and after release (release exactness: "no reservation" comes back as none, the policy statements are
 * equal, the mappings' states are the ones recorded).
 *
 * moto differs from AWS on the package download: its `Code.Location` is a plain URL on a host the test cannot
 * reach, where AWS returns a pre-signed S3 URL anyone holding it can GET. The test answers that GET with the bytes
 * the function was created from (what AWS's URL would serve), so the SHA-256 check against CodeSha256 is real.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateRoleCommand, ListRolePoliciesCommand, IAMClient } from '@aws-sdk/client-iam';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Finding, Json, SubjectOf } from '../../src/findings/model.js';
import { getAction } from '../../src/actions/registry.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import { lambdaFunctionPlaybook } from '../../src/playbooks/lambda-function.js';
import { denyFunctionSessionDocument, functionDenyPolicyName } from '../../src/actions/iam-deny-function-session.js';
import { readRolePolicy } from '../../src/actions/iam-role-lookup.js';
import { makeTestClients, testClientConfig } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-lambda-actions-1';
const NOW = new Date('2026-12-03T08:00:00.000Z');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
// A real zip (index.py) so moto computes CodeSha256 over real bytes.
const ZIP = Buffer.from(
  'UEsDBBQAAAAIABI/g12sKm9YNQAAADUAAAAIAAAAaW5kZXgucHlLSU1TyEjMS8lJLdJILUvNK9FRSM7PK0mtKNG04lIAgqLUktKiPIVqpfxsJSuFkKLS1FouAFBLAQIUAxQAAAAIABI/g12sKm9YNQAAADUAAAAIAAAAAAAAAAAAAACAAQAAAABpbmRleC5weVBLBQYAAAAAAQABADYAAABbAAAAAAA=',
  'base64',
);

let moto: MotoServer;
let roleArn: string;
let roleName: string;
const evidence = memoryEvidence({ recordedAt: NOW });
let currentAction = '';

function subjectOf(functionName: string): SubjectOf<'lambda-function'> {
  return {
    kind: 'lambda-function',
    id: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    name: functionName,
    accountId: ACCOUNT,
    region: REGION,
    tags: [],
    ai: { isAi: false, reasons: [] },
    details: { functionName, role: roleArn, securityGroupIds: [] },
  };
}

function steps(functionName: string): Array<{ id: string; action: string; input: Json }> {
  const finding = { id: 'f-l', type: { raw: 'Backdoor:Lambda/C&CActivity.B' } } as unknown as Finding;
  const plan = lambdaFunctionPlaybook.plan(finding, subjectOf(functionName));
  return topologicalOrder(plan.steps).map((s) => ({ id: s.id, action: s.action, input: s.input }));
}

function actionClients(): AwsClients {
  const c = makeTestClients(moto.endpoint);
  recordAwsCalls(c, () => currentAction);
  return c;
}

const reader = (): AwsClients => makeTestClients(moto.endpoint);

function ctxFor(clients: AwsClients, functionName: string, stepId: string): ActionContext {
  return { clients, incidentId: CASE, caseId: CASE, subject: subjectOf(functionName), evidence, now: () => NOW, actor: 'test', stepId };
}

async function concurrency(fn: string): Promise<number | null> {
  return (await reader().aws(LambdaClient).send(new GetFunctionConcurrencyCommand({ FunctionName: fn }))).ReservedConcurrentExecutions ?? null;
}

async function urlAuth(fn: string): Promise<string | undefined> {
  return (await reader().aws(LambdaClient).send(new GetFunctionUrlConfigCommand({ FunctionName: fn }))).AuthType;
}

async function statements(fn: string): Promise<Json[]> {
  try {
    const out = await reader().aws(LambdaClient).send(new GetPolicyCommand({ FunctionName: fn }));
    const list = (JSON.parse(out.Policy!) as { Statement: Json[] }).Statement;
    return [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return [];
    throw err;
  }
}

async function mappingStates(fn: string): Promise<Record<string, string>> {
  const out = await reader().aws(LambdaClient).send(new ListEventSourceMappingsCommand({ FunctionName: fn }));
  return Object.fromEntries((out.EventSourceMappings ?? []).map((m) => [m.EventSourceArn!, m.State!]));
}

async function rolePolicyNames(): Promise<string[]> {
  return ((await reader().aws(IAMClient).send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? []).sort();
}

async function state(fn: string): Promise<Json> {
  return JSON.parse(
    JSON.stringify({ concurrency: await concurrency(fn), url: await urlAuth(fn).catch(() => null), statements: await statements(fn), mappings: await mappingStates(fn), rolePolicies: await rolePolicyNames() }),
  ) as Json;
}

async function createFunction(name: string): Promise<void> {
  await reader().aws(LambdaClient).send(
    new CreateFunctionCommand({ FunctionName: name, Runtime: 'python3.12', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: ZIP } }),
  );
}

/** Runs the playbook's steps: capture, apply twice, verify; returns what release needs. */
async function contain(fn: string): Promise<Array<{ action: AnyAction; stepId: string; input: unknown; pre: Json; output: Json }>> {
  const records: Array<{ action: AnyAction; stepId: string; input: unknown; pre: Json; output: Json }> = [];
  const clients = actionClients();
  for (const s of steps(fn)) {
    const action = getAction(s.action);
    currentAction = action.name;
    const ctx = ctxFor(clients, fn, s.id);
    const input: unknown = action.parseInput(s.input, ctx);
    const pre = (await action.capture(input, ctx)) as Json;
    const output = (await action.apply(input, pre, ctx)) as Json;
    records.push({ action, stepId: s.id, input, pre, output });
  }
  const once = await state(fn);
  for (const r of records) {
    currentAction = r.action.name;
    // Evidence is taken once (a second run would record the contained state over it).
    if (r.action.effect !== 'read') await r.action.apply(r.input, r.pre, ctxFor(clients, fn, r.stepId));
    if (r.action.verify !== undefined) {
      const v = await r.action.verify(r.input, ctxFor(clients, fn, r.stepId));
      expect(v.holds, `${r.stepId}: ${v.detail}`).toBe(true);
    }
  }
  expect(await state(fn)).toEqual(once);
  currentAction = '';
  return records;
}

async function release(fn: string, records: Awaited<ReturnType<typeof contain>>): Promise<void> {
  const clients = actionClients();
  for (const r of [...records].reverse()) {
    if (r.action.release === undefined) continue;
    currentAction = r.action.name;
    await r.action.release(r.input, r.pre, r.output, ctxFor(clients, fn, r.stepId));
    // Twice: release is idempotent.
    await r.action.release(r.input, r.pre, r.output, ctxFor(clients, fn, r.stepId));
  }
  currentAction = '';
}

let queueA: string;
let queueB: string;

beforeAll(async () => {
  moto = await startMotoServer();
  const iam = reader().aws(IAMClient);
  roleName = 'agent-tool-role';
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  roleArn = role.Role!.Arn!;
  const sqs = new SQSClient(testClientConfig(moto.endpoint));
  const arnOf = async (name: string): Promise<string> => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
  };
  queueA = await arnOf('jobs');
  queueB = await arnOf('jobs-paused');

  const lambda = reader().aws(LambdaClient);
  await createFunction('agent-tool');
  await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'agent-tool', AuthType: 'NONE' }));
  // Public: anyone may invoke. Limited: only S3 events from one bucket of this account.
  await lambda.send(new AddPermissionCommand({ FunctionName: 'agent-tool', StatementId: 'public-invoke', Action: 'lambda:InvokeFunction', Principal: '*' }));
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: 'agent-tool',
      StatementId: 's3-events',
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceArn: 'arn:aws:s3:::uploads',
      SourceAccount: ACCOUNT,
    }),
  );
  await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'agent-tool', EventSourceArn: queueA, Enabled: true, BatchSize: 10 }));
  await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'agent-tool', EventSourceArn: queueB, Enabled: false, BatchSize: 10 }));

  await createFunction('batch-worker');
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'batch-worker', ReservedConcurrentExecutions: 5 }));

  // AWS's pre-signed Code.Location serves the package to a plain GET; moto's URL is unreachable (see the header).
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
    if (String(url).startsWith(`https://awslambda-${REGION}-tasks.s3.${REGION}.amazonaws.com/`)) {
      return new Response(ZIP, { status: 200, headers: { 'content-length': String(ZIP.byteLength) } });
    }
    return realFetch(url, init);
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-lambda.test.ts against moto_server');
});

describe('Lambda function containment actions against moto', () => {
  it('contains the function, reads the state back, and release restores it exactly', async () => {
    const before = await state('agent-tool');
    expect(before).toMatchObject({ concurrency: null, url: 'NONE', mappings: { [queueA]: 'Enabled', [queueB]: 'Disabled' }, rolePolicies: [] });
    expect((before as { statements: Json[] }).statements).toHaveLength(2);

    const records = await contain('agent-tool');
    const after = (await state('agent-tool')) as { concurrency: number; url: string; statements: Array<{ Sid: string }>; mappings: Record<string, string>; rolePolicies: string[] };
    expect(after.concurrency).toBe(0);
    expect(after.url).toBe('AWS_IAM');
    expect(after.statements.map((s) => s.Sid)).toEqual(['s3-events']);
    expect(after.mappings).toEqual({ [queueA]: 'Disabled', [queueB]: 'Disabled' });
    expect(after.rolePolicies).toEqual([functionDenyPolicyName('agent-tool')]);
    const role = { roleId: (await readRoleId()), roleArn };
    expect(await readRolePolicy(reader().aws(IAMClient), roleName, functionDenyPolicyName('agent-tool'))).toEqual(
      denyFunctionSessionDocument(role, REGION, ACCOUNT, 'agent-tool'),
    );

    await release('agent-tool', records);
    expect(await state('agent-tool')).toEqual(before);
    // And verify now sees every change gone.
    const clients = reader();
    for (const r of records) {
      if (r.action.verify === undefined) continue;
      expect((await r.action.verify(r.input, ctxFor(clients, 'agent-tool', r.stepId))).holds, r.stepId).toBe(false);
    }
  });

  it('keeps the deployed package and its SHA-256, which matches CodeSha256', () => {
    const code = evidence.items.get('lambda-agent-tool-code.json') as { status: string; sha256: string; bytes: number; matchesCodeSha256: boolean };
    expect(code).toMatchObject({ status: 'downloaded', bytes: ZIP.byteLength, matchesCodeSha256: true });
    expect(evidence.items.has('lambda-agent-tool-code.zip')).toBe(true);
    const record = evidence.items.get('lambda-agent-tool.json') as { policyStatements: Json[]; functionUrl: { authType: string }; reservedConcurrency: null };
    expect(record.policyStatements).toHaveLength(2);
    expect(record.functionUrl.authType).toBe('NONE');
    expect(record.reservedConcurrency).toBeNull();
  });

  it('a prior reserved concurrency comes back as that number; no URL, policy or mapping is nothing to do', async () => {
    const before = await state('batch-worker');
    expect(before).toMatchObject({ concurrency: 5, url: null, statements: [], mappings: {} });
    const records = await contain('batch-worker');
    expect(await concurrency('batch-worker')).toBe(0);
    await release('batch-worker', records);
    expect(await concurrency('batch-worker')).toBe(5);
    expect(await state('batch-worker')).toEqual(before);
  });
});

async function readRoleId(): Promise<string> {
  const { getRole } = await import('../../src/actions/iam-role-lookup.js');
  return (await getRole(reader().aws(IAMClient), roleName)).roleId;
}
