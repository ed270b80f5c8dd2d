/**
 * The `ecs-task` playbook: a Fargate task (awsvpc) with a task role. The playbook's steps run in plan order with its
 * inputs; the state is READ BACK with fresh clients after apply (the task's ENI carries only the isolation group, the
 * task role carries the deny for this task's session), applied again (nothing changes), released (the ENI's groups and
 * the role's policies are back), and the irreversible stop is read back. Then the engine: observe mode makes zero
 * mutating calls; contain mode contains and `release` restores, with the stop waiting for a human.
 *
 * What runs where: EC2 (the task ENI, the isolation groups) and IAM (the task role and its inline policies) are
 * moto_server, read back from it. ECS is aws-sdk-client-mock: moto 5.2.1's RunTask fails for every awsvpc task
 * (`'NetworkInterface' object has no attribute 'private_dns_name'`, HTTP 500), so the ECS side is a small task table
 * answering DescribeTasks / DescribeTaskDefinition / StopTask in AWS's documented shapes, the task's ENI being a real
 * moto ENI created the way ECS creates it (in the task's subnet, with the task's security groups).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateRoleCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import { denyTaskPolicyName, denyTaskSessionDocument } from '../../src/actions/iam-deny-task-session.js';
import { readRolePolicy } from '../../src/actions/iam-role-lookup.js';
import type { AwsClients, CallRecord } from '../../src/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { createResponder } from '../../src/engine/create-responder.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import type { Finding, Json, Subject } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { ecsTaskPlaybook } from '../../src/playbooks/ecs-task.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { makeTestClients, TEST_ACCOUNT_ID, TEST_REGION } from '../support/aws-clients.js';
import { AWS_CALL_FIXTURES_DIR, recordAwsCalls, writeAwsCallFixtures, type AwsCallFixture } from '../support/aws-call-recording.js';
import { isReadOnlyOperation } from '../support/engine-harness.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-ecs-task-1';
const NOW = new Date('2026-12-03T08:00:00.000Z');
const SAMPLE = 'samples/synthesized/Impact-Runtime-CryptoMinerExecuted.ecs-fargate.SYNTHESIZED.json';

let moto: MotoServer;
let fx: { vpcId: string; subnetId: string; appGroupId: string; roleName: string; roleArn: string; clusterArn: string; taskDefinitionArn: string };
let currentAction = '';
const evidence = memoryEvidence({ recordedAt: NOW });

const reader = (): AwsClients => makeTestClients(moto.endpoint);

/** ECS as aws-sdk-client-mock (see the header): the tasks it knows, and every call by the action that made it. */
const ecsMock = mockClient(ECSClient);
const ecsTasks = new Map<string, Task>();
const ecsCalls = new Map<string, Array<{ service: string; operation: string; input: unknown }>>();
const ecsOperations: string[] = [];

function recordEcs(operation: string, input: unknown): void {
  ecsOperations.push(operation);
  if (currentAction === '') return;
  const list = ecsCalls.get(currentAction) ?? [];
  if (!list.some((c) => c.operation === operation)) list.push({ service: 'ecs', operation, input });
  ecsCalls.set(currentAction, list);
}

function mockEcs(): void {
  ecsMock.reset();
  ecsMock.on(DescribeTasksCommand).callsFake((input: { cluster?: string; tasks?: string[] }) => {
    recordEcs('DescribeTasks', input);
    const found = (input.tasks ?? []).flatMap((a) => (ecsTasks.has(a) ? [ecsTasks.get(a)!] : []));
    return { tasks: found, failures: (input.tasks ?? []).filter((a) => !ecsTasks.has(a)).map((arn) => ({ arn, reason: 'MISSING' })) };
  });
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition?: string }) => {
    recordEcs('DescribeTaskDefinition', input);
    return {
      taskDefinition: {
        taskDefinitionArn: input.taskDefinition,
        family: 'vllm-server',
        networkMode: 'awsvpc',
        taskRoleArn: fx.roleArn,
        containerDefinitions: [{ name: 'vllm-server', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm-server:0.5.3' }],
      },
    };
  });
  ecsMock.on(StopTaskCommand).callsFake((input: { cluster?: string; task?: string; reason?: string }) => {
    recordEcs('StopTask', input);
    const t = ecsTasks.get(input.task ?? '');
    if (t === undefined) throw Object.assign(new Error('The referenced task was not found.'), { name: 'InvalidParameterException' });
    const stopped = { ...t, desiredStatus: 'STOPPED', stoppedReason: input.reason };
    ecsTasks.set(t.taskArn!, stopped);
    return { task: stopped };
  });
}

