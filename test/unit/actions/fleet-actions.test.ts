import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  AttachInstancesCommand,
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { leaveGroup, type LeaveGroupPreImage } from '../../../src/actions/autoscaling-leave-group.js';
import { deregisterTargets } from '../../../src/actions/elbv2-deregister-targets.js';
import { StepError } from '../../../src/errors.js';
import { INSTANCE_ENIS_FILTER, INSTANCE_FILTER, INSTANCE_ID, makeCtx } from './action-fixtures.js';

const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);
afterEach(() => {
  asg.reset();
  elb.reset();
  ec2.reset();
});

function member(state: string | null, protectedFromScaleIn = true): void {
  // The group exists (as it does in AWS while it has members); tests that look at its details set them.
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'fleet' } as never] });
  asg.on(DescribeAutoScalingInstancesCommand).resolves({
    AutoScalingInstances: state === null ? [] : [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'fleet', LifecycleState: state, ProtectedFromScaleIn: protectedFromScaleIn } as never],
  });
}

const inGroup: LeaveGroupPreImage = {
  instanceId: INSTANCE_ID,
  inGroup: true,
  groupName: 'fleet',
  lifecycleState: 'InService',
  protectedFromScaleIn: true,
  targetGroupArns: ['arn:tg/web'],
  loadBalancerNames: [],
  desiredCapacity: 3,
  minSize: 1,
  maxSize: 4,
};

describe('autoscaling.leave-group', () => {
  it('not in a group: pre-image says so and apply is a no-op', async () => {
    member(null);
    const pre = await leaveGroup.capture({}, makeCtx());
    expect(pre).toEqual({ instanceId: INSTANCE_ID, inGroup: false });
    expect(await leaveGroup.apply({}, pre, makeCtx())).toEqual({ inGroup: false });
    expect(asg.commandCalls(EnterStandbyCommand)).toHaveLength(0);
  });

  it('records group, lifecycle state and scale-in protection; standby without decrementing by default, the group read alongside', async () => {
    member('InService');
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupName: 'fleet', TargetGroupARNs: ['arn:tg/web'], LoadBalancerNames: [], DesiredCapacity: 3, MinSize: 1, MaxSize: 4 } as never],
    });
    const pre = await leaveGroup.capture({ method: 'standby' }, makeCtx());
    // The membership is all the change needs: the group itself is not read before the instance leaves it.
    expect(pre).toEqual({ instanceId: INSTANCE_ID, inGroup: true, groupName: 'fleet', lifecycleState: 'InService', protectedFromScaleIn: true });
    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingInstancesCommand, { InstanceIds: [INSTANCE_ID] });
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
    const out = await leaveGroup.apply({ method: 'standby' }, pre, { ...makeCtx(), preImageFresh: true });
    expect(asg.commandCalls(EnterStandbyCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'fleet', InstanceIds: [INSTANCE_ID], ShouldDecrementDesiredCapacity: false });
    // A fresh pre-image: the membership is not read again; the group's details are recorded in the output.
    expect(asg.commandCalls(DescribeAutoScalingInstancesCommand)).toHaveLength(1);
    expect(out).toMatchObject({ changed: true, group: { targetGroupArns: ['arn:tg/web'], loadBalancerNames: [], desiredCapacity: 3, minSize: 1, maxSize: 4 } });
  });

  it('a failed read of the group\'s details fails the attempt (never swallowed); the change itself was still made', async () => {
    member('InService');
    asg.on(DescribeAutoScalingGroupsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    await expect(leaveGroup.apply({}, { ...inGroup }, { ...makeCtx(), preImageFresh: true })).rejects.toThrow(/Rate exceeded/);
    expect(asg.commandCalls(EnterStandbyCommand)).toHaveLength(1);
  });

  it('detach (and the decrement override) is honoured; an instance already out of the group is a no-op', async () => {
    member('InService');
    await leaveGroup.apply({ method: 'detach', decrementDesiredCapacity: true }, inGroup, makeCtx());
    expect(asg.commandCalls(DetachInstancesCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'fleet', InstanceIds: [INSTANCE_ID], ShouldDecrementDesiredCapacity: true });
    asg.reset();
    member(null);
    expect(await leaveGroup.apply({ method: 'detach' }, inGroup, makeCtx())).toMatchObject({ inGroup: true, changed: false });
    expect(asg.commandCalls(DetachInstancesCommand)).toHaveLength(0);
  });

  it('standby again is a no-op; an instance the group is terminating is a StepError', async () => {
    member('Standby');
    expect(await leaveGroup.apply({}, inGroup, makeCtx())).toMatchObject({ changed: false, lifecycleState: 'Standby' });
    asg.reset();
    member('Terminating:Wait');
    await expect(leaveGroup.apply({}, inGroup, makeCtx())).rejects.toBeInstanceOf(StepError);
  });

  it('release: ExitStandby, and scale-in protection restored when it changed', async () => {
    asg.on(DescribeAutoScalingInstancesCommand)
      .resolvesOnce({ AutoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'fleet', LifecycleState: 'Standby', ProtectedFromScaleIn: false } as never] })
      .resolves({ AutoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'fleet', LifecycleState: 'InService', ProtectedFromScaleIn: false } as never] });
    const out = (await leaveGroup.release!({}, inGroup, undefined, makeCtx())) as { restored: boolean; notes: string[] };
    expect(out.restored).toBe(true);
    expect(asg.commandCalls(ExitStandbyCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'fleet', InstanceIds: [INSTANCE_ID] });
    expect(asg.commandCalls(SetInstanceProtectionCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'fleet', InstanceIds: [INSTANCE_ID], ProtectedFromScaleIn: true });
    expect(out.notes.join(' ')).toMatch(/termination policy/);
  });

  it('release after detach: AttachInstances, but a clear StepError when the group is at its maximum size', async () => {
    member(null);
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'fleet', DesiredCapacity: 4, MaxSize: 4 } as never] });
    await expect(leaveGroup.release!({}, inGroup, undefined, makeCtx())).rejects.toThrow(/at its maximum size \(desired 4, max 4\)/);
    expect(asg.commandCalls(AttachInstancesCommand)).toHaveLength(0);
    // The size checked is the recorded group's.
    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['fleet'] });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'fleet', DesiredCapacity: 3, MaxSize: 4 } as never] });
    await leaveGroup.release!({}, inGroup, undefined, makeCtx());
    expect(asg.commandCalls(AttachInstancesCommand)[0]!.args[0].input).toEqual({ AutoScalingGroupName: 'fleet', InstanceIds: [INSTANCE_ID] });
  });
});

