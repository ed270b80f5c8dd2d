/**
 * `autoscaling.leave-group`: take the instance out of its Auto Scaling group before its network is cut, otherwise
 * failed health checks make the group terminate (and replace) it and the evidence is lost. Termination protection
 * does not stop an ASG.
 *
 * method `standby` (default; AWS's state for troubleshooting, used by AWSSupport-ContainEC2Instance) or `detach`.
 * ShouldDecrementDesiredCapacity defaults to false for both, so the group launches a replacement and the service
 * keeps its capacity; set `decrementDesiredCapacity: true` to avoid the extra instance. Both standby and detach
 * deregister the instance from the group's load balancers and target groups.
 *
 * Release: ExitStandby or AttachInstances (both increment the desired capacity). If the group launched a
 * replacement, it is then one instance larger than it needs and its termination policy may remove an instance —
 * possibly the released one. AttachInstances fails when the group is at its maximum size; we say so before trying.
 */
import { settleAll } from '../run-limited.js';
import {
  AttachInstancesCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  SetInstanceProtectionCommand,
  AutoScalingClient,
  type AutoScalingGroup,
  type AutoScalingInstanceDetails,
} from '@aws-sdk/client-auto-scaling';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { sharedRead, type BoundActionContext, type ReadContext, type VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // `standby` (default) or `detach`.
  method: z.enum(['standby', 'detach']).optional(),
  // Default false: the group launches a replacement so the service keeps its capacity.
  decrementDesiredCapacity: z.boolean().optional(),
});

/** Input of `autoscaling.leave-group`. */
export type LeaveGroupInput = z.infer<typeof InputSchema>;

export type LeaveGroupPreImage =
  | { instanceId: string; inGroup: false }
  | {
      instanceId: string;
      inGroup: true;
      groupName: string;
      lifecycleState: string;
      protectedFromScaleIn: boolean;
      /** Pre-images journaled before the group's details moved to the output carry them here. */
      targetGroupArns?: string[];
      loadBalancerNames?: string[];
      desiredCapacity?: number | null;
      minSize?: number | null;
      maxSize?: number | null;
    };

/** The group as the instance left it (read alongside the change: release re-reads what it needs). */
export type LeaveGroupDetails = {
  targetGroupArns: string[];
  loadBalancerNames: string[];
  desiredCapacity: number | null;
  minSize: number | null;
  maxSize: number | null;
} | null;

export type LeaveGroupOutput =
  | { inGroup: false }
  | {
      inGroup: true;
      groupName: string;
      method: 'standby' | 'detach';
      decrementedDesiredCapacity: boolean;
      changed: boolean;
      /** The state found when the change was not needed; null when the change was made (verify reads it back). */
      lifecycleState: string | null;
      group?: LeaveGroupDetails;
    };

async function membership(asg: AutoScalingClient, instanceId: string): Promise<AutoScalingInstanceDetails | undefined> {
  const out = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return (out.AutoScalingInstances ?? []).find((i) => i.InstanceId === instanceId);
}

async function describeGroup(asg: AutoScalingClient, groupName: string): Promise<AutoScalingGroup | undefined> {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  return (out.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === groupName);
}

/** The run's shared answer: is the instance in a group, and in which state (pre-images; see ActionContext.reads). */
export function sharedMembership(ctx: ReadContext, instanceId: string): Promise<AutoScalingInstanceDetails | undefined> {
  return sharedRead(ctx, `autoscaling:DescribeAutoScalingInstances:${instanceId}`, () => membership(ctx.aws(AutoScalingClient), instanceId));
}

/** The run's shared answer for the group. */
export function sharedGroup(ctx: BoundActionContext, groupName: string): Promise<AutoScalingGroup | undefined> {
  return sharedRead(ctx, `autoscaling:DescribeAutoScalingGroups:${groupName}`, () => describeGroup(ctx.aws(AutoScalingClient), groupName));
}

function detailsOf(group: AutoScalingGroup | undefined): LeaveGroupDetails {
  if (group === undefined) return null;
  return {
    targetGroupArns: group.TargetGroupARNs ?? [],
    loadBalancerNames: group.LoadBalancerNames ?? [],
    desiredCapacity: group.DesiredCapacity ?? null,
    minSize: group.MinSize ?? null,
    maxSize: group.MaxSize ?? null,
  };
}

type InGroupPreImage = Extract<LeaveGroupPreImage, { inGroup: true }>;

/** The change: from the fresh pre-image's lifecycle state, or else the state read now. */
async function leaveNow(input: LeaveGroupInput, pre: InGroupPreImage, ctx: BoundActionContext): Promise<Extract<LeaveGroupOutput, { inGroup: true }>> {
  const method = input.method ?? 'standby';
  const decrement = input.decrementDesiredCapacity ?? false;
  const asg = ctx.aws(AutoScalingClient);
  const member: Pick<AutoScalingInstanceDetails, 'LifecycleState'> | undefined =
    ctx.preImageFresh === true ? { LifecycleState: pre.lifecycleState } : await membership(asg, pre.instanceId);
  const base = { inGroup: true as const, groupName: pre.groupName, method, decrementedDesiredCapacity: decrement };
    if (member === undefined) {
      // Already out of the group (a previous run detached it, or someone else did).
      return { ...base, changed: false, lifecycleState: null };
    }
    const state = member.LifecycleState ?? '';
    if (state.startsWith('Terminating') || state === 'Terminated') {
      throw ctx.fail(`the group is already terminating instance ${pre.instanceId} (lifecycle state ${state}); evidence may be lost`);
    }
    if (method === 'standby') {
      if (state === 'Standby' || state === 'EnteringStandby') return { ...base, changed: false, lifecycleState: state };
      if (state !== 'InService') {
        throw ctx.fail(`cannot put instance ${pre.instanceId} on standby from lifecycle state ${state}; retry when it is InService`);
      }
      await asg.send(
        new EnterStandbyCommand({ AutoScalingGroupName: pre.groupName, InstanceIds: [pre.instanceId], ShouldDecrementDesiredCapacity: decrement }),
      );
    } else {
      if (state === 'Detaching') return { ...base, changed: false, lifecycleState: state };
      if (state !== 'InService' && state !== 'Standby') {
        throw ctx.fail(`cannot detach instance ${pre.instanceId} from lifecycle state ${state}; retry when it is InService`);
      }
      await asg.send(
        new DetachInstancesCommand({ AutoScalingGroupName: pre.groupName, InstanceIds: [pre.instanceId], ShouldDecrementDesiredCapacity: decrement }),
      );
    }
    return { ...base, changed: true, lifecycleState: null };
}

