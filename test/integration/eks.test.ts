/**
 * The `eks` playbook against moto_server (EKS DescribeCluster is implemented there): the synthesized privileged-pod
 * finding, pointed at a cluster created in moto, gives one incident per cluster, workload and user; the evidence step
 * stores the cluster as EKS describes it and the finding's workload/user facts. Observe mode makes zero mutating
 * calls. A Runtime finding that names the node instance also gets an `ec2-instance` incident (the EC2 playbook).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { ActionContext } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import type { AwsClients, CallRecord } from '../../src/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { createResponder } from '../../src/engine/create-responder.js';
import type { Finding, Subject } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { MemoryNotifier } from '../../src/notify/notification.js';
import { eksPlaybook } from '../../src/playbooks/eks.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { makeTestClients, TEST_ACCOUNT_ID, TEST_REGION } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { isReadOnlyOperation } from '../support/engine-harness.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const SAMPLE = 'samples/synthesized/PrivilegeEscalation-Kubernetes-WorkloadDeployed-PrivilegedContainer.eks-gpu.SYNTHESIZED.json';
const CLUSTER = 'genai-inference';
let moto: MotoServer;
let currentAction = '';

function finding(id: string, extra: (d: Record<string, unknown>) => void = () => {}): Finding {
  const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { detail: Record<string, unknown> };
  const d = raw.detail;
  d['accountId'] = TEST_ACCOUNT_ID;
  d['id'] = id;
  d['arn'] = `arn:aws:guardduty:us-east-1:${TEST_ACCOUNT_ID}:detector/d1/finding/${id}`;
  extra(d);
  const rec = parseRecord(raw, { name: 'test-eks' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

async function engine(policy = 'version: 1\ndefaults: { mode: approve }\n') {
  const journal = await openJournal({});
  await journal.ensureTable();
  const calls: CallRecord[] = [];
  const notifier = new MemoryNotifier();
  const responder = createResponder({
    journal,
    notifier,
    policy: parsePolicy(policy, 'test-policy.yaml'),
    endpoint: moto.endpoint,
    evidence: { dir: await mkdtemp(join(tmpdir(), 'tourniquet-eks-')) },
    onCall: (c) => calls.push(c),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return { responder, journal, calls, notifier };
}

beforeAll(async () => {
  moto = await startMotoServer();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION });
  await makeTestClients(moto.endpoint)
    .aws(EKSClient)
    .send(
      new CreateClusterCommand({
        name: CLUSTER,
        roleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/eks-cluster-role`,
        resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d'], endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      }),
    );
});

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/eks.test.ts against moto_server');
});

describe('eks playbook against moto', () => {
  it('capture-evidence stores DescribeCluster and the workload facts', async () => {
    const f = finding('eks-action-1');
    const workload = f.subjects.find((s) => s.kind === 'k8s-workload')!;
    const clients: AwsClients = makeTestClients(moto.endpoint);
    recordAwsCalls(clients, () => currentAction);
    const evidence = memoryEvidence();
    const plan = eksPlaybook.plan(f, workload, {});
    expect(plan.steps.map((s) => s.id)).toEqual(['capture-evidence']);
    const action = getAction(plan.steps[0]!.action);
    currentAction = action.name;
    const ctx: ActionContext = { clients, incidentId: 'case-eks', caseId: 'case-eks', subject: workload as Subject, evidence, now: () => new Date(), actor: 'test', stepId: 'capture-evidence' };
    const input = action.parseInput(plan.steps[0]!.input, ctx);
    const out = (await action.apply(input, await action.capture(input, ctx), ctx)) as { status: string; publicAccessCidrs: string[]; evidence: string[] };
    currentAction = '';
    expect(out.evidence).toEqual([`eks/${CLUSTER}/describe-cluster.json`, `eks/${CLUSTER}/subject-k8s-workload.json`]);
    expect(out.publicAccessCidrs).toEqual(['0.0.0.0/0']);
    expect(JSON.stringify(evidence.items.get(`eks/${CLUSTER}/describe-cluster.json`))).toContain(`"name":"${CLUSTER}"`);
    expect(evidence.items.get(`eks/${CLUSTER}/subject-k8s-workload.json`)).toMatchObject({ details: { namespace: 'ml-serving', workloadName: 'triton-debug', hostPID: true } });
  });

  it('a cluster EKS does not know: the step fails with one clear line', async () => {
    const f = finding('eks-action-2', (d) => {
      ((d['resource'] as Record<string, unknown>)['eksClusterDetails'] as Record<string, unknown>)['name'] = 'gone';
    });
    const cluster = f.subjects.find((s) => s.kind === 'eks-cluster')!;
    const clients = makeTestClients(moto.endpoint);
    const action = getAction('eks.capture-cluster-evidence');
    const ctx: ActionContext = { clients, incidentId: 'c', caseId: 'c', subject: cluster as Subject, evidence: memoryEvidence(), now: () => new Date(), actor: 'test', stepId: 'capture-evidence' };
    const input = action.parseInput({}, ctx);
    await expect(action.apply(input, await action.capture(input, ctx), ctx)).rejects.toThrow(/capture-evidence: eks\.capture-cluster-evidence: cluster gone is not known to EKS in us-east-1/);
  });
});

describe('eks through the engine', () => {
  it('one incident per cluster, workload and user; observe mode makes zero mutating calls', async () => {
    const { responder, calls, journal } = await engine();
    const result = await responder.respond(finding('eks-observe-1'), 'observe');
    expect(result.outcomes.map((o) => [o.subject.kind, o.decision.playbook, o.status])).toEqual([
      ['eks-cluster', 'eks', 'observed'],
      ['k8s-workload', 'eks', 'observed'],
      ['k8s-user', 'eks', 'observed'],
    ]);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    await journal.close();
  });

  it('approve mode: the evidence step runs (a read) for each incident; the notification carries the kubectl steps', async () => {
    const { responder, journal, notifier } = await engine();
    const result = await responder.respond(finding('eks-approve-1'));
    for (const o of result.outcomes) expect(o.steps.map((s) => [s.stepId, s.status]), o.subject.kind).toEqual([['capture-evidence', 'done']]);
    const workload = notifier.sent.find((n) => n.subject.kind === 'k8s-workload')!;
    expect(workload.manualSteps!.map((m) => m.id)).toEqual(['kubeconfig', 'isolate-pod', 'cordon-node']);
    expect(workload.manualSteps![1]!.commands![0]).toMatch(/^kubectl -n 'ml-serving' label pod 'triton-debug' 'tourniquet\.io\/quarantine=tq-[0-9a-f]{16}' --overwrite$/);
    const user = notifier.sent.find((n) => n.subject.kind === 'k8s-user')!;
    expect(user.manualSteps!.map((m) => m.id)).toEqual(['kubeconfig', 'remove-rogue-binding']);
    // Journaled with the plan: `show` prints them too.
    const incident = await journal.getIncident(result.outcomes.find((o) => o.subject.kind === 'k8s-workload')!.incidentId);
    expect(incident!.plan.manualSteps!.map((m) => m.id)).toEqual(['kubeconfig', 'isolate-pod', 'cordon-node']);
    await journal.close();
  });

  it('a Runtime finding naming the node instance: the instance gets its own ec2-instance incident (EC2 playbook)', async () => {
    const f = finding('eks-runtime-1', (d) => {
      d['type'] = 'Execution:Runtime/ReverseShell';
      (d['resource'] as Record<string, unknown>)['instanceDetails'] = { instanceId: 'i-0a1b2c3d4e5f60718', instanceType: 'g5.2xlarge', networkInterfaces: [] };
      (d['service'] as Record<string, unknown>)['featureName'] = 'RuntimeMonitoring';
    });
    const { responder, journal } = await engine();
    const planned = responder.plan(f, 'observe');
    expect(planned.map((p) => [p.subject.kind, p.plan.playbook])).toEqual([
      ['eks-cluster', 'eks'],
      ['k8s-workload', 'eks'],
      ['k8s-user', 'eks'],
      ['ec2-instance', 'ec2-instance'],
    ]);
    const workloadPlan = planned.find((p) => p.subject.kind === 'k8s-workload')!.plan;
    expect(workloadPlan.steps[0]!.input).toMatchObject({ clusterName: CLUSTER, node: { instanceId: 'i-0a1b2c3d4e5f60718', instanceType: 'g5.2xlarge' } });
    await journal.close();
  });
});
