/**
 * The EC2-instance containment actions against moto_server: a VPC with two subnets, an instance role and profile,
 * an Auto Scaling group (launch template) behind two target groups, and a fleet instance with a second ENI.
 * Every step of the playbook's plan for that instance is captured and applied in the engine's order, the state is
 * READ BACK with fresh clients, applied again (nothing changes), verified, then released in reverse order and the
 * original state read back (and verify then sees each change gone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssociateIamInstanceProfileCommand,
  AttachNetworkInterfaceCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type Instance,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetRoleCommand,
  ListRolePoliciesCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import type { Ec2InstanceSubject, Finding, Json } from '../../src/findings/model.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { getAction } from '../../src/actions/registry.js';
import { topologicalOrder } from '../../src/engine/step-graph.js';
import { planEc2Instance } from '../../src/playbooks/ec2-instance.js';
import { denyInstanceSessionDocument, denyPolicyName } from '../../src/actions/iam-deny-instance-session.js';
import { revokePolicyName } from '../../src/actions/iam-revoke-role-sessions.js';
import { readRolePolicy } from '../../src/actions/iam-role-lookup.js';
import { makeTestClients } from '../support/aws-clients.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const CASE = 'case-ec2-actions-1';
const NOW = new Date('2026-11-28T15:00:00.250Z');

type Fixture = {
  vpcId: string;
  subnetA: string;
  subnetB: string;
  appGroupId: string;
  roleName: string;
  profileArn: string;
  groupName: string;
  tgAsg: string;
  tgExtra: string;
  instanceId: string;
  primaryEni: string;
  secondaryEni: string;
  originalNaclBySubnet: Map<string, string>;
};

/**
 * The playbook's own steps for this instance, in the order the engine runs them (dependencies first), with the
 * inputs the playbook gives them: what is tested here is what a finding would run.
 */