describe('elbv2.deregister-targets', () => {
  const TG_WEB = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1';
  const TG_IP = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/ip/2';
  const TG_OTHER_VPC = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/other/3';

  function world(): void {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID, VpcId: 'vpc-1' }] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.5' }, { PrivateIpAddress: '10.0.0.6' }] }],
    });
    elb.on(DescribeTargetGroupsCommand)
      .resolvesOnce({ TargetGroups: [{ TargetGroupArn: TG_WEB, VpcId: 'vpc-1', TargetType: 'instance' }], NextMarker: 'm2' })
      .resolvesOnce({
        TargetGroups: [
          { TargetGroupArn: TG_IP, VpcId: 'vpc-1', TargetType: 'ip' },
          { TargetGroupArn: TG_OTHER_VPC, VpcId: 'vpc-2', TargetType: 'instance' },
        ],
      });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_WEB }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: INSTANCE_ID, Port: 80 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: INSTANCE_ID, Port: 8080 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0ffffffffffffffff', Port: 80 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_IP }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.6', Port: 443, AvailabilityZone: 'eu-west-1a' }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: '10.0.0.5', Port: 443 }, TargetHealth: { State: 'draining' } },
      ],
    });
  }

  it('records every registration (all ports, IP targets) in the VPC, skipping draining ones, and deregisters them', async () => {
    world();
    const pre = await deregisterTargets.capture({}, makeCtx());
    expect(pre.registrations).toEqual([
      { targetGroupArn: TG_WEB, targetType: 'instance', id: INSTANCE_ID, port: 80, availabilityZone: null },
      { targetGroupArn: TG_WEB, targetType: 'instance', id: INSTANCE_ID, port: 8080, availabilityZone: null },
      { targetGroupArn: TG_IP, targetType: 'ip', id: '10.0.0.6', port: 443, availabilityZone: 'eu-west-1a' },
    ]);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, INSTANCE_ENIS_FILTER);
    // Every page of target groups is read: the second request carries the first page's marker.
    expect(elb).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 2);
    expect(elb).toHaveReceivedNthCommandWith(DescribeTargetGroupsCommand, 2, { Marker: 'm2' });
    // The other VPC's target group is never read.
    expect(elb.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input.TargetGroupArn)).not.toContain(TG_OTHER_VPC);
    await deregisterTargets.apply({}, pre, makeCtx());
    expect(elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: TG_WEB, Targets: [{ Id: INSTANCE_ID, Port: 80 }, { Id: INSTANCE_ID, Port: 8080 }] },
      { TargetGroupArn: TG_IP, Targets: [{ Id: '10.0.0.6', Port: 443, AvailabilityZone: 'eu-west-1a' }] },
    ]);
  });

  it('acts on a fresh pre-image without reading the registrations again', async () => {
    world();
    const pre = await deregisterTargets.capture({}, makeCtx());
    const reads = elb.commandCalls(DescribeTargetHealthCommand).length;
    await deregisterTargets.apply({}, pre, { ...makeCtx(), preImageFresh: true });
    expect(elb.commandCalls(DescribeTargetHealthCommand)).toHaveLength(reads);
    expect(elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input.TargetGroupArn)).toEqual([TG_WEB, TG_IP]);
  });

  it('is idempotent (already deregistered: nothing to do) and release registers exactly what was recorded', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID, VpcId: 'vpc-1' }] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: INSTANCE_ID, Port: 80 }, TargetHealth: { State: 'draining' } }] });
    const pre = {
      instanceId: INSTANCE_ID,
      vpcId: 'vpc-1',
      registrations: [{ targetGroupArn: TG_WEB, targetType: 'instance', id: INSTANCE_ID, port: 80, availabilityZone: null }],
    };
    expect(await deregisterTargets.apply({}, pre, makeCtx())).toEqual({ deregistered: [] });
    expect(elb).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: TG_WEB });
    expect(elb.commandCalls(DeregisterTargetsCommand)).toHaveLength(0);
    expect(await deregisterTargets.release!({}, pre, undefined, makeCtx())).toEqual({ registered: pre.registrations });
    expect(elb.commandCalls(RegisterTargetsCommand)[0]!.args[0].input).toEqual({ TargetGroupArn: TG_WEB, Targets: [{ Id: INSTANCE_ID, Port: 80 }] });
  });
});