/** A running awsvpc task: its ENI is a real moto ENI in the task's subnet with the task's groups, as ECS makes it. */
async function runTask(): Promise<{ taskArn: string; eni: string }> {
  const eni = (await reader().aws(EC2Client).send(new CreateNetworkInterfaceCommand({ SubnetId: fx.subnetId, Groups: [fx.appGroupId], Description: 'arn:aws:ecs:us-east-1:123456789012:attachment/x' })))
    .NetworkInterface!.NetworkInterfaceId!;
  const taskArn = `${fx.clusterArn.replace(':cluster/', ':task/')}/${randomBytes(16).toString('hex')}`;
  ecsTasks.set(taskArn, {
    taskArn,
    clusterArn: fx.clusterArn,
    taskDefinitionArn: fx.taskDefinitionArn,
    launchType: 'FARGATE',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [
      {
        id: randomBytes(8).toString('hex'),
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: fx.subnetId },
          { name: 'networkInterfaceId', value: eni },
        ],
      },
    ],
  });
  return { taskArn, eni };
}

async function eniGroups(eni: string): Promise<string[]> {
  const out = await reader().aws(EC2Client).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }));
  return (out.NetworkInterfaces![0]!.Groups ?? []).map((g) => g.GroupId!).sort();
}

async function isolationGroupId(): Promise<string | undefined> {
  const out = await reader()
    .aws(EC2Client)
    .send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }, { Name: 'tag:tourniquet:role', Values: ['isolation'] }] }));
  return out.SecurityGroups?.[0]?.GroupId;
}

async function rolePolicies(): Promise<Array<[string, Json | null]>> {
  const iam = reader().aws(IAMClient);
  const names = ((await iam.send(new ListRolePoliciesCommand({ RoleName: fx.roleName }))).PolicyNames ?? []).sort();
  return Promise.all(names.map(async (n): Promise<[string, Json | null]> => [n, await readRolePolicy(iam, fx.roleName, n)]));
}

function taskStatus(taskArn: string): string | undefined {
  return ecsTasks.get(taskArn)?.desiredStatus;
}

function subjectOf(taskArn: string): Subject {
  return {
    kind: 'ecs-task',
    id: taskArn,
    arn: taskArn,
    accountId: TEST_ACCOUNT_ID,
    region: TEST_REGION,
    tags: [],
    ai: { isAi: true, reasons: [] },
    details: { cluster: fx.clusterArn, definitionArn: fx.taskDefinitionArn, launchType: 'FARGATE' },
  } as Subject;
}

/** The sample Runtime finding, pointed at this task (its account, cluster, task and definition). */
function findingFor(taskArn: string, id: string): Finding {
  const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { detail: Record<string, unknown> };
  const d = raw.detail as { accountId: string; id: string; arn: string; resource: { ecsClusterDetails: Record<string, unknown> & { taskDetails: Record<string, unknown> } } };
  d.accountId = TEST_ACCOUNT_ID;
  d.id = id;
  d.arn = `arn:aws:guardduty:us-east-1:${TEST_ACCOUNT_ID}:detector/d1/finding/${id}`;
  d.resource.ecsClusterDetails.arn = fx.clusterArn;
  d.resource.ecsClusterDetails.taskDetails.arn = taskArn;
  d.resource.ecsClusterDetails.taskDetails.definitionArn = fx.taskDefinitionArn;
  const rec = parseRecord(raw, { name: 'test-ecs' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

beforeAll(async () => {
  moto = await startMotoServer();
  // The engine's client factory reads credentials from the environment (as in the engine harness).
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION });
  const c = reader();
  const ec2 = c.aws(EC2Client);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const appGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'inference', Description: 'inference', VpcId: vpcId }))).GroupId!;
  const roleName = 'inference-task-role';
  const roleArn = (
    await c.aws(IAMClient).send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    )
  ).Role!.Arn!;
  const clusterArn = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT_ID}:cluster/inference-prod`;
  const taskDefinitionArn = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT_ID}:task-definition/vllm-server:3`;
  fx = { vpcId, subnetId, appGroupId, roleName, roleArn, clusterArn, taskDefinitionArn };
  mockEcs();
});