export const leaveGroup = defineAction({
  name: 'autoscaling.leave-group',
  effect: 'contain',
  input: InputSchema,
  description:
    'Take the instance out of its Auto Scaling group (Standby by default, or detach) without decrementing the ' +
    'desired capacity, so the group keeps serving and does not terminate the instance when it is isolated. ' +
    'No-op when the instance is not in a group.',
  permissions: [
    {
      actions: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingGroups'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    {
      actions: [
        'autoscaling:EnterStandby',
        'autoscaling:ExitStandby',
        'autoscaling:DetachInstances',
        'autoscaling:AttachInstances',
        'autoscaling:SetInstanceProtection',
      ],
      resources: [ARN.autoScalingGroup],
      why: 'Move the instance out of its group and back on release',
    },
  ],

  // The membership, read with the live tags: leaving the fleet is on the way to the isolation.
  async prefetch(ctx) {
    if (ctx.subject.kind === 'ec2-instance') await sharedMembership(ctx, ctx.subject.details.instanceId);
  },

  async capture(input, ctx): Promise<LeaveGroupPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    // The membership is all the change needs: the group's details are read alongside the change (one round trip
    // fewer before the instance leaves its fleet).
    const member = await sharedMembership(ctx, instanceId);
    if (member?.AutoScalingGroupName === undefined) return { instanceId, inGroup: false };
    return {
      instanceId,
      inGroup: true,
      groupName: member.AutoScalingGroupName,
      lifecycleState: member.LifecycleState ?? 'unknown',
      protectedFromScaleIn: member.ProtectedFromScaleIn === true,
    };
  },

  async apply(input, pre, ctx): Promise<LeaveGroupOutput> {
    if (!pre.inGroup) return { inGroup: false };
    // The group's details are read alongside the change; a failed read fails the attempt (the retry finds the
    // instance already on its way out and changes nothing).
    const [done, details] = await settleAll([leaveNow(input, pre, ctx), sharedGroup(ctx, pre.groupName).then(detailsOf)]);
    return { ...done, group: details };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (!pre.inGroup) return { inGroup: false, restored: false };
    const asg = ctx.aws(AutoScalingClient);
    const member = await membership(asg, pre.instanceId);
    const notes: string[] = [];
    let restored = false;
    if (member === undefined) {
      const group = await describeGroup(asg, pre.groupName);
      if (group === undefined) throw ctx.fail(`group ${pre.groupName} no longer exists; cannot re-attach ${pre.instanceId}`);
      if (group.DesiredCapacity !== undefined && group.MaxSize !== undefined && group.DesiredCapacity + 1 > group.MaxSize) {
        throw ctx.fail(
          `group ${pre.groupName} is at its maximum size (desired ${group.DesiredCapacity}, max ${group.MaxSize}); ` +
            `raise MaxSize (or scale in the replacement) before releasing ${pre.instanceId}`,
        );
      }
      await asg.send(new AttachInstancesCommand({ AutoScalingGroupName: pre.groupName, InstanceIds: [pre.instanceId] }));
      restored = true;
    } else if (member.LifecycleState === 'Standby' && pre.lifecycleState !== 'Standby') {
      await asg.send(new ExitStandbyCommand({ AutoScalingGroupName: pre.groupName, InstanceIds: [pre.instanceId] }));
      restored = true;
    }
    const now = await membership(asg, pre.instanceId);
    if (now !== undefined && (now.ProtectedFromScaleIn === true) !== pre.protectedFromScaleIn) {
      await asg.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: pre.groupName,
          InstanceIds: [pre.instanceId],
          ProtectedFromScaleIn: pre.protectedFromScaleIn,
        }),
      );
      notes.push(`scale-in protection restored to ${pre.protectedFromScaleIn}`);
    }
    if (restored) {
      notes.push(
        'the desired capacity was incremented; if a replacement was launched when the instance left, the group may ' +
          'now terminate one instance (possibly this one) under its termination policy',
      );
    }
    return { inGroup: true, groupName: pre.groupName, restored, lifecycleState: now?.LifecycleState ?? null, notes };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const member = await membership(ctx.aws(AutoScalingClient), instanceId);
    if (member === undefined) return { holds: true, detail: `${instanceId} is not in an Auto Scaling group` };
    const state = member.LifecycleState ?? 'unknown';
    const holds = state === 'Standby' || state === 'EnteringStandby' || state === 'Detaching' || state === 'Detached';
    return { holds, detail: `${instanceId} is in group ${member.AutoScalingGroupName} with lifecycle state ${state}` };
  },
});
