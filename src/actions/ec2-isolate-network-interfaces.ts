/**
 * `ec2.isolate-network-interfaces`: two-step security-group swap on EVERY ENI of the instance (primary and
 * secondary, read from DescribeNetworkInterfaces): first the per-VPC "untrack" group, then the per-VPC "isolation"
 * group with no rules. The instance's own groups are never modified; release puts each ENI's groups back.
 *
 * Why two steps: a flow is untracked only when rules allow all traffic from and to 0.0.0.0/0 (or ::/0) in both
 * directions, and an untracked flow is cut as soon as the rule allowing it is removed; changing groups does not
 * cut tracked connections. Caveats (see the containment reference, §2.2 step 8): no AWS document states how long a
 * tracked flow takes to become untracked (AFO swaps back-to-back, the aws-samples isolation sample waits 180 s), so
 * `settleSeconds` is an input (default 0); ICMP and flows through NLB, NAT gateway, TGW, GWLB, Global Accelerator
 * or Network Firewall are always tracked, so this does not cut them — use `ec2.nacl-cut` or stop the instance.
 */
import { settleAll } from '../run-limited.js';
import { DescribeNetworkInterfacesCommand, ModifyNetworkInterfaceAttributeCommand, EC2Client, type NetworkInterface } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { sharedRead, type BoundActionContext, type VerifyResult } from './action.js';
import { ARN, isAwsError, resolveInstanceId, sleep } from './action-support.js';
import { defineAction } from './define-action.js';
import { listInstanceEnis, requireSharedInstance, sharedInstanceEnis } from './ec2-lookup.js';
import {
  ISOLATION_GROUP_PERMISSIONS,
  ensureIsolationGroups,
  findIsolationGroup,
  findIsolationGroups,
  groupHasShape,
  isolationGroupsKey,
  type IsolationGroups,
} from './isolation-security-groups.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // These interfaces instead of an instance's (an ECS task's awsvpc ENI): the same swap, no instance involved.
  networkInterfaceIds: z.array(z.string().regex(/^eni-[0-9a-f]{8,17}$/, 'an ENI id (eni-…)')).min(1).max(16).optional(),
  // Wait between the untrack step and the isolation step (0–600 s, default 0). No AWS doc states a value.
  settleSeconds: z.number().min(0).max(600).optional(),
});

/** Input of `ec2.isolate-network-interfaces`. */
export type IsolateNetworkInterfacesInput = z.infer<typeof InputSchema>;

export type EniGroups = { networkInterfaceId: string; vpcId: string; groupIds: string[] };

/** `instanceId` is '' when the input named the interfaces (`networkInterfaceIds`). */
export type IsolateNetworkInterfacesPreImage = { instanceId: string; networkInterfaceIds?: string[]; enis: EniGroups[] };

export type IsolateNetworkInterfacesOutput = {
  groups: Array<{ vpcId: string; untrackGroupId: string; isolationGroupId: string }>;
  isolated: string[];
  alreadyIsolated: string[];
  /** ENIs of the pre-image no longer attached to the instance. */
  missing: string[];
};

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((g, i) => g === [...b].sort()[i]);
}

async function setGroups(ec2: EC2Client, networkInterfaceId: string, groupIds: string[]): Promise<void> {
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, Groups: groupIds }));
}

/** The interfaces the input names, or else the instance's. */
type Target = { instanceId: string; networkInterfaceIds?: string[] | undefined };

function targetOf(input: IsolateNetworkInterfacesInput, ctx: BoundActionContext): Target {
  if (input.networkInterfaceIds !== undefined) return { instanceId: '', networkInterfaceIds: input.networkInterfaceIds };
  return { instanceId: resolveInstanceId(input, ctx) };
}

async function listTargetEnis(ec2: EC2Client, target: Target): Promise<NetworkInterface[]> {
  if (target.networkInterfaceIds === undefined) return listInstanceEnis(ec2, target.instanceId);
  // A filter, not NetworkInterfaceIds: a deleted interface is absent from the answer, not an error.
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: target.networkInterfaceIds }] }));
  return out.NetworkInterfaces ?? [];
}

