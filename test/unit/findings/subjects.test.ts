import { describe, expect, it } from 'vitest';
import type { Ec2InstanceSubject, Finding, Subject } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { ACCOUNT, accessKeyFinding, finding, instanceDetails, type JsonObj } from './finding-fixtures.js';

const src = { name: 'subjects' };

function parse(f: JsonObj): Finding {
  return parseRecord(f, src) as Finding;
}

function kinds(f: Finding): Array<[string, string]> {
  return f.subjects.map((s) => [s.kind, s.id]);
}

function byKind(f: Finding, kind: Subject['kind']): Subject {
  const s = f.subjects.find((x) => x.kind === kind);
  expect(s, kind).toBeDefined();
  return s!;
}

describe('routing by type first: sample artefacts do not become subjects', () => {
  it('an S3 finding carrying instanceDetails yields buckets and the caller, no instance', () => {
    const f = parse(
      finding(
        { type: 'Impact:S3/MaliciousIPCaller' },
        {
          resourceType: 'S3Bucket',
          accessKeyDetails: { accessKeyId: 'AKIAEXAMPLE', principalId: 'AIDAEXAMPLE', userName: 'alice', userType: 'IAMUser' },
          s3BucketDetails: [{ name: 'data-lake', arn: 'arn:aws:s3:::data-lake', type: 'Destination', createdAt: 1513612691.551, publicAccess: { effectivePermission: 'NOT_PUBLIC' }, tags: [{ key: 'foo', value: 'bar' }] }],
          instanceDetails: instanceDetails({ instanceId: 'i-99999999' }),
        },
      ),
    );
    expect(kinds(f)).toEqual([
      ['s3-bucket', 'data-lake'],
      ['access-key', 'AKIAEXAMPLE'],
      ['iam-user', 'alice'],
    ]);
    expect(byKind(f, 's3-bucket')).toMatchObject({
      arn: 'arn:aws:s3:::data-lake',
      role: 'TARGET',
      tags: [{ key: 'foo', value: 'bar' }],
      details: { bucketName: 'data-lake', type: 'Destination', createdAt: '2017-12-18T15:58:11.551Z', effectivePermission: 'NOT_PUBLIC' },
    });
    expect(byKind(f, 'access-key').role).toBe('ACTOR');
    expect(byKind(f, 'iam-user').role).toBe('ACTOR');
  });

  it('an IAM finding carrying instanceDetails and s3BucketDetails yields only the credential', () => {
    const f = parse(
      accessKeyFinding(
        { accessKeyId: 'ASIAJZ3DXJKMP7MG3EKA', principalId: ACCOUNT, userName: 'Root', userType: 'Root' },
        { type: 'Policy:IAMUser/RootCredentialUsage' },
        { s3BucketDetails: [{ name: 'x' }], instanceDetails: instanceDetails() },
      ),
    );
    expect(kinds(f)).toEqual([
      ['access-key', 'ASIAJZ3DXJKMP7MG3EKA'],
      ['root', ACCOUNT],
    ]);
    expect(byKind(f, 'access-key').details).toMatchObject({ temporary: true, userType: 'Root' });
  });
});