function steps(f: Fixture): Array<{ id: string; action: string; input: Json; effect: string }> {
  const finding = { id: 'f-1', type: { raw: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' } } as unknown as Finding;
  const plan = planEc2Instance(finding, subjectOf(f, '123456789012', 'us-east-1'), { isolationSettleSeconds: 0 });
  return topologicalOrder(plan.steps).map((s) => ({ id: s.id, action: s.action, input: s.input, effect: s.effect }));
}

/** The finding's subject: the instance with its profile (the engine passes the same to every action). */
function subjectOf(f: Fixture, accountId: string, region: string): Ec2InstanceSubject {
  return {
    kind: 'ec2-instance',
    id: f.instanceId,
    accountId,
    region,
    tags: [],
    ai: { isAi: true, reasons: [] },
    details: { instanceId: f.instanceId, iamInstanceProfile: { arn: f.profileArn }, networkInterfaces: [] },
  };
}

/** Every AWS operation each action made (`service:Operation`), recorded by a middleware on the actions' clients. */
const callsByAction = new Map<string, Set<string>>();
let currentAction = '';
const IAM_PREFIX: Record<string, string> = { EC2Client: 'ec2', AutoScalingClient: 'autoscaling', ElasticLoadBalancingV2Client: 'elasticloadbalancing', IAMClient: 'iam' };

function recordingClients(): AwsClients {
  const c = makeTestClients(moto.endpoint);
  const recorder = (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => {
    const op = `${IAM_PREFIX[context.clientName ?? ''] ?? context.clientName}:${(context.commandName ?? '').replace(/Command$/, '')}`;
    const set = callsByAction.get(currentAction) ?? new Set<string>();
    set.add(op);
    callsByAction.set(currentAction, set);
    return next(args);
  };
  const options = { step: 'initialize' as const, name: 'tourniquetTestRecorder' };
  c.aws(EC2Client).middlewareStack.add(recorder as never, options);
  c.aws(AutoScalingClient).middlewareStack.add(recorder as never, options);
  c.aws(ElasticLoadBalancingV2Client).middlewareStack.add(recorder as never, options);
  c.aws(IAMClient).middlewareStack.add(recorder as never, options);
  recordAwsCalls(c, () => currentAction);
  return c;
}

let moto: MotoServer;
let fx: Fixture;
const evidence = memoryEvidence({ recordedAt: NOW });
const records = new Map<string, { action: AnyAction; input: Json; pre: Json; output: Json }>();

function ctxFor(clients: AwsClients, stepId: string): ActionContext {
  return { clients, incidentId: CASE, caseId: CASE, subject: subjectOf(fx, clients.accountId, clients.region), evidence, now: () => NOW, actor: 'test', stepId };
}

/** Fresh clients each time: nothing the actions' clients cached can leak into what we read back. */
const reader = (): AwsClients => makeTestClients(moto.endpoint);

async function describeInstance(instanceId: string): Promise<Instance> {
  const out = await reader().aws(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations![0]!.Instances![0]!;
}

async function groupsByEni(instanceId: string): Promise<Record<string, string[]>> {
  const out = await reader().aws(EC2Client).send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
  const result: Record<string, string[]> = {};
  for (const eni of out.NetworkInterfaces ?? []) result[eni.NetworkInterfaceId!] = (eni.Groups ?? []).map((g) => g.GroupId!).sort();
  return result;
}

async function targetIds(tgArn: string): Promise<string[]> {
  const out = await reader().aws(ElasticLoadBalancingV2Client).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (out.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State !== 'draining').map((d) => d.Target!.Id!);
}

async function naclOf(subnetId: string): Promise<string> {
  const out = await reader().aws(EC2Client).send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  return out.NetworkAcls![0]!.NetworkAclId!;
}

async function caseSnapshotIds(): Promise<string[]> {
  const out = await reader().aws(EC2Client).send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:tourniquet:case', Values: [CASE] }] }));
  return (out.Snapshots ?? []).map((s) => s.SnapshotId!).sort();
}

async function profileArnOf(instanceId: string): Promise<string | null> {
  const out = await reader()
    .aws(EC2Client)
    .send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const a = (out.IamInstanceProfileAssociations ?? []).find((x) => x.State === 'associated' || x.State === 'associating');
  return a?.IamInstanceProfile?.Arn ?? null;
}

/** Inline policy name → document (the revocation cut-off included). */
async function rolePolicies(roleName: string): Promise<Array<[string, Json | null]>> {
  const iam = reader().aws(IAMClient);
  const names = ((await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? []).sort();
  return Promise.all(names.map(async (n): Promise<[string, Json | null]> => [n, await readRolePolicy(iam, roleName, n)]));
}

async function lifecycle(instanceId: string): Promise<string | null> {
  const out = await reader().aws(AutoScalingClient).send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return out.AutoScalingInstances?.[0]?.LifecycleState ?? null;
}

async function groupCapacity(): Promise<{ desired: number; inService: number }> {
  const out = await reader().aws(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [fx.groupName] }));
  const g = out.AutoScalingGroups![0]!;
  return { desired: g.DesiredCapacity!, inService: (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length };
}

async function attribute(instanceId: string, name: 'disableApiTermination' | 'instanceInitiatedShutdownBehavior'): Promise<unknown> {
  const out = await reader().aws(EC2Client).send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: name }));
  return name === 'disableApiTermination' ? out.DisableApiTermination?.Value : out.InstanceInitiatedShutdownBehavior?.Value;
}

function tagsOf(instance: Instance): Record<string, string> {
  return Object.fromEntries((instance.Tags ?? []).filter((t) => t.Key!.startsWith('tourniquet:')).map((t) => [t.Key!, t.Value!]));
}

/** Everything the actions touch, as plain data: compared across runs to prove a second apply changes nothing. */
async function stateFingerprint(): Promise<Json> {
  const i = await describeInstance(fx.instanceId);
  const sgs = await reader().aws(EC2Client).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }] }));
  const nacls = await reader().aws(EC2Client).send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }] }));
  return JSON.parse(
    JSON.stringify({
      state: i.State?.Name,
      tags: tagsOf(i),
      metadata: i.MetadataOptions?.HttpTokens,
      bdm: i.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.DeleteOnTermination]),
      term: await attribute(fx.instanceId, 'disableApiTermination'),
      shutdown: await attribute(fx.instanceId, 'instanceInitiatedShutdownBehavior'),
      groups: await groupsByEni(fx.instanceId),
      securityGroups: (sgs.SecurityGroups ?? []).map((g) => [g.GroupId, g.IpPermissions?.length, g.IpPermissionsEgress?.length]).sort(),
      nacls: (nacls.NetworkAcls ?? []).map((n) => [n.NetworkAclId, (n.Associations ?? []).map((a) => a.SubnetId).sort(), n.Entries?.length]).sort(),
      snapshots: await caseSnapshotIds(),
      lifecycle: await lifecycle(fx.instanceId),
      capacity: await groupCapacity(),
      tgAsg: await targetIds(fx.tgAsg),
      tgExtra: await targetIds(fx.tgExtra),
      profile: await profileArnOf(fx.instanceId),
      policies: await rolePolicies(fx.roleName),
    }),
  ) as Json;
}

