import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { preserveInstance } from '../../../src/actions/ec2-preserve-instance.js';
import { enforceImdsv2 } from '../../../src/actions/ec2-enforce-imdsv2.js';
import { tagInstance } from '../../../src/actions/ec2-tag-instance.js';
import { stopInstance } from '../../../src/actions/ec2-stop-instance.js';
import { StepError } from '../../../src/errors.js';
import { CASE_ID, INSTANCE_FILTER, INSTANCE_ID, NOW, makeCtx } from './action-fixtures.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

function withInstance(i: Partial<Instance>): void {
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID, ...i }] }] });
}

function withAttributes(term: boolean, shutdown: string): void {
  ec2.on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' }).resolves({ DisableApiTermination: { Value: term } });
  ec2.on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' }).resolves({ InstanceInitiatedShutdownBehavior: { Value: shutdown } });
}

const modifyInputs = (): unknown[] => ec2.commandCalls(ModifyInstanceAttributeCommand).map((c) => c.args[0].input);

describe('ec2.preserve-instance', () => {
  const mappings = [
    { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true } },
    { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-2', DeleteOnTermination: false } },
  ];

  it('records the prior values, then sets one attribute per call (never DisableApiStop)', async () => {
    withInstance({ BlockDeviceMappings: mappings });
    withAttributes(false, 'terminate');
    const ctx = makeCtx();
    const pre = await preserveInstance.capture({}, ctx);
    // The prior values are this instance's.
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstanceAttributeCommand, { InstanceId: INSTANCE_ID, Attribute: 'disableApiTermination' });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstanceAttributeCommand, { InstanceId: INSTANCE_ID, Attribute: 'instanceInitiatedShutdownBehavior' });
    expect(pre).toEqual({
      instanceId: INSTANCE_ID,
      spot: false,
      disableApiTermination: false,
      instanceInitiatedShutdownBehavior: 'terminate',
      ebs: [
        { deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true },
        { deviceName: '/dev/sdf', volumeId: 'vol-2', deleteOnTermination: false },
      ],
    });
    const out = await preserveInstance.apply({}, pre, ctx);
    expect(out).toEqual({ changed: ['disableApiTermination', 'instanceInitiatedShutdownBehavior', 'deleteOnTermination:/dev/xvda'], notes: [] });
    expect(modifyInputs()).toEqual([
      { InstanceId: INSTANCE_ID, DisableApiTermination: { Value: true } },
      { InstanceId: INSTANCE_ID, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'stop' },
      { InstanceId: INSTANCE_ID, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }] },
    ]);
    expect(JSON.stringify(modifyInputs())).not.toContain('DisableApiStop');
  });

  it('release restores exactly the recorded values', async () => {
    withInstance({ BlockDeviceMappings: mappings.map((m) => ({ ...m, Ebs: { ...m.Ebs, DeleteOnTermination: false } })) });
    withAttributes(true, 'stop');
    const pre = {
      instanceId: INSTANCE_ID,
      spot: false,
      disableApiTermination: false,
      instanceInitiatedShutdownBehavior: 'terminate',
      ebs: [
        { deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true },
        { deviceName: '/dev/sdf', volumeId: 'vol-2', deleteOnTermination: false },
      ],
    };
    const out = await preserveInstance.release!({}, pre, undefined, makeCtx());
    expect(out).toEqual({ restored: ['disableApiTermination', 'instanceInitiatedShutdownBehavior', 'deleteOnTermination:/dev/xvda'] });
    expect(modifyInputs()).toEqual([
      { InstanceId: INSTANCE_ID, DisableApiTermination: { Value: false } },
      { InstanceId: INSTANCE_ID, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'terminate' },
      { InstanceId: INSTANCE_ID, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true } }] },
    ]);
  });

  it('spot instances: termination protection skipped with a note, the rest applied; second apply changes nothing', async () => {
    withInstance({ InstanceLifecycle: 'spot', BlockDeviceMappings: [] });
    withAttributes(false, 'stop');
    const pre = await preserveInstance.capture({}, makeCtx());
    const out = await preserveInstance.apply({}, pre, makeCtx());
    expect(out.changed).toEqual([]);
    expect(out.notes[0]).toMatch(/spot instance: termination protection cannot be enabled/);
    expect(modifyInputs()).toEqual([]);
    expect((await preserveInstance.verify!({}, makeCtx())).holds).toBe(true);
  });
});

describe('ec2.enforce-imdsv2', () => {
  it('requires tokens with the recorded hop limit, and release restores optional', async () => {
    withInstance({ MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' } });
    const pre = await enforceImdsv2.capture({}, makeCtx());
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(pre).toEqual({ instanceId: INSTANCE_ID, httpTokens: 'optional', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' });
    expect(await enforceImdsv2.apply({}, pre, makeCtx())).toEqual({ changed: true, httpTokens: 'required' });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]!.args[0].input).toEqual({
      InstanceId: INSTANCE_ID,
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
    });
    ec2.reset();
    withInstance({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' } });
    expect(await enforceImdsv2.apply({}, pre, makeCtx())).toEqual({ changed: false, httpTokens: 'required' });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)).toHaveLength(0);
    expect(await enforceImdsv2.release!({}, pre, undefined, makeCtx())).toEqual({ action: 'restored', httpTokens: 'optional' });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]!.args[0].input).toMatchObject({ HttpTokens: 'optional', HttpPutResponseHopLimit: 2 });
  });
});