describe('credentials by userType', () => {
  it('IAMUser → access-key + iam-user', () => {
    const f = parse(accessKeyFinding({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', principalId: 'AIDAIOSFODNN7EXAMPLE', userName: 'ci-deploy', userType: 'IAMUser' }));
    expect(kinds(f)).toEqual([
      ['access-key', 'AKIAIOSFODNN7EXAMPLE'],
      ['iam-user', 'ci-deploy'],
    ]);
    expect(byKind(f, 'access-key').details).toMatchObject({ temporary: false, principalId: 'AIDAIOSFODNN7EXAMPLE' });
    expect(f.actor).toEqual({
      remoteIp: '198.51.100.23',
      asn: '64496',
      asnOrg: 'EXAMPLE-ASN',
      country: 'RO',
      api: 'ListBuckets',
      serviceName: 's3.amazonaws.com',
      userAgent: 'aws-cli/2.15.0',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      principal: 'AIDAIOSFODNN7EXAMPLE',
    });
  });

  it('AssumedRole with an instance-id session → role session + derived instance without ENIs', () => {
    const f = parse(accessKeyFinding({ accessKeyId: 'ASIA1', principalId: 'AROAEXAMPLE:i-0123456789abcdef0', userName: 'gpu-node-role', userType: 'AssumedRole' }));
    expect(kinds(f)).toEqual([
      ['access-key', 'ASIA1'],
      ['iam-role-session', 'AROAEXAMPLE:i-0123456789abcdef0'],
      ['ec2-instance', 'i-0123456789abcdef0'],
    ]);
    expect(byKind(f, 'iam-role-session').details).toMatchObject({ roleName: 'gpu-node-role', roleId: 'AROAEXAMPLE', sessionName: 'i-0123456789abcdef0' });
    const inst = byKind(f, 'ec2-instance') as Ec2InstanceSubject;
    expect(inst.derived).toBe(true);
    expect(inst.derivedFrom).toBe('.resource.accessKeyDetails.principalId');
    expect(inst.details).toEqual({ instanceId: 'i-0123456789abcdef0', networkInterfaces: [] });
  });

  it('AssumedRole whose session instance matches instanceDetails → derived instance with its ENIs', () => {
    const f = parse(
      accessKeyFinding(
        { accessKeyId: 'ASIA1', principalId: 'AROAEXAMPLE:i-0123456789abcdef0', userName: 'r', userType: 'AssumedRole' },
        {},
        { instanceDetails: instanceDetails({ instanceType: 'p5.48xlarge' }) },
      ),
    );
    const inst = byKind(f, 'ec2-instance') as Ec2InstanceSubject;
    expect(inst.derived).toBe(true);
    expect(inst.details.networkInterfaces.map((n) => n.networkInterfaceId)).toEqual(['eni-0aaa']);
    expect(inst.ai.reasons[0]).toEqual({ code: 'accelerator-instance', detail: 'instance type p5.48xlarge (family p5)' });
  });

  it('AssumedRole with a non-instance session and instanceDetails of another instance → no instance', () => {
    const f = parse(accessKeyFinding({ accessKeyId: 'ASIA2', principalId: 'AROAEXAMPLE:alice@example.com', userName: 'AmazonSageMaker-ExecutionRole-2024', userType: 'AssumedRole' }, {}, { instanceDetails: instanceDetails() }));
    expect(kinds(f)).toEqual([
      ['access-key', 'ASIA2'],
      ['iam-role-session', 'AROAEXAMPLE:alice@example.com'],
    ]);
    expect(byKind(f, 'iam-role-session').ai.reasons).toEqual([{ code: 'sagemaker', detail: 'principal AmazonSageMaker-ExecutionRole-2024' }]);
  });

  it('FederatedUser → federated-user; unknown userType → key only', () => {
    expect(kinds(parse(accessKeyFinding({ accessKeyId: 'ASIA3', principalId: `${ACCOUNT}:alice`, userName: 'alice', userType: 'FederatedUser' })))).toEqual([
      ['access-key', 'ASIA3'],
      ['federated-user', `${ACCOUNT}:alice`],
    ]);
    expect(kinds(parse(accessKeyFinding({ accessKeyId: 'AKIA4', principalId: 'AROA4', userName: 'eks-role', userType: 'Role' })))).toEqual([['access-key', 'AKIA4']]);
  });

  it('a credential with neither key nor known principal is an error for an IAM finding', () => {
    expect(() => parse(accessKeyFinding({ userType: 'AWSService' }))).toThrow('$.resource.accessKeyDetails.accessKeyId');
  });
});

describe('S3 objects (Malware Protection for S3)', () => {
  it('one s3-object per s3ObjectDetails entry, keyed bucket/key', () => {
    const f = parse(
      finding(
        { type: 'Object:S3/MaliciousFile' },
        {
          resourceType: 'S3Object',
          s3BucketDetails: [
            {
              arn: 'arn:aws:s3:::ml-artifacts',
              s3ObjectDetails: [
                { objectArn: 'arn:aws:s3:::ml-artifacts/models/a.gguf', key: 'models/a.gguf', eTag: 'e1', versionId: 'v1', hash: 'h1' },
                { objectArn: 'arn:aws:s3:::ml-artifacts/readme.txt' },
              ],
            },
          ],
        },
      ),
    );
    expect(kinds(f)).toEqual([
      ['s3-bucket', 'ml-artifacts'],
      ['s3-object', 'ml-artifacts/models/a.gguf'],
      ['s3-object', 'ml-artifacts/readme.txt'],
    ]);
    const obj = f.subjects[1]!;
    expect(obj).toMatchObject({ arn: 'arn:aws:s3:::ml-artifacts/models/a.gguf', details: { bucket: 'ml-artifacts', key: 'models/a.gguf', versionId: 'v1', eTag: 'e1', hash: 'h1' } });
    expect(obj.ai.reasons).toEqual([{ code: 'ml-artifact', detail: 'model file models/a.gguf' }]);
    expect(f.subjects[2]!.ai.isAi).toBe(false);
  });
});

describe('Kubernetes, containers, ECS, Lambda, RDS', () => {
  it('EKS: cluster + workload + user (+ the IAM identity as ACTOR)', () => {
    const f = parse(
      finding(
        { type: 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer' },
        {
          resourceType: 'EKSCluster',
          eksClusterDetails: { name: 'genai', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/genai', vpcId: 'vpc-1', status: 'ACTIVE', createdAt: 1636625755.218, tags: [{ key: 'ai-workload', value: 'inference' }] },
          kubernetesDetails: {
            kubernetesWorkloadDetails: {
              name: 'triton',
              type: 'pods',
              uid: 'u1',
              namespace: 'serving',
              hostPID: true,
              containers: [{ name: 'c', image: 'nvcr.io/nvidia/tritonserver:24.05', securityContext: { privileged: true } }],
            },
            kubernetesUserDetails: { username: 'deployer', uid: 'uid', groups: ['system:masters'] },
          },
          accessKeyDetails: { accessKeyId: 'AKIAK', principalId: 'AROAK', userName: 'eks-admin', userType: 'Role' },
        },
      ),
    );
    expect(kinds(f)).toEqual([
      ['eks-cluster', 'genai'],
      ['k8s-workload', 'genai/serving/triton'],
      ['k8s-user', 'genai/deployer'],
      ['access-key', 'AKIAK'],
    ]);
    expect(byKind(f, 'eks-cluster')).toMatchObject({ arn: 'arn:aws:eks:us-east-1:111122223333:cluster/genai', details: { createdAt: '2021-11-11T10:15:55.218Z', vpcId: 'vpc-1' } });
    expect(byKind(f, 'eks-cluster').ai.reasons).toEqual([{ code: 'ai-tag', detail: 'tag ai-workload=inference (rule ai-workload)' }]);
    expect(byKind(f, 'k8s-workload')).toMatchObject({ details: { namespace: 'serving', workloadType: 'pods', hostPID: true, privileged: true } });
    expect(byKind(f, 'k8s-workload').ai.reasons).toEqual([{ code: 'ml-artifact', detail: 'container image nvcr.io/nvidia/tritonserver:24.05' }]);
    expect(byKind(f, 'k8s-user')).toMatchObject({ role: 'ACTOR', details: { groups: ['system:masters'] } });
    expect(byKind(f, 'access-key').role).toBe('ACTOR');
  });

  it('Runtime on a container: container + its EC2 host', () => {
    const f = parse(
      finding(
        { type: 'PrivilegeEscalation:Runtime/DockerSocketAccessed', service: { featureName: 'RuntimeMonitoring', action: {} } },
        { resourceType: 'Container', containerDetails: { containerRuntime: 'docker', id: 'c0ffee', name: null, image: 'pytorch/pytorch:2.3' }, instanceDetails: instanceDetails() },
      ),
    );
    expect(kinds(f)).toEqual([
      ['container', 'c0ffee'],
      ['ec2-instance', 'i-0123456789abcdef0'],
    ]);
    expect(byKind(f, 'container').ai.reasons).toEqual([{ code: 'ml-artifact', detail: 'container image pytorch/pytorch:2.3' }]);
    expect(f.featureName).toBe('RuntimeMonitoring');
  });

  it('ECS: cluster + task (+ container)', () => {
    const f = parse(
      finding(
        { type: 'Impact:Runtime/CryptoMinerExecuted' },
        {
          resourceType: 'ECSCluster',
          ecsClusterDetails: {
            name: 'inference',
            arn: 'arn:aws:ecs:us-east-1:111122223333:cluster/inference',
            status: 'ACTIVE',
            taskDetails: { arn: 'arn:aws:ecs:us-east-1:111122223333:task/inference/t1', definitionArn: 'arn:td', version: '3', launchType: 'FARGATE', createdAt: 1785578400, containers: [{ name: 'vllm', image: 'vllm/vllm-openai:0.5' }] },
          },
          containerDetails: { id: 't1-1', name: 'vllm', image: 'vllm/vllm-openai:0.5' },
        },
      ),
    );
    expect(kinds(f)).toEqual([
      ['ecs-cluster', 'arn:aws:ecs:us-east-1:111122223333:cluster/inference'],
      ['ecs-task', 'arn:aws:ecs:us-east-1:111122223333:task/inference/t1'],
      ['container', 't1-1'],
    ]);
    expect(byKind(f, 'ecs-task').details).toMatchObject({ launchType: 'FARGATE', createdAt: '2026-08-01T10:00:00.000Z', containers: [{ name: 'vllm', image: 'vllm/vllm-openai:0.5' }] });
  });

  it('Lambda: one function subject with its VPC config', () => {
    const f = parse(
      finding(
        { type: 'CryptoCurrency:Lambda/BitcoinTool.B' },
        {
          resourceType: 'Lambda',
          lambdaDetails: {
            functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:agent-tool',
            functionName: 'agent-tool',
            role: 'arn:aws:iam::111122223333:role/bedrock-agent-role',
            lastModifiedAt: 1785578400.5,
            vpcConfig: { subnetIds: ['subnet-1'], vpcId: 'vpc-1', securityGroups: [{ groupId: 'sg-1', groupName: 'egress' }] },
          },
        },
      ),
    );
    expect(kinds(f)).toEqual([['lambda-function', 'arn:aws:lambda:us-east-1:111122223333:function:agent-tool']]);
    const s = f.subjects[0]!;
    expect(s).toMatchObject({ name: 'agent-tool', details: { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'], lastModifiedAt: '2026-08-01T10:00:00.500Z' } });
    expect(s.ai.reasons).toEqual([{ code: 'bedrock', detail: 'execution role arn:aws:iam::111122223333:role/bedrock-agent-role' }]);
  });

  it('RDS: the DB instance with the login user details', () => {
    const f = parse(
      finding(
        { type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin' },
        {
          resourceType: 'RDSDBInstance',
          rdsDbInstanceDetails: { dbInstanceIdentifier: 'features-db', engine: 'aurora-postgresql', dbInstanceArn: 'arn:aws:rds:us-east-1:111122223333:db:features-db', dbiResourceId: 'db-ABC' },
          rdsDbUserDetails: { user: 'admin', application: 'psql', database: 'features', ssl: 'TLSv1.3', authMethod: 'PASSWORD' },
        },
      ),
    );
    expect(kinds(f)).toEqual([['rds-instance', 'features-db']]);
    expect(f.subjects[0]).toMatchObject({
      arn: 'arn:aws:rds:us-east-1:111122223333:db:features-db',
      details: { engine: 'aurora-postgresql', dbiResourceId: 'db-ABC', dbUser: { user: 'admin', application: 'psql', database: 'features', ssl: 'TLSv1.3', authMethod: 'PASSWORD' } },
    });
  });

  it('Malware Protection for Backup: the scanned snapshot', () => {
    const f = parse(
      finding(
        { type: 'Execution:EC2/MaliciousFile!Snapshot' },
        { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0abc' } },
      ),
    );
    expect(kinds(f)).toEqual([['ebs-snapshot', 'snap-0abc']]);
  });
});

describe('attack sequences', () => {
  const sequence = {
    uid: 'seq-1',
    description: 'sequence',
    actors: [{ id: 'a1', user: { name: 'role', uid: 'AROA:i-0', type: 'AssumedRole', credentialUid: 'ASIA9', account: { uid: ACCOUNT } }, session: { uid: 's', mfaStatus: 'DISABLED' } }],
    resources: [
      { uid: 'i-0f1e2d3c4b5a69788', resourceType: 'EC2_INSTANCE', name: 'node-3', accountId: ACCOUNT, region: 'us-east-1', tags: [{ key: 'Name', value: 'node-3' }], data: { ec2Instance: { instanceType: 'g5.12xlarge', IamInstanceProfile: { arn: 'arn:aws:iam::111122223333:instance-profile/p' }, ec2NetworkInterfaceUids: ['eni-1', 'eni-2'] } } },
      { uid: 'eni-1', resourceType: 'EC2_NETWORK_INTERFACE', data: { ec2NetworkInterface: { subNetId: 'subnet-9', vpcId: 'vpc-9', publicIp: '203.0.113.9', privateIpAddresses: [{ privateIpAddress: '10.0.0.9' }], securityGroups: [{ groupId: 'sg-9' }], ipv6Addresses: [] } } },
      { uid: 'AKIASEQ', resourceType: 'ACCESS_KEY', data: { accessKey: { principalId: 'AIDASEQ', userName: 'bob', userType: 'IAMUser' } } },
      { uid: 'arn:aws:s3:::seq-bucket', resourceType: 'S3_BUCKET', name: 'seq-bucket' },
      { uid: 'arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:x:autoScalingGroupName/asg', resourceType: 'AUTOSCALING_AUTO_SCALING_GROUP', name: 'asg' },
    ],
    signals: [{ uid: 'sig-1', type: 'FINDING', name: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', createdAt: 1785578400, updatedAt: 1785578400, firstSeenAt: 1785578400, lastSeenAt: 1785578460, count: 4, resourceUids: ['i-0f1e2d3c4b5a69788'], actorIds: ['a1'] }],
    sequenceIndicators: [{ key: 'CRYPTOMINING_DOMAIN', values: ['pool.example.com'], title: 'Cryptomining domain' }],
  };

  it('an attack-sequence subject plus one subject per mappable resource and per identity actor, ENIs attached to the instance', () => {
    const f = parse(finding({ type: 'AttackSequence:EC2/CompromisedInstanceGroup', severity: 9, service: { featureName: 'Correlation', detection: { sequence } } }, { resourceType: 'AttackSequence' }));
    expect(f.band).toBe('Critical');
    expect(kinds(f)).toEqual([
      ['attack-sequence', 'seq-1'],
      ['ec2-instance', 'i-0f1e2d3c4b5a69788'],
      ['access-key', 'AKIASEQ'],
      ['iam-user', 'bob'],
      ['s3-bucket', 'seq-bucket'],
      // The identity actor: its session key and role session, each its own subject (role ACTOR).
      ['access-key', 'ASIA9'],
      ['iam-role-session', 'AROA:i-0'],
    ]);
    expect(f.subjects.slice(5).map((s) => [s.role, s.accountId])).toEqual([
      ['ACTOR', ACCOUNT],
      ['ACTOR', ACCOUNT],
    ]);
    const seq = f.subjects[0]!;
    expect(seq.details).toMatchObject({
      sequenceUid: 'seq-1',
      actors: [{ id: 'a1', userName: 'role', userType: 'AssumedRole', credentialUid: 'ASIA9', accountId: ACCOUNT, mfaStatus: 'DISABLED' }],
      signals: [{ uid: 'sig-1', type: 'FINDING', name: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', count: 4, firstSeenAt: '2026-08-01T10:00:00.000Z', lastSeenAt: '2026-08-01T10:01:00.000Z' }],
      indicators: [{ key: 'CRYPTOMINING_DOMAIN', values: ['pool.example.com'] }],
    });
    expect(((seq.details as Record<string, unknown>)['resources'] as unknown[]).length).toBe(5);
    const inst = f.subjects[1] as Ec2InstanceSubject;
    expect(inst.name).toBe('node-3');
    expect(inst.details.iamInstanceProfile).toEqual({ arn: 'arn:aws:iam::111122223333:instance-profile/p' });
    expect(inst.details.networkInterfaces).toEqual([
      { networkInterfaceId: 'eni-1', securityGroups: [{ groupId: 'sg-9' }], ipv6Addresses: [], subnetId: 'subnet-9', vpcId: 'vpc-9', publicIp: '203.0.113.9', privateIpAddress: '10.0.0.9' },
      { networkInterfaceId: 'eni-2', securityGroups: [], ipv6Addresses: [] },
    ]);
    expect(inst.ai.reasons).toEqual([{ code: 'accelerator-instance', detail: 'instance type g5.12xlarge (family g5)' }]);
  });

  it('a trimmed sequence finding without detection: the sequence subject alone', () => {
    const f = parse(finding({ type: 'AttackSequence:IAM/CompromisedCredentials', severity: 9, service: { featureName: 'Correlation' } }, { resourceType: 'AttackSequence' }));
    expect(kinds(f)).toEqual([['attack-sequence', 'a1b2c3d4e5f60718293a4b5c6d7e8f90']]);
  });
});

describe('AI Protection', () => {
  it('AnomalousModelInvocation: key, principal and one bedrock-model per modelId, all AI', () => {
    const f = parse(
      accessKeyFinding(
        { accessKeyId: 'AKIAM', principalId: 'AIDAM', userName: 'app', userType: 'IAMUser' },
        {
          type: 'Impact:IAMUser/AnomalousModelInvocation',
          severity: 2,
          service: { action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'InvokeModel', serviceName: 'bedrock.amazonaws.com' } } },
        },
        { modelDetails: [{ modelId: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet' }, { modelId: 'my-sagemaker-endpoint' }] },
      ),
    );
    expect(f.band).toBe('Low');
    expect(kinds(f)).toEqual([
      ['access-key', 'AKIAM'],
      ['iam-user', 'app'],
      ['bedrock-model', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet'],
      ['bedrock-model', 'my-sagemaker-endpoint'],
    ]);
    const expected = [
      { code: 'ai-protection-type', detail: 'finding type Impact:IAMUser/AnomalousModelInvocation' },
      { code: 'bedrock', detail: 'API call to bedrock.amazonaws.com' },
      { code: 'model-details', detail: 'model arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet, my-sagemaker-endpoint' },
    ];
    for (const s of f.subjects) expect(s.ai).toEqual({ isAi: true, reasons: expected });
    expect(f.subjects[2]).toMatchObject({ arn: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet', name: 'anthropic.claude-3-5-sonnet', region: 'us-east-1' });
    expect(f.subjects[3]).toMatchObject({ arn: undefined, name: 'my-sagemaker-endpoint' });
  });

  it('PromptInjection.Direct: guardrail reason on every subject', () => {
    const f = parse(
      accessKeyFinding(
        { accessKeyId: 'AKIAP', userName: 'app', userType: 'IAMUser' },
        { type: 'Impact:IAMUser/PromptInjection.Direct', severity: 2 },
        { bedrockGuardrailDetails: { guardrails: [{ arn: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/g1', version: '1' }], guardrailAction: 'GUARDRAIL_INTERVENED', contentPolicyFilters: [{ type: 'PROMPT_ATTACK', confidence: 'HIGH', action: 'BLOCKED' }] } },
      ),
    );
    expect(f.subjects[0]!.ai.reasons.map((r) => r.code)).toEqual(['ai-protection-type', 'guardrail']);
    // The guardrail, its version, whether it intervened and the filters that matched, in one line.
    expect(f.subjects[0]!.ai.reasons[1]!.detail).toBe('Bedrock guardrail arn:aws:bedrock:us-east-1:111122223333:guardrail/g1 v1: GUARDRAIL_INTERVENED; PROMPT_ATTACK HIGH BLOCKED');
  });

  it('CostHarvesting is an AI Protection type; SageMaker API calls count as SageMaker', () => {
    const f = parse(
      accessKeyFinding(
        { accessKeyId: 'AKIAC', userName: 'app', userType: 'IAMUser' },
        { type: 'Impact:IAMUser/CostHarvesting', service: { action: { awsApiCallAction: { api: 'InvokeEndpoint', serviceName: 'sagemaker.amazonaws.com' } } } },
      ),
    );
    expect(f.subjects[0]!.ai.reasons).toEqual([
      { code: 'ai-protection-type', detail: 'finding type Impact:IAMUser/CostHarvesting' },
      { code: 'sagemaker', detail: 'API call to sagemaker.amazonaws.com' },
    ]);
  });
});

describe('finding fields', () => {
  it('sample flag, archived, partition from the ARN, nested epoch times, actor from a port probe', () => {
    const f = parse(
      finding({
        partition: undefined,
        arn: 'arn:aws-cn:guardduty:cn-north-1:111122223333:detector/d/finding/x',
        type: 'Recon:EC2/PortProbeUnprotectedPort',
        severity: 2,
        service: {
          archived: true,
          count: 12,
          additionalInfo: { sample: true },
          action: { actionType: 'PORT_PROBE', portProbeAction: { blocked: false, portProbeDetails: [{ localPortDetails: { port: 22 }, remoteIpDetails: { ipAddressV4: '192.0.2.1', organization: { asn: 64500, asnOrg: 'AS' }, country: { countryName: 'Nowhere' } } }] } },
        },
      }),
    );
    expect(f).toMatchObject({ sample: true, archived: true, count: 12, partition: 'aws-cn', band: 'Low' });
    expect(f.actor).toEqual({ remoteIp: '192.0.2.1', asn: '64500', asnOrg: 'AS', country: 'Nowhere' });
  });

  it('a service with no count counts once; the resource role flows to subjects', () => {
    const f = parse(finding({ type: 'Backdoor:EC2/DenialOfService.Tcp', service: { resourceRole: 'ACTOR' } }));
    expect(f.count).toBe(1);
    expect(f.resourceRole).toBe('ACTOR');
    expect(f.subjects[0]!.role).toBe('ACTOR');
  });

  it('de-duplicates subjects named twice', () => {
    const f = parse(accessKeyFinding({ accessKeyId: 'AKIAD', principalId: 'AIDAD', userName: 'AIDAD', userType: 'FederatedUser' }));
    expect(kinds(f)).toEqual([
      ['access-key', 'AKIAD'],
      ['federated-user', 'AIDAD'],
    ]);
  });
});