afterAll(async () => {
  ecsMock.restore();
  await moto?.stop();
  // EC2 and IAM calls were recorded against moto; the ECS calls (aws-sdk-client-mock) are added to the same fixtures.
  const written = await writeAwsCallFixtures('listed: test/integration/ecs-task.test.ts — EC2 and IAM against moto_server, ECS against aws-sdk-client-mock (moto 5.2.1 cannot run an awsvpc task)');
  for (const [action, calls] of ecsCalls) {
    const file = join(AWS_CALL_FIXTURES_DIR, `${action}.json`);
    if (written.length === 0) continue;
    let fixture: AwsCallFixture;
    try {
      fixture = JSON.parse(await readFile(file, 'utf8')) as AwsCallFixture;
    } catch {
      fixture = { action, source: 'listed: test/integration/ecs-task.test.ts — ECS against aws-sdk-client-mock (moto 5.2.1 cannot run an awsvpc task)', calls: [], created: {} };
    }
    fixture.calls.unshift(...calls);
    await writeFile(file, `${JSON.stringify(fixture, null, 2)}\n`);
  }
});

describe('ecs-task playbook actions against moto', () => {
  it('isolates the task ENI and denies its role session, read back; idempotent; released exactly; the stop holds', async () => {
    const { taskArn, eni } = await runTask();
    const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
    const clients = makeTestClients(moto.endpoint);
    recordAwsCalls(clients, () => currentAction);
    const subject = subjectOf(taskArn);
    const ctxFor = (stepId: string): ActionContext => ({ clients, incidentId: CASE, caseId: CASE, subject, evidence, now: () => NOW, actor: 'test', stepId });
    const finding = { id: 'f-ecs', type: { raw: 'Impact:Runtime/CryptoMinerExecuted' } } as unknown as Finding;
    const plan = ecsTaskPlaybook.plan(finding, subject, { isolationSettleSeconds: 0 });
    const order = topologicalOrder(plan.steps).map((s) => s.id);
    expect(order).toEqual(['capture-evidence', 'isolate-network', 'deny-task-session', 'stop-task']);
    expect(plan.steps.find((s) => s.id === 'stop-task')).toMatchObject({ effect: 'destructive', reversible: false });

    const beforeGroups = await eniGroups(eni);
    expect(beforeGroups).toEqual([fx.appGroupId]);
    expect(await rolePolicies()).toEqual([]);

    const done: Array<{ action: AnyAction; input: unknown; pre: Json; output: Json; id: string }> = [];
    for (const step of topologicalOrder(plan.steps).filter((s) => s.id !== 'stop-task')) {
      const action = getAction(step.action);
      currentAction = action.name;
      const ctx = ctxFor(step.id);
      const input = action.parseInput(step.input, ctx);
      const pre = (await action.capture(input, ctx)) as Json;
      const output = (await action.apply(input, pre, ctx)) as Json;
      done.push({ action, input, pre, output, id: step.id });
    }
    // Evidence: the task and its definition.
    expect(evidence.items.has(`ecs/${taskId}/describe-tasks.json`)).toBe(true);
    expect(JSON.stringify(evidence.items.get(`ecs/${taskId}/describe-task-definition.json`))).toContain(fx.roleArn);
    // Read back: the ENI carries only the rule-less isolation group; the role only this task's deny.
    const iso = await isolationGroupId();
    expect(iso).toBeDefined();
    expect(await eniGroups(eni)).toEqual([iso]);
    const roleId = ((await reader().aws(IAMClient).send(new (await import('@aws-sdk/client-iam')).GetRoleCommand({ RoleName: fx.roleName }))).Role!.RoleId)!;
    expect(await rolePolicies()).toEqual([[denyTaskPolicyName(taskId), denyTaskSessionDocument(roleId, taskId)]]);
    expect(denyTaskSessionDocument(roleId, taskId)).toMatchObject({ Statement: [{ Effect: 'Deny', Condition: { StringEquals: { 'aws:userid': `${roleId}:${taskId}` } } }] });
    for (const d of done) {
      currentAction = d.action.name;
      if (d.action.verify) expect((await d.action.verify(d.input, ctxFor(d.id))).holds, d.id).toBe(true);
    }
    // Applied again: nothing changes.
    const afterApply = { groups: await eniGroups(eni), policies: await rolePolicies() };
    for (const d of done) {
      currentAction = d.action.name;
      await d.action.apply(d.input, d.pre, ctxFor(d.id));
    }
    expect({ groups: await eniGroups(eni), policies: await rolePolicies() }).toEqual(afterApply);

    // Release in reverse order: the original state is back, and verify sees the changes gone.
    for (const d of [...done].reverse()) {
      currentAction = d.action.name;
      if (d.action.release) await d.action.release(d.input, d.pre, d.output, ctxFor(d.id));
    }
    expect(await eniGroups(eni)).toEqual(beforeGroups);
    expect(await rolePolicies()).toEqual([]);
    for (const d of done.filter((x) => x.action.effect !== 'read')) {
      currentAction = d.action.name;
      expect((await d.action.verify!(d.input, ctxFor(d.id))).holds, d.id).toBe(false);
    }

    // The stop (destructive, irreversible): read back, and a second apply changes nothing.
    const stop = getAction('ecs.stop-task');
    currentAction = stop.name;
    const ctx = ctxFor('stop-task');
    const input = stop.parseInput(plan.steps.find((s) => s.id === 'stop-task')!.input, ctx);
    expect(stop.reversible).toBe(false);
    const pre = await stop.capture(input, ctx);
    expect(await stop.apply(input, pre, ctx)).toEqual({ stopped: true, alreadyStopping: false });
    expect(taskStatus(taskArn)).toBe('STOPPED');
    expect((await stop.verify!(input, ctx)).holds).toBe(true);
    expect(await stop.apply(input, pre, ctx)).toEqual({ stopped: false, alreadyStopping: true });
    currentAction = '';
  });

  it('a task ARN from the finding that is not an ECS task ARN is refused with one clear error, before any call', async () => {
    const clients = makeTestClients(moto.endpoint);
    const subject = { ...subjectOf('arn:aws:ecs:us-east-1:123456789012:task/x/$(reboot)'), id: 'arn:aws:ecs:us-east-1:123456789012:task/x/$(reboot)' } as Subject;
    const action = getAction('ecs.capture-task-evidence');
    const ctx: ActionContext = { clients, incidentId: CASE, caseId: CASE, subject, evidence, now: () => NOW, actor: 'test', stepId: 'capture-evidence' };
    await expect(action.capture(action.parseInput({ taskArn: subject.id }, ctx), ctx)).rejects.toThrow(/capture-evidence: ecs\.capture-task-evidence: not an ECS task ARN: string "arn:aws:ecs:us-east-1:123456789012:task\/x\/\$\(reboot\)"/);
  });
});

