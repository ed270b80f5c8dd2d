/**
 * Every file in samples/ (GuardDuty input with provenance, see samples/SOURCES.md) read through the public API, with
 * the expected subjects: kinds and ids, roles, ENIs and security groups, principals and AI reasons.
 * A new sample file must get an entry here.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Ec2InstanceSubject, Finding, GuardDutyRecord, Subject } from '../../../src/findings/model.js';
import { readFindings } from '../../../src/findings/read-input.js';

const ROOT = fileURLToPath(new URL('../../../samples/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `kind id [role] [derived] {ai codes} <ENIs with SGs>` — compact and exact. */
function subjectLine(s: Subject): string {
  let line = `${s.kind} ${s.id}`;
  if (s.role !== undefined && s.role !== 'TARGET') line += ` (${s.role})`;
  if (s.derived === true) line += ' derived';
  if (s.ai.isAi) line += ` {${s.ai.reasons.map((r) => r.code).join(',')}}`;
  if (s.kind === 'ec2-instance') line += ` <${(s as Ec2InstanceSubject).details.networkInterfaces.map((n) => `${n.networkInterfaceId}:${n.securityGroups.map((g) => g.groupId).join('+')}`).join(' ')}>`;
  return line;
}

function summary(r: GuardDutyRecord): string[] {
  const head = r.kind === 'finding' ? `${r.type.raw}${r.sample ? ' SAMPLE' : ''}` : `scan ${r.scanResultStatus}`;
  return [head, ...r.subjects.map(subjectLine)];
}

const P4D = 'i-0f1e2d3c4b5a69788';
const P4D_ENIS = '<eni-0a11b22c33d44e55f:sg-0a1b2c3d4e5f60718+sg-0f9e8d7c6b5a40312 eni-0b66c77d88e99f00a:sg-0c3d4e5f6a7b8c9d0>';
const LAB39 = ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'ec2-instance i-00aa97663294ffbbd <eni-0b2a816e2859d3b70:sg-2f266b2f>'];
const TOR = ['UnauthorizedAccess:IAMUser/TorIPCaller SAMPLE', 'access-key GeneratedFindingAccessKeyId', 'iam-user GeneratedFindingUserName'];
const GPU_MINING = ['CryptoCurrency:EC2/BitcoinTool.B!DNS', `ec2-instance ${P4D} {accelerator-instance,ml-artifact,ai-tag} ${P4D_ENIS}`];
const DT_SCAN = ['scan THREATS_FOUND', 'malware-scan-object bucketName/objectKey'];