async function buildFixture(): Promise<Fixture> {
  const c = makeTestClients(moto.endpoint);
  const ec2 = c.aws(EC2Client);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnetA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
  const appGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: appGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }],
    }),
  );

  const iam = c.aws(IAMClient);
  const roleName = 'gpu-node-role';
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const profileArn = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'gpu-node-profile' }))).InstanceProfile!.Arn!;
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'gpu-node-profile', RoleName: roleName }));

  const elb = c.aws(ElasticLoadBalancingV2Client);
  const tgAsg = (await elb.send(new CreateTargetGroupCommand({ Name: 'fleet-http', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance' })))
    .TargetGroups![0]!.TargetGroupArn!;
  const tgExtra = (await elb.send(new CreateTargetGroupCommand({ Name: 'metrics', Protocol: 'HTTP', Port: 9100, VpcId: vpcId, TargetType: 'instance' })))
    .TargetGroups![0]!.TargetGroupArn!;

  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'gpu-node',
      LaunchTemplateData: {
        ImageId: 'ami-12c6146b',
        InstanceType: 'g5.xlarge',
        IamInstanceProfile: { Arn: profileArn },
      },
    }),
  );
  const groupName = 'gpu-fleet';
  const asg = c.aws(AutoScalingClient);
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      LaunchTemplate: { LaunchTemplateName: 'gpu-node', Version: '$Latest' },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: `${subnetA},${subnetB}`,
      TargetGroupARNs: [tgAsg],
    }),
  );
  const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }))).AutoScalingGroups![0]!;
  const instanceId = group.Instances![0]!.InstanceId!;
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgExtra, Targets: [{ Id: instanceId, Port: 9100 }] }));

  const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances![0]!;
  const primaryEni = instance.NetworkInterfaces![0]!.NetworkInterfaceId!;
  // moto reports an attached ENI's groups as the union with the groups given at launch, so the launch template has
  // none and the instance's own group is set on its ENIs (which is where AWS keeps it).
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primaryEni, Groups: [appGroupId] }));
  // moto does not associate a launch template's instance profile with the instances an ASG launches.
  const assoc = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  if ((assoc.IamInstanceProfileAssociations ?? []).length === 0) {
    await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: profileArn } }));
  }
  const secondaryEni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: instance.SubnetId!, Groups: [appGroupId] }))).NetworkInterface!
    .NetworkInterfaceId!;
  await ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: secondaryEni, InstanceId: instanceId, DeviceIndex: 1 }));
  // Start from the risky settings the action must change (and restore).
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'terminate' }));

  const originalNaclBySubnet = new Map<string, string>();
  for (const s of [subnetA, subnetB]) {
    const out = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [s] }] }));
    originalNaclBySubnet.set(s, out.NetworkAcls![0]!.NetworkAclId!);
  }
  return { vpcId, subnetA, subnetB, appGroupId, roleName, profileArn, groupName, tgAsg, tgExtra, instanceId, primaryEni, secondaryEni, originalNaclBySubnet };
}

let before: Json;

beforeAll(async () => {
  moto = await startMotoServer();
  fx = await buildFixture();
  before = await stateFingerprint();
});

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-ec2.test.ts against moto_server');
});