describe('ecs-task through the engine', () => {
  const policy = `
version: 1
defaults: { mode: approve }
rules:
  - name: ecs-runtime
    match: { type: ["Impact:Runtime/"], subject: [ecs-task] }
    mode: contain
`;

  async function engine() {
    const journal = await openJournal({});
    await journal.ensureTable();
    const calls: CallRecord[] = [];
    const responder = createResponder({
      journal,
      policy: parsePolicy(policy, 'test-policy.yaml'),
      endpoint: moto.endpoint,
      evidence: { dir: await mkdtemp(join(tmpdir(), 'tourniquet-ecs-')) },
      onCall: (c) => calls.push(c),
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    return { responder, journal, calls };
  }

  it('observe mode plans and journals but makes zero mutating calls', async () => {
    const { taskArn, eni } = await runTask();
    ecsOperations.length = 0;
    const { responder, calls, journal } = await engine();
    const result = await responder.respond(findingFor(taskArn, 'ecs-observe-1'), 'observe');
    const o = result.outcomes.find((x) => x.subject.kind === 'ecs-task')!;
    expect(o.status).toBe('observed');
    expect(o.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['capture-evidence', 'planned'],
      ['isolate-network', 'planned'],
      ['deny-task-session', 'planned'],
      ['stop-task', 'planned'],
    ]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await eniGroups(eni)).toEqual([fx.appGroupId]);
    expect(taskStatus(taskArn)).toBe('RUNNING');
    expect(ecsOperations).not.toContain('StopTask');
    await journal.close();
  });

  it('contain mode: evidence, ENI isolated, session denied, stop waits for a human; release restores', async () => {
    const { taskArn, eni } = await runTask();
    const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
    const { responder, journal } = await engine();
    const result = await responder.respond(findingFor(taskArn, 'ecs-contain-1'));
    const o = result.outcomes.find((x) => x.subject.kind === 'ecs-task')!;
    expect(Object.fromEntries(o.steps.map((s) => [s.stepId, s.status])), JSON.stringify(o.steps.map((s) => s.error))).toEqual({
      'capture-evidence': 'done',
      'isolate-network': 'done',
      'deny-task-session': 'done',
      'stop-task': 'awaiting-approval',
    });
    // Containment done; the destructive stop waits for a human without holding the incident's status back.
    expect(o.status).toBe('contained');
    expect(await eniGroups(eni)).toEqual([await isolationGroupId()]);
    expect((await rolePolicies()).map(([n]) => n)).toEqual([denyTaskPolicyName(taskId)]);
    expect(taskStatus(taskArn)).toBe('RUNNING');

    const released = await responder.release(o.incidentId, { by: 'dana', reason: 'test' });
    expect(released.incident.status).toBe('released');
    expect(await eniGroups(eni)).toEqual([fx.appGroupId]);
    expect(await rolePolicies()).toEqual([]);
    await journal.close();
  });
});
