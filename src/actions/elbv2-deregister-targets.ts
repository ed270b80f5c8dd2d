/**
 * `elbv2.deregister-targets`: remove the instance from every ELBv2 target group in its VPC — instance targets by
 * instance id, IP targets by the private IPs of its ENIs — so no load balancer sends it traffic (and health checks
 * of an isolated instance do not fail on a serving path). Release registers the same (id, port, zone) again.
 *
 * Registrations already `draining` are left alone: they are being deregistered, typically because
 * `autoscaling.leave-group` put the instance on standby or detached it, and that step's release re-registers them.
 * It runs after `autoscaling.leave-group` (deregistering an instance that is still InService from its group's target
 * group could have the group's ELB health check replace it, and the evidence with it), but it does not read then:
 * `ec2.capture-instance-evidence` records the registrations at the start of the run (the run's shared reads), and
 * this step's pre-image is that record, so after the instance leaves its group only the DeregisterTargets calls and
 * the read-back remain before the network can be cut.
 */
import { settleAll } from '../run-limited.js';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { sharedRead, type BoundActionContext, type ReadContext, type VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { requireSharedInstance, sharedInstanceEnis } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `elbv2.deregister-targets`. */
export type DeregisterTargetsInput = z.infer<typeof InputSchema>;

export type TargetRegistration = {
  targetGroupArn: string;
  /** `instance` or `ip`. */
  targetType: string;
  /** Instance id (instance target groups) or IP address (ip target groups). */
  id: string;
  port: number | null;
  availabilityZone: string | null;
};

export type DeregisterTargetsPreImage = {
  instanceId: string;
  vpcId: string | null;
  registrations: TargetRegistration[];
};

export type DeregisterTargetsOutput = { deregistered: TargetRegistration[] };

type Identity = { instanceId: string; vpcId: string | null; ips: Set<string> };

/** Who the instance is in target groups: its id, VPC and every private address (identity: the run's shared reads). */
async function identityOf(ctx: BoundActionContext, instanceId: string): Promise<Identity> {
  const [instance, enis] = await Promise.all([requireSharedInstance(ctx, instanceId), sharedInstanceEnis(ctx, instanceId)]);
  const ips = new Set<string>();
  for (const eni of enis) {
    for (const p of eni.PrivateIpAddresses ?? []) if (p.PrivateIpAddress) ips.add(p.PrivateIpAddress);
    for (const a of eni.Ipv6Addresses ?? []) if (a.Ipv6Address) ips.add(a.Ipv6Address);
  }
  return { instanceId, vpcId: instance.VpcId ?? null, ips };
}

async function allTargetGroups(elb: ElasticLoadBalancingV2Client): Promise<TargetGroup[]> {
  const groups: TargetGroup[] = [];
  let marker: string | undefined;
  do {
    const out = await elb.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    groups.push(...(out.TargetGroups ?? []));
    marker = out.NextMarker;
  } while (marker);
  return groups;
}

function inVpc(groups: readonly TargetGroup[], vpcId: string | null): TargetGroup[] {
  return groups.filter(
    (g) => (vpcId === null || g.VpcId === vpcId) && (g.TargetType === 'instance' || g.TargetType === 'ip' || g.TargetType === undefined),
  );
}

/** The account's target groups (the run's shared answer: which groups exist is identity, not effect). */
export function sharedTargetGroups(ctx: ReadContext): Promise<TargetGroup[]> {
  return sharedRead(ctx, 'elbv2:DescribeTargetGroups', () => allTargetGroups(ctx.aws(ElasticLoadBalancingV2Client)));
}

/**
 * Who the instance is, and the target groups of its VPC: the list of groups does not need the VPC, so it is read
 * alongside the lookup that finds it.
 */
async function identityAndGroups(ctx: BoundActionContext, instanceId: string): Promise<{ who: Identity; groups: TargetGroup[] }> {
  const [who, all] = await Promise.all([identityOf(ctx, instanceId), sharedTargetGroups(ctx)]);
  return { who, groups: inVpc(all, who.vpcId).filter((g) => g.TargetGroupArn !== undefined) };
}

/**
 * The instance's registrations in every target group of its VPC, once per run (the evidence capture records them at
 * the start; this step's pre-image is the same answer). Registrations already `draining` are not listed.
 */
export function sharedTargetRegistrations(ctx: BoundActionContext, instanceId: string): Promise<{ vpcId: string | null; registrations: TargetRegistration[] }> {
  return sharedRead(ctx, `elbv2:registrations:${instanceId}`, async () => {
    const { who, groups } = await identityAndGroups(ctx, instanceId);
    return { vpcId: who.vpcId, registrations: await registrationsInAll(ctx.aws(ElasticLoadBalancingV2Client), groups, who) };
  });
}

/** Current registrations of the instance in each group, read at once. */
async function registrationsInAll(elb: ElasticLoadBalancingV2Client, groups: readonly TargetGroup[], who: Identity): Promise<TargetRegistration[]> {
  const each = await Promise.all(groups.map((g) => registrationsIn(elb, g.TargetGroupArn!, g.TargetType, who)));
  return each.flat();
}

/** Current registrations of this instance (not draining) in one target group. */
async function registrationsIn(
  elb: ElasticLoadBalancingV2Client,
  arn: string,
  targetType: string | undefined,
  who: Identity,
): Promise<TargetRegistration[]> {
  // Without `Targets` the answer lists every registered target with its port; asking for the instance id alone
  // would only show the target group's default port.
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  const result: TargetRegistration[] = [];
  for (const d of out.TargetHealthDescriptions ?? []) {
    const id = d.Target?.Id;
    if (id === undefined) continue;
    const mine = targetType === 'ip' ? who.ips.has(id) : id === who.instanceId;
    if (!mine) continue;
    if (d.TargetHealth?.State === 'draining' || d.TargetHealth?.Reason === 'Target.NotRegistered') continue;
    result.push({ targetGroupArn: arn, targetType: targetType ?? 'instance', id, port: d.Target?.Port ?? null, availabilityZone: d.Target?.AvailabilityZone ?? null });
  }
  return result;
}

function sameTarget(a: TargetRegistration, b: TargetRegistration): boolean {
  return a.targetGroupArn === b.targetGroupArn && a.id === b.id && a.port === b.port;
}

function toTarget(r: TargetRegistration): { Id: string; Port?: number; AvailabilityZone?: string } {
  return { Id: r.id, ...(r.port !== null ? { Port: r.port } : {}), ...(r.availabilityZone !== null ? { AvailabilityZone: r.availabilityZone } : {}) };
}

function groupByTargetGroup(regs: TargetRegistration[]): Map<string, TargetRegistration[]> {
  const byGroup = new Map<string, TargetRegistration[]>();
  for (const r of regs) byGroup.set(r.targetGroupArn, [...(byGroup.get(r.targetGroupArn) ?? []), r]);
  return byGroup;
}

export const deregisterTargets = defineAction({
  name: 'elbv2.deregister-targets',
  effect: 'contain',
  input: InputSchema,
  description:
    'Deregister the instance (and, for IP target groups, its private IPs) from every ELBv2 target group in its VPC. ' +
    'In-flight requests drain for the target group\'s deregistration delay. Release registers them again.',
  permissions: [
    {
      actions: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    {
      actions: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'],
      resources: [ARN.targetGroup],
      why: 'Take the instance out of its target groups and put it back on release',
    },
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces'],
      resources: ['*'],
      why: 'Find the instance VPC and private IPs (Describe calls do not support resource-level permissions)',
    },

  ],

  async capture(input, ctx): Promise<DeregisterTargetsPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const { vpcId, registrations } = await sharedTargetRegistrations(ctx, instanceId);
    return { instanceId, vpcId, registrations };
  },

  async apply(_input, pre, ctx): Promise<DeregisterTargetsOutput> {
    const elb = ctx.aws(ElasticLoadBalancingV2Client);
    const who = ctx.preImageFresh === true ? undefined : await identityOf(ctx, pre.instanceId);
    // Every target group at once; a fresh pre-image is the current registrations, else they are read again.
    const done = await settleAll(
      [...groupByTargetGroup(pre.registrations)].map(async ([arn, wanted]) => {
        const current = who === undefined ? wanted : await registrationsIn(elb, arn, wanted[0]?.targetType, who);
        const still = wanted.filter((w) => current.some((c) => sameTarget(c, w)));
        if (still.length > 0) await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: still.map(toTarget) }));
        return still;
      }),
    );
    return { deregistered: done.flat() };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const elb = ctx.aws(ElasticLoadBalancingV2Client);
    const who = await identityOf(ctx, pre.instanceId);
    const registered: TargetRegistration[] = [];
    for (const [arn, wanted] of groupByTargetGroup(pre.registrations)) {
      const current = await registrationsIn(elb, arn, wanted[0]?.targetType, who);
      const missing = wanted.filter((w) => !current.some((c) => sameTarget(c, w)));
      if (missing.length === 0) continue;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: missing.map(toTarget) }));
      registered.push(...missing);
    }
    return { registered };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    // Which groups: identity (shared); whether the instance is still registered in them: read afresh.
    const { who, groups } = await identityAndGroups(ctx, instanceId);
    const remaining = await registrationsInAll(ctx.aws(ElasticLoadBalancingV2Client), groups, who);
    return {
      holds: remaining.length === 0,
      detail:
        remaining.length === 0
          ? `${instanceId} is not registered (or is draining) in any target group of ${who.vpcId ?? 'its VPC'}`
          : `still registered: ${remaining.map((r) => `${r.targetGroupArn} ${r.id}:${r.port ?? '-'}`).join(', ')}`,
    };
  },
});