describe('EC2 instance containment actions against moto', () => {
  it('the fixture starts as a serving fleet member with two ENIs, a profile and target registrations', async () => {
    expect(Object.keys(await groupsByEni(fx.instanceId)).sort()).toEqual([fx.primaryEni, fx.secondaryEni].sort());
    expect(await profileArnOf(fx.instanceId)).toBe(fx.profileArn);
    expect(await lifecycle(fx.instanceId)).toBe('InService');
    expect(await targetIds(fx.tgAsg)).toContain(fx.instanceId);
    expect(await targetIds(fx.tgExtra)).toEqual([fx.instanceId]);
  });

  it('capture → apply in the playbook\'s order contains the instance (state read back)', async () => {
    const clients = recordingClients();
    for (const s of steps(fx)) {
      const action = getAction(s.action);
      currentAction = s.action;
      const ctx = ctxFor(clients, s.id);
      const input = action.parseInput(s.input, ctx);
      const pre = (await action.capture(input, ctx)) as Json;
      const output = (await action.apply(input, pre, ctx)) as Json;
      records.set(s.id, { action, input, pre, output });
    }

    // Evidence: every artefact stored, and the summary lists both ENIs and the profile.
    const names = [...evidence.items.keys()];
    for (const n of ['describe-instances', 'describe-network-interfaces', 'describe-volumes', 'describe-iam-instance-profile-associations', 'attribute-userData', 'attribute-disableApiStop', 'console-output']) {
      expect(names).toContain(`ec2/${fx.instanceId}/${n}.json`);
    }
    const summary = records.get('capture-evidence')!.output as { enis: unknown[]; profileAssociation: { profileArn: string }; vpcId: string };
    expect(summary.enis).toHaveLength(2);
    expect(summary.profileAssociation.profileArn).toBe(fx.profileArn);
    expect(summary.vpcId).toBe(fx.vpcId);

    const instance = await describeInstance(fx.instanceId);
    // Snapshots of every volume, tagged with the case.
    const snaps = await reader().aws(EC2Client).send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:tourniquet:case', Values: [CASE] }] }));
    const volumeIds = instance.BlockDeviceMappings!.map((m) => m.Ebs!.VolumeId!).sort();
    expect((snaps.Snapshots ?? []).map((s) => s.VolumeId).sort()).toEqual(volumeIds);
    for (const s of snaps.Snapshots ?? []) expect(s.Tags).toEqual(expect.arrayContaining([{ Key: 'tourniquet:incident', Value: CASE }]));

    // Tags.
    expect(tagsOf(instance)).toEqual({
      'tourniquet:case': CASE,
      'tourniquet:status': 'contained',
      'tourniquet:finding-type': 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'tourniquet:finding-id': 'f-1',
      'tourniquet:contained-at': NOW.toISOString(),
    });
    // Preservation attributes.
    expect(await attribute(fx.instanceId, 'disableApiTermination')).toBe(true);
    expect(await attribute(fx.instanceId, 'instanceInitiatedShutdownBehavior')).toBe('stop');
    expect(instance.BlockDeviceMappings!.every((m) => m.Ebs?.DeleteOnTermination === false)).toBe(true);

    // Out of the fleet: on standby, capacity kept by a replacement, no load-balancer registration left.
    expect(await lifecycle(fx.instanceId)).toBe('Standby');
    expect(await groupCapacity()).toEqual({ desired: 2, inService: 2 });
    expect(await targetIds(fx.tgAsg)).not.toContain(fx.instanceId);
    expect(await targetIds(fx.tgExtra)).toEqual([]);

    // Every ENI carries only the isolation group, which has no rules; the app group is untouched.
    const groups = await groupsByEni(fx.instanceId);
    const isoOut = records.get('isolate-network')!.output as { groups: Array<{ untrackGroupId: string; isolationGroupId: string }> };
    const { isolationGroupId, untrackGroupId } = isoOut.groups[0]!;
    expect(groups).toEqual({ [fx.primaryEni]: [isolationGroupId], [fx.secondaryEni]: [isolationGroupId] });
    const sgs = await reader().aws(EC2Client).send(new DescribeSecurityGroupsCommand({ GroupIds: [isolationGroupId, untrackGroupId, fx.appGroupId] }));
    const byId = new Map((sgs.SecurityGroups ?? []).map((g) => [g.GroupId!, g]));
    expect(byId.get(isolationGroupId)!.IpPermissions).toEqual([]);
    expect(byId.get(isolationGroupId)!.IpPermissionsEgress).toEqual([]);
    expect(byId.get(isolationGroupId)!.Tags).toEqual(expect.arrayContaining([{ Key: 'tourniquet:role', Value: 'isolation' }, { Key: 'tourniquet:vpc', Value: fx.vpcId }]));
    const untrack = byId.get(untrackGroupId)!;
    expect(untrack.IpPermissions!.flatMap((p) => [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)]).sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(untrack.IpPermissionsEgress!.flatMap((p) => [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)]).sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(byId.get(fx.appGroupId)!.IpPermissions).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);

    // Credentials: profile removed, a session-only deny and a revocation on the role.
    expect(await profileArnOf(fx.instanceId)).toBeNull();
    const iam = reader().aws(IAMClient);
    const role = (await iam.send(new GetRoleCommand({ RoleName: fx.roleName }))).Role!;
    expect(await readRolePolicy(iam, fx.roleName, denyPolicyName(fx.instanceId))).toEqual(
      denyInstanceSessionDocument({ roleId: role.RoleId!, roleArn: role.Arn! }, 'us-east-1', '123456789012', fx.instanceId),
    );
    const deny = JSON.stringify(await readRolePolicy(iam, fx.roleName, denyPolicyName(fx.instanceId)));
    expect(deny).toContain(`"aws:userid":"${role.RoleId}:${fx.instanceId}"`);
    expect(deny).toContain(`"ec2:SourceInstanceARN":"arn:aws:ec2:us-east-1:123456789012:instance/${fx.instanceId}"`);
    expect(await readRolePolicy(iam, fx.roleName, revokePolicyName(CASE))).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-28T15:00:01Z' } } }],
    });

    // IMDSv2 required, hop limit unchanged.
    expect(instance.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });

    // NACL cut on the instance's subnet only, with deny-all entries.
    const cutOut = records.get('nacl-cut')!.output as { quarantineNacls: Array<{ networkAclId: string }>; cut: string[] };
    const quarantine = cutOut.quarantineNacls[0]!.networkAclId;
    expect(cutOut.cut).toEqual([instance.SubnetId]);
    expect(await naclOf(instance.SubnetId!)).toBe(quarantine);
    const other = instance.SubnetId === fx.subnetA ? fx.subnetB : fx.subnetA;
    expect(await naclOf(other)).toBe(fx.originalNaclBySubnet.get(other));
    const acl = (await reader().aws(EC2Client).send(new DescribeNetworkAclsCommand({ NetworkAclIds: [quarantine] }))).NetworkAcls![0]!;
    expect(acl.Entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ RuleNumber: 1, RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', Protocol: '-1' }),
        expect.objectContaining({ RuleNumber: 1, RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0', Protocol: '-1' }),
      ]),
    );

    // Stopped, after the snapshots were checked.
    expect(instance.State?.Name).toMatch(/^(stopping|stopped)$/);
    expect((records.get('stop-instance')!.output as { snapshotsChecked: string[] }).snapshotsChecked.sort()).toEqual(await caseSnapshotIds());
  });

  it('verify() reads back that every effect holds', async () => {
    const clients = recordingClients();
    const verified: string[] = [];
    for (const s of steps(fx)) {
      const action = getAction(s.action);
      currentAction = s.action;
      if (action.verify === undefined) continue;
      const result = await action.verify(s.input, ctxFor(clients, s.id));
      expect(result.holds, `${s.id}: ${result.detail}`).toBe(true);
      verified.push(s.id);
    }
    // Every step that changes something has a verify, and each ran (only the read-only capture has none).
    expect(verified).toEqual(steps(fx).filter((s) => s.effect !== 'read').map((s) => s.id));
    expect(verified).toHaveLength(13);
  });

  it('apply a second time changes nothing (idempotent)', async () => {
    const contained = await stateFingerprint();
    const clients = recordingClients();
    for (const s of steps(fx)) {
      const rec = records.get(s.id)!;
      currentAction = s.action;
      const ctx = { ...ctxFor(clients, s.id), now: () => new Date(NOW.getTime() + 60_000) };
      // With the journaled pre-image (a retry) and with a fresh capture (a re-delivered finding).
      await rec.action.apply(s.input, rec.pre, ctx);
      await rec.action.apply(s.input, (await rec.action.capture(s.input, ctx)) as Json, ctx);
    }
    expect(await stateFingerprint()).toEqual(contained);
  });

  it('release in reverse order restores the recorded state (snapshots kept)', async () => {
    const clients = recordingClients();
    const snapshotsBefore = await caseSnapshotIds();
    const released: string[] = [];
    for (const s of [...steps(fx)].reverse()) {
      const rec = records.get(s.id)!;
      currentAction = s.action;
      if (rec.action.release === undefined) continue;
      await rec.action.release(rec.input, rec.pre, rec.output, ctxFor(clients, s.id));
      released.push(s.id);
    }
    // Every reversible step was released (capture and snapshots have nothing to undo; the per-VPC isolation groups
    // are kept for the next case)…
    expect(released.reverse()).toEqual(steps(fx).filter((s) => !['capture-evidence', 'snapshot-volumes', 'prepare-isolation'].includes(s.id)).map((s) => s.id));
    // …and verify, which held before, now sees each change gone: it reads the state, it does not echo the apply.
    for (const id of released) {
      const s = steps(fx).find((x) => x.id === id)!;
      const result = await getAction(s.action).verify!(s.input, ctxFor(reader(), id));
      expect(result.holds, `${id} after release: ${result.detail}`).toBe(false);
    }
    const after = (await stateFingerprint()) as Record<string, Json>;
    const expected = { ...(before as Record<string, Json>) };
    // Kept on purpose: the evidence snapshots, and Tourniquet's per-VPC security groups (reused by later cases).
    expect(after.snapshots).toEqual(snapshotsBefore);
    expect(snapshotsBefore.length).toBeGreaterThan(0);
    const sgIds = (x: Json): string[] => (x as Array<[string]>).map((g) => g[0]);
    const extraGroups = sgIds(after.securityGroups!).filter((id) => !sgIds(expected.securityGroups!).includes(id));
    expect(extraGroups).toHaveLength(2);
    expect(extraGroups.sort()).toEqual(
      ((records.get('isolate-network')!.output as { groups: Array<{ untrackGroupId: string; isolationGroupId: string }> }).groups.flatMap((g) => [g.untrackGroupId, g.isolationGroupId])).sort(),
    );
    // moto launched a replacement when the instance went on standby (capacity kept), and ExitStandby grew the
    // group by one: the real group would then apply its termination policy; moto does not.
    expect(after.capacity).toEqual({ desired: 3, inService: 3 });
    expect(after.state).toBe('running');
    for (const key of ['tags', 'metadata', 'bdm', 'term', 'shutdown', 'groups', 'nacls', 'lifecycle', 'tgExtra', 'profile', 'policies']) {
      expect(after[key], key).toEqual(expected[key]);
    }
    // The fleet's target group has the released instance back, next to the replacement.
    expect(after.tgAsg).toEqual(expect.arrayContaining(expected.tgAsg as string[]));
    expect(after.tgAsg).toContain(fx.instanceId);
    expect(after.tgAsg).toHaveLength(3);
  });

  it('every call an action made is granted by that action\'s own declared permissions', () => {
    expect(callsByAction.size).toBe(steps(fx).length);
    for (const [name, ops] of callsByAction) {
      const granted = new Set(getAction(name).permissions.flatMap((p) => p.actions));
      const missing = [...ops].filter((op) => !granted.has(op));
      expect(missing, name).toEqual([]);
    }
  });
});