function eniGroupsOf(enis: readonly NetworkInterface[]): Map<string, EniGroups> {
  const map = new Map<string, EniGroups>();
  for (const eni of enis) {
    if (eni.NetworkInterfaceId === undefined) continue;
    map.set(eni.NetworkInterfaceId, {
      networkInterfaceId: eni.NetworkInterfaceId,
      vpcId: eni.VpcId ?? '',
      groupIds: (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    });
  }
  return map;
}

async function currentEniGroups(ec2: EC2Client, target: Target): Promise<Map<string, EniGroups>> {
  return eniGroupsOf(await listTargetEnis(ec2, target));
}

/** The interfaces as this run first read them (an instance's: the run's shared answer, also used by the evidence). */
async function sharedEniGroups(ctx: BoundActionContext, target: Target): Promise<Map<string, EniGroups>> {
  if (target.networkInterfaceIds !== undefined) return currentEniGroups(ctx.aws(EC2Client), target);
  return eniGroupsOf(await sharedInstanceEnis(ctx, target.instanceId));
}

/** The groups of one VPC: handed over by this run's `ec2.prepare-isolation-groups`, else found or created now. */
function groupsFor(ctx: BoundActionContext, vpcId: string): Promise<IsolationGroups> {
  return sharedRead(ctx, isolationGroupsKey(vpcId), () => ensureIsolationGroups(ctx, vpcId));
}

export const isolateNetworkInterfaces = defineAction({
  name: 'ec2.isolate-network-interfaces',
  effect: 'contain',
  input: InputSchema,
  description:
    'Isolate every network interface of the instance: swap its security groups to a per-VPC allow-all "untrack" ' +
    'group, then to a per-VPC "isolation" group with no rules. Cuts untracked flows at once; tracked flows (ICMP, ' +
    'via NLB/NAT/TGW/GWLB and others) may survive — combine with a NACL cut or a stop. Release restores each ' +
    'interface\'s groups.',
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    // Without its preparation step (a later run, an ECS task), it readies the groups itself.
    ...ISOLATION_GROUP_PERMISSIONS,
    {
      actions: ['ec2:ModifyNetworkInterfaceAttribute'],
      resources: [ARN.ec2NetworkInterface, ARN.ec2SecurityGroup, ARN.ec2Instance],
      why: 'Swap the groups of each interface, and restore the original groups on release',
    },
  ],

  async capture(input, ctx): Promise<IsolateNetworkInterfacesPreImage> {
    const target = targetOf(input, ctx);
    const enis = [...(await sharedEniGroups(ctx, target)).values()];
    if (target.networkInterfaceIds === undefined) {
      // No interface: say whether the instance is gone.
      if (enis.length === 0) await requireSharedInstance(ctx, target.instanceId);
      return { instanceId: target.instanceId, enis };
    }
    if (enis.length === 0) throw ctx.fail(`none of the network interfaces ${target.networkInterfaceIds.join(', ')} exists`);
    return { instanceId: '', networkInterfaceIds: target.networkInterfaceIds, enis };
  },

  async apply(input, pre, ctx): Promise<IsolateNetworkInterfacesOutput> {
    const ec2 = ctx.aws(EC2Client);
    // The groups of every VPC and (unless the pre-image was read just now) the interfaces' groups, at once.
    const [groups, current] = await Promise.all([
      settleAll([...new Set(pre.enis.map((e) => e.vpcId))].map((vpcId) => groupsFor(ctx, vpcId))),
      ctx.preImageFresh === true ? Promise.resolve(new Map(pre.enis.map((e) => [e.networkInterfaceId, e]))) : currentEniGroups(ec2, pre),
    ]);
    const missing: string[] = [];
    const alreadyIsolated: string[] = [];
    const todo: Array<{ eniId: string; untrack: string; isolation: string; untracked: boolean }> = [];
    for (const eni of pre.enis) {
      const now = current.get(eni.networkInterfaceId);
      const g = groups.find((x) => x.vpcId === eni.vpcId);
      if (now === undefined || g === undefined) {
        missing.push(eni.networkInterfaceId);
      } else if (sameGroups(now.groupIds, [g.isolationGroupId])) {
        alreadyIsolated.push(eni.networkInterfaceId);
      } else {
        // Already on the untrack group (an earlier attempt got that far): only the isolation swap is left.
        todo.push({ eniId: eni.networkInterfaceId, untrack: g.untrackGroupId, isolation: g.isolationGroupId, untracked: sameGroups(now.groupIds, [g.untrackGroupId]) });
      }
    }
    // Step 1 on every interface at once, one settle period, then step 2 on every interface at once.
    await settleAll(todo.filter((t) => !t.untracked).map((t) => setGroups(ec2, t.eniId, [t.untrack])));
    const settleMs = (input.settleSeconds ?? 0) * 1000;
    if (todo.length > 0 && settleMs > 0) await sleep(settleMs);
    await settleAll(todo.map((t) => setGroups(ec2, t.eniId, [t.isolation])));
    return { groups, isolated: todo.map((t) => t.eniId), alreadyIsolated, missing };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const ec2 = ctx.aws(EC2Client);
    const restored: string[] = [];
    const unchanged: string[] = [];
    const missing: string[] = [];
    for (const eni of pre.enis) {
      // A filter, not NetworkInterfaceIds: a deleted interface is an empty answer, not an error.
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: [eni.networkInterfaceId] }] }),
      );
      const now = out.NetworkInterfaces?.[0];
      if (now === undefined) {
        missing.push(eni.networkInterfaceId);
        continue;
      }
      const groupIds = (now.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []));
      if (sameGroups(groupIds, eni.groupIds)) {
        unchanged.push(eni.networkInterfaceId);
        continue;
      }
      try {
        await setGroups(ec2, eni.networkInterfaceId, eni.groupIds);
        restored.push(eni.networkInterfaceId);
      } catch (err) {
        if (!isAwsError(err, 'InvalidNetworkInterfaceID.NotFound')) throw err; // deleted between describe and modify
        missing.push(eni.networkInterfaceId);
      }
    }
    return { restored, unchanged, missing };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const target = targetOf(input, ctx);
    const instanceId = target.networkInterfaceIds === undefined ? target.instanceId : target.networkInterfaceIds.join(', ');
    const ec2 = ctx.aws(EC2Client);
    const problems: string[] = [];
    // Which VPCs: identity (the run's first answer); the interfaces' groups and the isolation groups: read afresh,
    // both at once.
    const vpcIds = [...new Set([...(await sharedEniGroups(ctx, target)).values()].map((e) => e.vpcId))];
    const [currentMap, found] = await Promise.all([currentEniGroups(ec2, target), findIsolationGroups(ec2, vpcIds)]);
    const current = [...currentMap.values()];
    const isolationByVpc = new Map<string, { id: string; clean: boolean }>();
    for (const vpcId of new Set(current.map((e) => e.vpcId))) {
      const group = found.get(vpcId)?.isolation ?? (vpcIds.includes(vpcId) ? undefined : await findIsolationGroup(ec2, vpcId, 'isolation'));
      if (group?.GroupId === undefined) problems.push(`no isolation group in ${vpcId}`);
      else {
        isolationByVpc.set(vpcId, { id: group.GroupId, clean: groupHasShape(group, 'isolation') });
        if (!groupHasShape(group, 'isolation')) problems.push(`isolation group ${group.GroupId} has rules`);
      }
    }
    for (const eni of current) {
      const iso = isolationByVpc.get(eni.vpcId);
      if (iso === undefined || !sameGroups(eni.groupIds, [iso.id])) {
        problems.push(`${eni.networkInterfaceId} has [${eni.groupIds.join(', ')}]`);
      }
    }
    return {
      holds: current.length > 0 && problems.length === 0,
      detail:
        problems.length === 0
          ? `${current.length} interface(s) of ${instanceId} carry only the rule-less isolation group`
          : problems.join('; '),
    };
  },
});