describe('ec2.tag-instance', () => {
  const input = { status: 'contained', findingType: 'Backdoor:EC2/C&CActivity.B!DNS', findingId: 'abc' };

  it('records prior values of its keys, writes the case tags, and release restores/removes exactly those keys', async () => {
    withInstance({ Tags: [{ Key: 'Name', Value: 'gpu-1' }, { Key: 'tourniquet:status', Value: 'released' }] });
    const ctx = makeCtx();
    const pre = await tagInstance.capture(input, ctx);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(pre.prior).toEqual([
      { key: 'tourniquet:case', value: null },
      { key: 'tourniquet:status', value: 'released' },
      { key: 'tourniquet:finding-type', value: null },
      { key: 'tourniquet:finding-id', value: null },
      { key: 'tourniquet:contained-at', value: null },
    ]);
    await tagInstance.apply(input, pre, ctx);
    expect(ec2.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({
      Resources: [INSTANCE_ID],
      Tags: [
        { Key: 'tourniquet:case', Value: CASE_ID },
        { Key: 'tourniquet:status', Value: 'contained' },
        { Key: 'tourniquet:finding-type', Value: 'Backdoor:EC2/C&CActivity.B!DNS' },
        { Key: 'tourniquet:finding-id', Value: 'abc' },
        { Key: 'tourniquet:contained-at', Value: NOW.toISOString() },
      ],
    });

    ec2.reset();
    withInstance({
      Tags: [
        { Key: 'Name', Value: 'gpu-1' },
        { Key: 'tourniquet:case', Value: CASE_ID },
        { Key: 'tourniquet:status', Value: 'contained' },
        { Key: 'tourniquet:finding-type', Value: 'Backdoor:EC2/C&CActivity.B!DNS' },
        { Key: 'tourniquet:finding-id', Value: 'abc' },
        { Key: 'tourniquet:contained-at', Value: NOW.toISOString() },
      ],
    });
    // A second apply later writes nothing (the first containment time is kept).
    expect(await tagInstance.apply(input, pre, makeCtx({ now: new Date(NOW.getTime() + 3600_000) }))).toEqual({ written: [] });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);

    const released = await tagInstance.release!(input, pre, undefined, makeCtx());
    expect(released).toEqual({ restored: ['tourniquet:status'], removed: ['tourniquet:case', 'tourniquet:finding-type', 'tourniquet:finding-id', 'tourniquet:contained-at'] });
    expect(ec2.commandCalls(CreateTagsCommand)[0]!.args[0].input.Tags).toEqual([{ Key: 'tourniquet:status', Value: 'released' }]);
    expect(ec2.commandCalls(DeleteTagsCommand)[0]!.args[0].input.Tags!.map((t) => t.Key)).toEqual([
      'tourniquet:case',
      'tourniquet:finding-type',
      'tourniquet:finding-id',
      'tourniquet:contained-at',
    ]);
  });
});

describe('ec2.stop-instance', () => {
  it('stops a running instance and release starts it again', async () => {
    withInstance({ State: { Name: 'running' } });
    const pre = await stopInstance.capture({}, makeCtx());
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(pre).toEqual({ instanceId: INSTANCE_ID, state: 'running' });
    expect(await stopInstance.apply({}, pre, makeCtx())).toEqual({ previousState: 'running', stopped: true, snapshotsChecked: [] });
    expect(ec2.commandCalls(StopInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [INSTANCE_ID] });
    ec2.reset();
    withInstance({ State: { Name: 'stopped' } });
    expect(await stopInstance.apply({}, pre, makeCtx())).toMatchObject({ stopped: false });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
    expect(await stopInstance.release!({}, pre, undefined, makeCtx())).toEqual({ action: 'started' });
    expect(ec2.commandCalls(StartInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [INSTANCE_ID] });
  });

  it('release does not start an instance that was already stopped', async () => {
    withInstance({ State: { Name: 'stopped' } });
    expect(await stopInstance.release!({}, { instanceId: INSTANCE_ID, state: 'stopped' }, undefined, makeCtx())).toMatchObject({ action: 'none' });
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);
  });

  it('refuses (StepError) when a required snapshot is in the error state', async () => {
    withInstance({ State: { Name: 'running' } });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaaa', State: 'error', StateMessage: 'KMS key disabled' }] });
    const input = { requireSnapshots: ['snap-0aaaaaaaaaaaaaaaa'] };
    const err = await stopInstance.apply(input, { instanceId: INSTANCE_ID, state: 'running' }, makeCtx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as Error).message).toContain('snap-0aaaaaaaaaaaaaaaa (KMS key disabled) failed');
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { SnapshotIds: ['snap-0aaaaaaaaaaaaaaaa'] });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('with requireSnapshotsFromStep, refuses when a volume has no usable case snapshot', async () => {
    withInstance({ State: { Name: 'running' }, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }, { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-2' } }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-1', State: 'pending' }] });
    const input = { requireSnapshotsFromStep: 'snapshot-volumes' };
    await expect(stopInstance.apply(input, { instanceId: INSTANCE_ID, state: 'running' }, makeCtx())).rejects.toThrow(/no usable snapshot of this case for volume\(s\) vol-2/);
    // "Of this case": the snapshots looked at are the case's, of the instance's volumes, owned by this account.
    expect(ec2).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      OwnerIds: ['self'],
      Filters: [
        { Name: 'tag:tourniquet:case', Values: [CASE_ID] },
        { Name: 'volume-id', Values: ['vol-1', 'vol-2'] },
      ],
    });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-1', State: 'pending' }, { SnapshotId: 'snap-2', VolumeId: 'vol-2', State: 'completed' }] });
    expect(await stopInstance.apply(input, { instanceId: INSTANCE_ID, state: 'running' }, makeCtx())).toMatchObject({ stopped: true, snapshotsChecked: ['snap-1', 'snap-2'] });
  });
});
