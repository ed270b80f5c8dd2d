/**
 * `tourniquet drill <kind> <id>` against moto_server for every kind: the drill reads the real resource, its finding
 * parses to the right subject, and it drives the policy and playbook to the same plan as a real finding of that type
 * (the repository's sample of the type, whose plan has the same playbook, steps and effects). `--send` puts it on
 * EventBridge where a rule for the drill source delivers it.
 */
import { CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CreateImageCommand, CreateSnapshotCommand, CreateVolumeCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateClusterCommand as CreateEksClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IAMClient } from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { selectForSubject } from '../../src/engine/decide.js';
import { parseRecord } from '../../src/findings/read-input.js';
import type { Finding, Subject } from '../../src/findings/model.js';
import { builtInPolicy } from '../../src/policy/built-in-policy.js';
import { findPlaybook } from '../../src/playbooks/playbook-list.js';
import { testClientConfig } from '../support/aws-clients.js';
import { runCli } from '../support/run-cli.js';

let moto: MotoServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  moto = await startMotoServer();
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const cfg = testClientConfig(moto.endpoint);
  const ec2 = new EC2Client(cfg);
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0]!.ImageId!;
  const run = await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: 'p4d.24xlarge', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'workload', Value: 'llm-training' }] }] }));
  ids['ec2'] = run.Instances![0]!.InstanceId!;
  const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
  ids['snapshot'] = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId! }))).SnapshotId!;
  ids['ami'] = (await ec2.send(new CreateImageCommand({ InstanceId: ids['ec2'], Name: 'model-server-image' }))).ImageId!;
  const rds = new RDSClient(cfg);
  await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'vector-store', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', MasterUsername: 'admin1', MasterUserPassword: 'not-a-real-password-1', AllocatedStorage: 20 }));
  ids['rds'] = 'vector-store';
  rds.destroy();
  const iam = new IAMClient(cfg);
  await iam.send(new CreateUserCommand({ UserName: 'ml-pipeline' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'ml-pipeline' }));
  ids['iam-user'] = 'ml-pipeline';
  const role = await iam.send(new CreateRoleCommand({ RoleName: 'inference-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
  ids['role-session'] = 'inference-role:stolen-session';
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'model-weights-drill' }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'model-weights-drill', VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: 'model-weights-drill', Tagging: { TagSet: [{ Key: 'ai-workload', Value: 'training' }] } }));
  await s3.send(new PutObjectCommand({ Bucket: 'model-weights-drill', Key: 'models/llm/model.pkl', Body: 'not really a pickle' }));
  ids['s3-bucket'] = 'model-weights-drill';
  ids['s3-object'] = 'model-weights-drill/models/llm/model.pkl';
  const lambda = new LambdaClient(cfg);
  const zip = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64'); // an empty zip archive: creating a function runs nothing
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'rag-retriever', Runtime: 'nodejs22.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: { ZipFile: zip }, Tags: { workload: 'rag' } }));
  ids['lambda'] = 'rag-retriever';
  const eks = new EKSClient(cfg);
  await eks.send(new CreateEksClusterCommand({ name: 'genai-inference', roleArn: role.Role!.Arn!, resourcesVpcConfig: { subnetIds: [] }, tags: { workload: 'llm-serving' } }));
  ids['eks'] = 'genai-inference/ml-serving/triton-0';
  const sagemaker = new SageMakerClient(cfg);
  await sagemaker.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'research-notebook', InstanceType: 'ml.t3.medium', RoleArn: role.Role!.Arn! }));
  ids['notebook'] = 'research-notebook';
  eks.destroy();
  sagemaker.destroy();
  const ecs = new ECSClient(cfg);
  await ecs.send(new CreateClusterCommand({ clusterName: 'inference' }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'vllm', containerDefinitions: [{ name: 'vllm', image: 'vllm/vllm-openai:latest', memory: 512 }] }));
  const task = await ecs.send(new RunTaskCommand({ cluster: 'inference', taskDefinition: 'vllm', launchType: 'FARGATE', count: 1 }));
  ids['ecs-task'] = `inference/${task.tasks![0]!.taskArn!.split('/').pop()!}`;
  for (const c of [ec2, iam, s3, lambda, ecs]) c.destroy();
}, 120_000);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  await moto?.stop();
});

function sample(file: string): Finding {
  const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return parseRecord(v, { name: file }) as Finding;
}

/** The plan a finding gets for its subject of `kind` under the built-in policy: playbook, step ids and effects. */
function planShape(finding: Finding, kind: string): { playbook: string; steps: string[] } {
  const subject = finding.subjects.find((s) => s.kind === kind) as Subject;
  const selection = selectForSubject(builtInPolicy(), finding, subject);
  const plan = findPlaybook(selection.playbook)!.plan(finding, subject, selection.options);
  return { playbook: plan.playbook, steps: plan.steps.map((s) => `${s.id}:${s.effect}`) };
}

