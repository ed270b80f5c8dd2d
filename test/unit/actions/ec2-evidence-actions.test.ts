import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  GetConsoleOutputCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { captureInstanceEvidence } from '../../../src/actions/ec2-capture-instance-evidence.js';
import { RunSharedReads } from '../../../src/engine/shared-reads.js';
import { snapshotVolumes } from '../../../src/actions/ec2-snapshot-volumes.js';
import { StepError } from '../../../src/errors.js';
import { CASE_ID, INSTANCE_ENIS_FILTER, INSTANCE_FILTER, INSTANCE_ID, awsError, makeCtx } from './action-fixtures.js';

const ec2 = mockClient(EC2Client);
const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => {
  ec2.reset();
  elb.reset();
});

const instance = {
  InstanceId: INSTANCE_ID,
  State: { Name: 'running' as const },
  VpcId: 'vpc-1',
  SubnetId: 'subnet-1',
  RootDeviceName: '/dev/xvda',
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-root', DeleteOnTermination: true } },
    { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-data', DeleteOnTermination: false } },
  ],
};

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1';

describe('ec2.capture-instance-evidence', () => {
  it('fails with a StepError when the instance does not exist', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const err = await captureInstanceEvidence.capture({}, makeCtx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).message).toContain(`instance ${INSTANCE_ID} does not exist`);
    expect((err as StepError).stepId).toBe('step-under-test');
    // Filtered by id, never an unfiltered DescribeInstances.
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: 'instance-id', Values: [INSTANCE_ID] }] });
  });

  it('stores every read as evidence and summarises ENIs, volumes, profile and VPC', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolvesOnce({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-1', Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: 'sg-app' }], PrivateIpAddress: '10.0.0.5' }],
      NextToken: 'page2',
    }).resolvesOnce({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-2', SubnetId: 'subnet-1', Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: 'sg-app' }], Association: { PublicIp: '203.0.113.9' } }],
    });
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: 'vol-root', Size: 100, Encrypted: true, Attachments: [{ InstanceId: INSTANCE_ID, Device: '/dev/xvda' }] }] });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        { AssociationId: 'iip-old', State: 'disassociated', IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/old' } },
        { AssociationId: 'iip-1', State: 'associated', IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/node' } },
      ],
    });
    ec2.on(DescribeInstanceAttributeCommand).callsFake((input: { Attribute: string }) => ({ InstanceId: INSTANCE_ID, [input.Attribute]: { Value: 'x' } }));
    ec2.on(GetConsoleOutputCommand).resolves({ InstanceId: INSTANCE_ID, Output: 'Ym9vdA==' });
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG, VpcId: 'vpc-1', TargetType: 'instance' }] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: INSTANCE_ID, Port: 80 }, TargetHealth: { State: 'healthy' } }] });

    // As the engine runs it: with the run's shared reads (the ENIs serve the evidence and the target lookup alike).
    const ctx = { ...makeCtx(), reads: new RunSharedReads() };
    const pre = await captureInstanceEvidence.capture({}, ctx);
    expect(pre).toEqual({ instanceId: INSTANCE_ID, state: 'running' });
    const out = await captureInstanceEvidence.apply({}, pre, ctx);

    expect(out.enis.map((e) => [e.networkInterfaceId, e.deviceIndex, e.publicIp])).toEqual([
      ['eni-1', 0, null],
      ['eni-2', 1, '203.0.113.9'],
    ]);
    expect(out.volumes).toEqual([{ volumeId: 'vol-root', device: '/dev/xvda', sizeGiB: 100, encrypted: true }]);
    expect(out.profileAssociation).toEqual({ associationId: 'iip-1', profileArn: 'arn:aws:iam::1:instance-profile/node', state: 'associated' });
    expect(out.vpcId).toBe('vpc-1');
    // Every read is about this instance; both ENI pages are read.
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(DescribeNetworkInterfacesCommand, 1, INSTANCE_ENIS_FILTER);
    expect(ec2).toHaveReceivedNthCommandWith(DescribeNetworkInterfacesCommand, 2, { ...INSTANCE_ENIS_FILTER, NextToken: 'page2' });
    expect(ec2).toHaveReceivedCommandWith(DescribeVolumesCommand, { Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE_ID] }] });
    expect(ec2).toHaveReceivedCommandWith(DescribeIamInstanceProfileAssociationsCommand, INSTANCE_FILTER);
    expect(ec2).toHaveReceivedCommandWith(GetConsoleOutputCommand, { InstanceId: INSTANCE_ID });
    for (const c of ec2.commandCalls(DescribeInstanceAttributeCommand)) expect(c.args[0].input.InstanceId).toBe(INSTANCE_ID);
    expect(ec2.commandCalls(DescribeInstanceAttributeCommand).map((c) => c.args[0].input.Attribute)).toEqual([
      'disableApiTermination',
      'disableApiStop',
      'instanceInitiatedShutdownBehavior',
      'userData',
    ]);
    const names = [...ctx.evidence.items.keys()];
    expect(names).toEqual(out.evidence);
    expect(names).toEqual([
      `ec2/${INSTANCE_ID}/describe-instances.json`,
      `ec2/${INSTANCE_ID}/describe-network-interfaces.json`,
      `ec2/${INSTANCE_ID}/describe-volumes.json`,
      `ec2/${INSTANCE_ID}/describe-iam-instance-profile-associations.json`,
      `ec2/${INSTANCE_ID}/attribute-disableApiTermination.json`,
      `ec2/${INSTANCE_ID}/attribute-disableApiStop.json`,
      `ec2/${INSTANCE_ID}/attribute-instanceInitiatedShutdownBehavior.json`,
      `ec2/${INSTANCE_ID}/attribute-userData.json`,
      `ec2/${INSTANCE_ID}/console-output.json`,
      `ec2/${INSTANCE_ID}/target-registrations.json`,
    ]);
    // The target-group registrations: the deregistration step's pre-image comes from this same read.
    const targets = ctx.evidence.items.get(`ec2/${INSTANCE_ID}/target-registrations.json`) as { response: { registrations: unknown[] } };
    expect(targets.response.registrations).toEqual([{ targetGroupArn: TG, targetType: 'instance', id: INSTANCE_ID, port: 80, availabilityZone: null }]);
    // Both ENI pages are kept, with the request that produced them.
    const enis = ctx.evidence.items.get(`ec2/${INSTANCE_ID}/describe-network-interfaces.json`) as { api: string; request: unknown; response: unknown[] };
    expect(enis.api).toBe('ec2:DescribeNetworkInterfaces');
    expect(enis.request).toEqual({ Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE_ID] }] });
    expect(enis.response).toHaveLength(2);
  });

  it('rejects an input field it does not know, and a malformed instance id', async () => {
    expect(() => captureInstanceEvidence.parseInput({ instanceID: INSTANCE_ID }, makeCtx())).toThrow(/invalid input/);
    await expect(captureInstanceEvidence.capture({ instanceId: 'i-$(reboot)' }, makeCtx())).rejects.toThrow(/not an EC2 instance id/);
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('ec2.snapshot-volumes', () => {
  const caseFilter = [
    { Name: 'tag:tourniquet:case', Values: [CASE_ID] },
    { Name: 'volume-id', Values: ['vol-root', 'vol-data'] },
  ];

  it('snapshots all volumes at once with the case tags, and records what existed before', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance] }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-root' }, { SnapshotId: 'snap-2', VolumeId: 'vol-data' }] });
    const ctx = makeCtx();
    const pre = await snapshotVolumes.capture({}, ctx);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(pre).toEqual({
      instanceId: INSTANCE_ID,
      rootDeviceName: '/dev/xvda',
      volumes: [
        { volumeId: 'vol-root', deviceName: '/dev/xvda' },
        { volumeId: 'vol-data', deviceName: '/dev/sdf' },
      ],
      existingSnapshotIds: [],
    });
    // Found by the case tag alone, alongside the instance lookup (matched to the volumes afterwards).
    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0]!.args[0].input).toMatchObject({ OwnerIds: ['self'], Filters: [caseFilter[0]] });
    const out = await snapshotVolumes.apply({}, pre, ctx);
    expect(out).toEqual({ snapshotIds: ['snap-1', 'snap-2'], createdSnapshotIds: ['snap-1', 'snap-2'], method: 'create-snapshots' });
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0]!.args[0].input).toEqual({
      InstanceSpecification: { InstanceId: INSTANCE_ID, ExcludeBootVolume: false },
      CopyTagsFromSource: 'volume',
      Description: `Tourniquet evidence: case ${CASE_ID}, instance ${INSTANCE_ID}`,
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'tourniquet:case', Value: CASE_ID },
            { Key: 'tourniquet:incident', Value: CASE_ID },
          ],
        },
      ],
    });
    expect(snapshotVolumes.release).toBeUndefined();
    expect(snapshotVolumes.reversible).toBe(false);
  });

  it('before the step’s first attempt it does not look for the case’s snapshots (none can exist); after, it does', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance] }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-old', VolumeId: 'vol-root', State: 'completed' }] });
    const first = await snapshotVolumes.capture({}, { ...makeCtx(), firstAttempt: true });
    expect(first.existingSnapshotIds).toEqual([]);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(0);
    const again = await snapshotVolumes.capture({}, { ...makeCtx(), firstAttempt: false });
    expect(again.existingSnapshotIds).toEqual(['snap-old']);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(1);
  });

  it('is idempotent: volumes with a case snapshot are not snapshotted again', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-root', State: 'completed' }, { SnapshotId: 'snap-2', VolumeId: 'vol-data', State: 'pending' }] });
    const pre = { instanceId: INSTANCE_ID, rootDeviceName: '/dev/xvda', volumes: [{ volumeId: 'vol-root', deviceName: '/dev/xvda' }, { volumeId: 'vol-data', deviceName: '/dev/sdf' }], existingSnapshotIds: [] };
    const out = await snapshotVolumes.apply({}, pre, makeCtx());
    expect(out).toEqual({ snapshotIds: ['snap-1', 'snap-2'], createdSnapshotIds: [], method: 'none' });
    // "Already snapshotted" means a snapshot of this case of these volumes, owned by this account.
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { OwnerIds: ['self'], Filters: caseFilter });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
  });

  it('after a partial run, snapshots only the volumes still missing (boot volume excluded when covered)', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-root', State: 'completed' }] });
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-3', VolumeId: 'vol-data' }] });
    const pre = { instanceId: INSTANCE_ID, rootDeviceName: '/dev/xvda', volumes: [{ volumeId: 'vol-root', deviceName: '/dev/xvda' }, { volumeId: 'vol-data', deviceName: '/dev/sdf' }], existingSnapshotIds: ['snap-1'] };
    const out = await snapshotVolumes.apply({}, pre, makeCtx());
    expect(out.createdSnapshotIds).toEqual(['snap-3']);
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0]!.args[0].input.InstanceSpecification).toEqual({ InstanceId: INSTANCE_ID, ExcludeBootVolume: true });
  });

  it('falls back to per-volume CreateSnapshot (volume tags copied) only when CreateSnapshots is unsupported', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(CreateSnapshotsCommand).rejects(awsError('UnsupportedOperation'));
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { VolumeId: 'vol-root', Tags: [{ Key: 'team', Value: 'ml' }, { Key: 'aws:cloudformation:stack-name', Value: 's' }] },
        { VolumeId: 'vol-data', Tags: [] },
      ],
    });
    ec2.on(CreateSnapshotCommand, { VolumeId: 'vol-root' }).resolves({ SnapshotId: 'snap-r' });
    ec2.on(CreateSnapshotCommand, { VolumeId: 'vol-data' }).resolves({ SnapshotId: 'snap-d' });
    const pre = { instanceId: INSTANCE_ID, rootDeviceName: '/dev/xvda', volumes: [{ volumeId: 'vol-root', deviceName: '/dev/xvda' }, { volumeId: 'vol-data', deviceName: '/dev/sdf' }], existingSnapshotIds: [] };
    const out = await snapshotVolumes.apply({}, pre, makeCtx());
    expect(out).toEqual({ snapshotIds: ['snap-r', 'snap-d'], createdSnapshotIds: ['snap-r', 'snap-d'], method: 'create-snapshot' });
    expect(ec2).toHaveReceivedCommandWith(DescribeVolumesCommand, { VolumeIds: ['vol-root', 'vol-data'] });
    expect(ec2.commandCalls(CreateSnapshotCommand)[0]!.args[0].input.TagSpecifications).toEqual([
      {
        ResourceType: 'snapshot',
        Tags: [
          { Key: 'team', Value: 'ml' },
          { Key: 'tourniquet:case', Value: CASE_ID },
          { Key: 'tourniquet:incident', Value: CASE_ID },
        ],
      },
    ]);
  });

  it('does not hide real errors behind the fallback', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(CreateSnapshotsCommand).rejects(awsError('UnauthorizedOperation', 403));
    const pre = { instanceId: INSTANCE_ID, rootDeviceName: '/dev/xvda', volumes: [{ volumeId: 'vol-root', deviceName: '/dev/xvda' }], existingSnapshotIds: [] };
    await expect(snapshotVolumes.apply({}, pre, makeCtx())).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    ec2.on(CreateSnapshotsCommand).rejects(awsError('InternalError', 500));
    await expect(snapshotVolumes.apply({}, pre, makeCtx())).rejects.toMatchObject({ name: 'InternalError' });
    expect(ec2.commandCalls(CreateSnapshotCommand)).toHaveLength(0);
  });

  it('verify fails when a snapshot is in the error state', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance] }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-root', State: 'completed' }, { SnapshotId: 'snap-2', VolumeId: 'vol-data', State: 'error' }] });
    const v = await snapshotVolumes.verify!({}, makeCtx());
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { OwnerIds: ['self'], Filters: caseFilter });
    expect(v.holds).toBe(false);
    expect(v.detail).toContain('no snapshot for vol-data');
  });
});