const EXPECTED: Record<string, string[][]> = {
  'arrays/eventbridge-events.array.json': [LAB39, TOR, GPU_MINING, DT_SCAN],
  'cli/get-findings.gpu-p4d-bitcointool-dns.json': [GPU_MINING],
  'events/AttackSequence-IAM-CompromisedCredentials.eventbridge.json': [['AttackSequence:IAM/CompromisedCredentials', 'attack-sequence 8c258d654378414b9bc26f61a93eb816']],
  'events/CredentialAccess-RDS-AnomalousBehavior.SuccessfulLogin.eventbridge.json': [['CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin SAMPLE', 'rds-instance GeneratedFindingDBInstanceId']],
  'events/CryptoCurrency-EC2-BitcoinTool.B-DNS.lab39.eventbridge.json': [LAB39],
  'events/CryptoCurrency-EC2-BitcoinTool.B.eventbridge.json': [['CryptoCurrency:EC2/BitcoinTool.B SAMPLE', 'ec2-instance i-99999999 <eni-bfcffe88:GeneratedFindingSecurityId>']],
  'events/Execution-Kubernetes-ExecInKubeSystemPod.eventbridge.json': [
    [
      'Execution:Kubernetes/ExecInKubeSystemPod SAMPLE',
      'eks-cluster GeneratedFindingEKSClusterName',
      'k8s-workload GeneratedFindingEKSClusterName/GeneratedFindingKubernetesWorkloadNamespace/GeneratedFindingKubernetesWorkloadName',
      'k8s-user GeneratedFindingEKSClusterName/GeneratedFindingUserName (ACTOR)',
    ],
  ],
  // The sample's unrelated instanceDetails (i-99999999) must not become a subject.
  'events/Impact-S3-MaliciousIPCaller.eventbridge.json': [
    ['Impact:S3/MaliciousIPCaller SAMPLE', 's3-bucket bucketName', 'access-key GeneratedFindingAccessKeyId (ACTOR)', 'iam-user GeneratedFindingUserName (ACTOR)'],
  ],
  'events/MalwareProtection-S3-ObjectScanResult.eventbridge.json': [DT_SCAN],
  'events/Policy-IAMUser-RootCredentialUsage.eventbridge.json': [['Policy:IAMUser/RootCredentialUsage', 'access-key ASIAJZ3DXJKMP7MG3EKA', 'root 973743533182']],
  'events/PrivilegeEscalation-Runtime-DockerSocketAccessed.eventbridge.json': [
    ['PrivilegeEscalation:Runtime/DockerSocketAccessed', 'container abcd1234', 'ec2-instance i-abcd1234 <eni-abcd1234:sg-abcd1234+sg-abcd1234>'],
  ],
  'events/UnauthorizedAccess-IAMUser-TorIPCaller.eventbridge.json': [TOR],
  'synthesized/AttackSequence-EC2-CompromisedInstanceGroup.gpu-fleet.SYNTHESIZED.json': [
    [
      'AttackSequence:EC2/CompromisedInstanceGroup',
      'attack-sequence seq-4c1f7e2a-9b3d-4e5f-8a6b-7c8d9e0f1a2b',
      `ec2-instance ${P4D} {accelerator-instance,ai-tag} <eni-0a11b22c33d44e55f:sg-0a1b2c3d4e5f60718 eni-0b66c77d88e99f00a:>`,
      'ec2-instance i-0f1e2d3c4b5a69799 {accelerator-instance,ai-tag} <eni-0c77d88e99f00a1b2:>',
      'access-key ASIA3XFRBF23EXAMPLE7 (ACTOR)',
      'iam-role-session AROA3XFRBF23EXAMPLE1:i-0f1e2d3c4b5a69788 (ACTOR)',
    ],
  ],
  'synthesized/Backdoor-EC2-CCActivity.B.gpu-p4d.SYNTHESIZED.json': [['Backdoor:EC2/C&CActivity.B', `ec2-instance ${P4D} {accelerator-instance,ml-artifact,ai-tag} ${P4D_ENIS}`]],
  'synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json': [GPU_MINING],
  'synthesized/CryptoCurrency-Lambda-BitcoinTool.B.SYNTHESIZED.json': [
    ['CryptoCurrency:Lambda/BitcoinTool.B', 'lambda-function arn:aws:lambda:us-east-1:111122223333:function:bedrock-agent-action-group {bedrock,bedrock,ai-tag}'],
  ],
  'synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json': [
    [
      'Impact:IAMUser/AnomalousModelInvocation',
      'access-key AKIAIOSFODNN7EXAMPLE {ai-protection-type,bedrock,model-details}',
      'iam-user ci-deploy-user {ai-protection-type,bedrock,model-details}',
      'bedrock-model arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 {ai-protection-type,bedrock,model-details}',
    ],
  ],
  'synthesized/Impact-IAMUser-CostHarvesting.SYNTHESIZED.json': [
    [
      'Impact:IAMUser/CostHarvesting',
      'access-key ASIA3XFRBF23EXAMPLE8 {ai-protection-type,bedrock,model-details}',
      'iam-role-session AROA3XFRBF23EXAMPLE2:chat-backend {ai-protection-type,bedrock,model-details}',
      'bedrock-model arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 {ai-protection-type,bedrock,model-details}',
      'bedrock-model arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0 {ai-protection-type,bedrock,model-details}',
    ],
  ],
  'synthesized/Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json': [
    ['Impact:IAMUser/PromptInjection.Direct', 'access-key AKIAIOSFODNN7EXAMPLE {ai-protection-type,bedrock,guardrail}', 'iam-user ci-deploy-user {ai-protection-type,bedrock,guardrail}'],
  ],
  'synthesized/Impact-Runtime-CryptoMinerExecuted.ecs-fargate.SYNTHESIZED.json': [
    [
      'Impact:Runtime/CryptoMinerExecuted',
      'ecs-cluster arn:aws:ecs:us-east-1:111122223333:cluster/inference-prod {ai-tag}',
      'ecs-task arn:aws:ecs:us-east-1:111122223333:task/inference-prod/4f9c2b7e1a0d4e6f8b3c5d7e9f1a2b3c {ml-artifact}',
      'container 4f9c2b7e1a0d4e6f8b3c5d7e9f1a2b3c-2785719306 {ml-artifact}',
    ],
  ],
  'synthesized/MalwareProtection-S3-ObjectScanResult.model-artifact.SYNTHESIZED.json': [['scan THREATS_FOUND', 'malware-scan-object ml-model-artifacts-111122223333/models/llm-v3/model.pkl {ml-artifact}']],
  'synthesized/Object-S3-MaliciousFile.SYNTHESIZED.json': [
    ['Object:S3/MaliciousFile', 's3-bucket ml-model-artifacts-111122223333', 's3-object ml-model-artifacts-111122223333/models/llm-v3/model.pkl {ml-artifact}'],
  ],
  'synthesized/PrivilegeEscalation-Kubernetes-WorkloadDeployed-PrivilegedContainer.eks-gpu.SYNTHESIZED.json': [
    [
      'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
      'eks-cluster genai-inference {ai-tag}',
      'k8s-workload genai-inference/ml-serving/triton-debug {ml-artifact}',
      'k8s-user genai-inference/arn:aws:sts::111122223333:assumed-role/eks-ci-deployer/ci-session-8812 (ACTOR)',
    ],
  ],
  'synthesized/UnauthorizedAccess-IAMUser-InstanceCredentialExfiltration.OutsideAWS.gpu-p4d.SYNTHESIZED.json': [
    [
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      'access-key ASIA3XFRBF23EXAMPLE7 {bedrock}',
      `iam-role-session AROA3XFRBF23EXAMPLE1:${P4D} {bedrock}`,
      `ec2-instance ${P4D} derived {bedrock} <>`,
    ],
  ],
  'synthesized/UnauthorizedAccess-IAMUser-MaliciousIPCaller.FederatedUser.SYNTHESIZED.json': [
    ['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'access-key ASIA3XFRBF23EXAMPLE9 {bedrock}', 'federated-user 111122223333:data-scientist-alice {bedrock}'],
  ],
};

const EXPORTS = ['exports/elastic-sample-findings-part1.jsonl', 'exports/elastic-sample-findings-part1.jsonl.gz'];

async function read(rel: string) {
  const b = await readFindings(join(ROOT, rel));
  expect(b.rejected.map((e) => e.message)).toEqual([]);
  return b.records;
}

describe('samples/', () => {
  it('every sample file has expectations here', () => {
    const found = files(ROOT)
      .map((p) => relative(ROOT, p).split('\\').join('/'))
      .filter((p) => p !== 'SOURCES.md')
      .sort();
    expect(found).toEqual([...Object.keys(EXPECTED), ...EXPORTS].sort());
  });

  it.each(Object.keys(EXPECTED))('%s', async (rel) => {
    const records = await read(rel);
    expect(records.map(summary)).toEqual(EXPECTED[rel]);
  });

  it.each(EXPORTS)('%s: 52 export lines, subjects only from the routed detail objects', async (rel) => {
    const records = await read(rel);
    expect(records).toHaveLength(52);
    expect(records.map((r) => r.source.line)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
    const kinds = new Map<string, number>();
    for (const r of records) for (const s of r.subjects) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
    // 19 `Instance` lines → 19 instances, though 40 lines carry instanceDetails (sample-generator artefacts).
    expect(Object.fromEntries([...kinds].sort())).toEqual({ 'access-key': 26, 'ec2-instance': 19, 'eks-cluster': 13, 'iam-user': 13, 'k8s-user': 13, 'k8s-workload': 2, root: 2, 's3-bucket': 7 });
    expect(records.filter((r) => r.kind === 'finding' && r.sample)).toHaveLength(51);
    expect(summary(records[51]!)).toEqual(['Policy:IAMUser/RootCredentialUsage', 'access-key ASIAJZ3DXJKMP7MG3EKA', 'root 973743533182']);
  });

  it('details of the GPU story: ENI addresses, profile, tags, AI evidence, the derived instance', async () => {
    const [mining] = (await read('synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json')) as Finding[];
    const inst = mining!.subjects[0] as Ec2InstanceSubject;
    expect(inst.details).toMatchObject({ instanceType: 'p4d.24xlarge', iamInstanceProfile: { arn: 'arn:aws:iam::111122223333:instance-profile/gpu-training-node-profile' } });
    expect(inst.details.networkInterfaces.map((n) => [n.networkInterfaceId, n.publicIp, n.privateIpAddress, n.subnetId])).toEqual([
      ['eni-0a11b22c33d44e55f', '203.0.113.10', '10.20.1.37', expect.stringMatching(/^subnet-/)],
      ['eni-0b66c77d88e99f00a', undefined, '10.20.2.37', expect.stringMatching(/^subnet-/)],
    ]);
    expect(inst.ai.reasons).toEqual([
      { code: 'accelerator-instance', detail: 'instance type p4d.24xlarge (family p4d)' },
      { code: 'ml-artifact', detail: 'AMI Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.3 (Amazon Linux 2)' },
      { code: 'ai-tag', detail: 'tag ai-workload=training (rule ai-workload)' },
    ]);
    expect(mining!.associatedAttackSequenceArn).toMatch(/^arn:aws:guardduty:/);

    const [exfil] = (await read('synthesized/UnauthorizedAccess-IAMUser-InstanceCredentialExfiltration.OutsideAWS.gpu-p4d.SYNTHESIZED.json')) as Finding[];
    expect(exfil!.subjects[1]!.details).toMatchObject({ roleName: expect.any(String), roleId: 'AROA3XFRBF23EXAMPLE1', sessionName: P4D });
    expect(exfil!.subjects[2]).toMatchObject({ kind: 'ec2-instance', id: P4D, derived: true, derivedFrom: '.resource.accessKeyDetails.principalId' });
    expect(exfil!.actor).toMatchObject({ remoteIp: '198.51.100.23', serviceName: 'bedrock.amazonaws.com', accessKeyId: 'ASIA3XFRBF23EXAMPLE7', principal: `AROA3XFRBF23EXAMPLE1:${P4D}` });

    const [cli] = (await read('cli/get-findings.gpu-p4d-bitcointool-dns.json')) as Finding[];
    expect(cli!.subjects).toEqual(mining!.subjects);
    expect(cli!.original).toBeDefined();
  });
});