const CASES: Array<{ kind: string; subjectKind: string; subjectId: (id: string) => string; sample: string | { playbook: string }; args?: string[] }> = [
  { kind: 'ec2', subjectKind: 'ec2-instance', subjectId: (id) => id, sample: 'samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json' },
  { kind: 'iam-user', subjectKind: 'iam-user', subjectId: (id) => id, sample: 'samples/synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json' },
  // A stolen chat-backend session used for Bedrock: the sample of the type is a session that is not an instance's.
  { kind: 'role-session', subjectKind: 'iam-role-session', subjectId: (id) => id.split(':')[1]!, sample: 'samples/synthesized/Impact-IAMUser-CostHarvesting.SYNTHESIZED.json', args: ['--type', 'Impact:IAMUser/CostHarvesting'] },
  { kind: 's3-bucket', subjectKind: 's3-bucket', subjectId: (id) => id, sample: 'samples/events/Impact-S3-MaliciousIPCaller.eventbridge.json' },
  { kind: 's3-object', subjectKind: 's3-object', subjectId: (id) => id, sample: 'samples/synthesized/Object-S3-MaliciousFile.SYNTHESIZED.json' },
  { kind: 'lambda', subjectKind: 'lambda-function', subjectId: () => 'rag-retriever', sample: 'samples/synthesized/CryptoCurrency-Lambda-BitcoinTool.B.SYNTHESIZED.json' },
  { kind: 'rds', subjectKind: 'rds-instance', subjectId: (id) => id, sample: 'samples/events/CredentialAccess-RDS-AnomalousBehavior.SuccessfulLogin.eventbridge.json' },
  // No public or synthesized sample of these types: the plan is the scan-artefact playbook's.
  { kind: 'snapshot', subjectKind: 'ebs-snapshot', subjectId: (id) => id, sample: { playbook: 'malware-scan-artefact' } },
  { kind: 'ami', subjectKind: 'ec2-image', subjectId: (id) => id, sample: { playbook: 'malware-scan-artefact' } },
  { kind: 'eks', subjectKind: 'eks-cluster', subjectId: (id) => id.split('/')[0]!, sample: 'samples/events/Execution-Kubernetes-ExecInKubeSystemPod.eventbridge.json' },
  { kind: 'notebook', subjectKind: 'sagemaker-notebook', subjectId: (id) => id, sample: { playbook: 'sagemaker-notebook' } },
  { kind: 'ecs-task', subjectKind: 'ecs-task', subjectId: (id) => id.split('/')[1]!, sample: 'samples/synthesized/Impact-Runtime-CryptoMinerExecuted.ecs-fargate.SYNTHESIZED.json' },
];

describe('drills for every kind', () => {
  it.each(CASES)('$kind: the real resource becomes a drill finding with the right subject and the plan a real finding gets', async (c) => {
    const out = await runCli(['drill', c.kind, ids[c.kind]!, '--region', 'us-east-1', ...(c.args ?? [])]);
    expect(out.err).toBe('');
    expect(out.code).toBe(0);
    const finding = parseRecord(JSON.parse(out.out) as unknown, { name: 'drill' }) as Finding;
    expect(finding.title).toMatch(/^\[DRILL\] /);
    expect(finding.sample).toBe(false);
    const subject = finding.subjects.find((s) => s.kind === c.subjectKind);
    expect(subject?.id ?? finding.subjects.map((s) => `${s.kind}:${s.id}`).join(', ')).toContain(c.subjectId(ids[c.kind]!));
    if (typeof c.sample === 'string') expect(planShape(finding, c.subjectKind)).toEqual(planShape(sample(c.sample), c.subjectKind));
    else expect(planShape(finding, c.subjectKind).playbook).toBe(c.sample.playbook);
  });

  it('--type takes any catalogued type of the kind and refuses others with a one-line reason', async () => {
    const ok = await runCli(['drill', 'iam-user', 'ml-pipeline', '--type', 'Impact:IAMUser/CostHarvesting', '--region', 'us-east-1']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as { type: string }).type).toBe('Impact:IAMUser/CostHarvesting');
    const wrong = await runCli(['drill', 'iam-user', 'ml-pipeline', '--type', 'CryptoCurrency:EC2/BitcoinTool.B', '--region', 'us-east-1']);
    expect(wrong.code).toBe(2);
    expect(wrong.err.trim()).toMatch(/^tourniquet: --type CryptoCurrency:EC2\/BitcoinTool\.B is about EC2 resources, not a iam-user drill/);
    const kind = await runCli(['drill', 'lamda', 'x', '--region', 'us-east-1']);
    expect(kind.err.trim()).toContain('did you mean lambda?');
    const missing = await runCli(['drill', 'iam-user', 'nobody-here', '--region', 'us-east-1']);
    expect(missing.code).not.toBe(0);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
  });

  it('--send puts the drill on EventBridge with the drill source, where a rule delivers it', async () => {
    const cfg = testClientConfig(moto.endpoint);
    const sqs = new SQSClient(cfg);
    const events = new EventBridgeClient(cfg);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'drills' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    await events.send(new PutRuleCommand({ Name: 'tourniquet-drills', EventPattern: JSON.stringify({ source: ['tourniquet.drill'], 'detail-type': ['GuardDuty Finding'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'tourniquet-drills', Targets: [{ Id: 'q', Arn: queueArn }] }));
    const sent = await runCli(['drill', 's3-bucket', 'model-weights-drill', '--send', '--region', 'us-east-1']);
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/^drill finding [0-9a-f]{32} \(Exfiltration:S3\/AnomalousBehavior\) sent as event \S+/);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }));
    const event = JSON.parse(got.Messages![0]!.Body!) as { source: string; detail: unknown };
    expect(event.source).toBe('tourniquet.drill');
    const finding = parseRecord(event, { name: 'event' }) as Finding;
    expect(finding.subjects.map((s) => `${s.kind}:${s.id}`)).toContain('s3-bucket:model-weights-drill');
    sqs.destroy();
    events.destroy();
  });
});
