/**
 * `ec2.prepare-isolation-groups`: find or create, in every VPC of the instance's network interfaces, the two groups
 * `ec2.isolate-network-interfaces` swaps in (the allow-all "untrack" group and the rule-less "isolation" group), and
 * bring their rules to shape. A step of its own so it runs while the instance is still being taken out of its fleet:
 * the isolation then starts with its groups ready (they are handed over through the run's shared reads; in a later
 * run the isolation finds them again itself). Changes no resource of the workload.
 * Not reversible: the groups are shared by every isolated interface of the VPC, so release keeps them.
 */
import { settleAll } from '../run-limited.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { sharedRead, type BoundActionContext, type ReadContext, type VerifyResult } from './action.js';
import { resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { sharedInstanceEnis } from './ec2-lookup.js';
import {
  ISOLATION_GROUP_PERMISSIONS,
  ensureIsolationGroups,
  findIsolationGroups,
  groupHasShape,
  isolationGroupsKey,
  type FoundIsolationGroups,
  type IsolationGroups,
} from './isolation-security-groups.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `ec2.prepare-isolation-groups`. */
export type PrepareIsolationGroupsInput = z.infer<typeof InputSchema>;

/** Each VPC with the groups found before the step (null: none yet). */
export type PrepareIsolationGroupsPreImage = { instanceId: string; vpcs: Array<{ vpcId: string; untrackGroupId: string | null; isolationGroupId: string | null }> };

export type PrepareIsolationGroupsOutput = { groups: IsolationGroups[] };

/** The run's one lookup of every Tourniquet isolation group of the Region (no VPC id needed first). */
function sharedIsolationGroups(ctx: ReadContext): Promise<FoundIsolationGroups> {
  return sharedRead(ctx, 'ec2:isolation-groups:all', () => findIsolationGroups(ctx.aws(EC2Client)));
}

async function vpcsOf(ctx: BoundActionContext, instanceId: string): Promise<string[]> {
  const enis = await sharedInstanceEnis(ctx, instanceId);
  if (enis.length === 0) throw ctx.fail(`instance ${instanceId} has no network interface (or does not exist)`);
  return [...new Set(enis.flatMap((e) => (e.VpcId !== undefined ? [e.VpcId] : [])))];
}

export const prepareIsolationGroups = defineAction({
  name: 'ec2.prepare-isolation-groups',
  effect: 'contain',
  keptOnRelease: 'the untrack and isolation groups are kept: every isolated interface of the VPC shares them, and they change no workload resource',
  input: InputSchema,
  description:
    'Find or create the per-VPC "untrack" (all traffic) and "isolation" (no rules) security groups the isolation ' +
    'swaps in, and bring their rules to shape, before the isolation starts. Touches no workload resource. The groups ' +
    'are kept on release: every isolated interface of the VPC shares them.',
  permissions: [
    {
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    ...ISOLATION_GROUP_PERMISSIONS,
  ],

  // The instance's interfaces (their VPCs) and the Region's isolation groups, read with the live tags: finding the
  // groups is the first round trip on the way to the isolation.
  async prefetch(ctx) {
    if (ctx.subject.kind !== 'ec2-instance') return;
    await Promise.all([sharedInstanceEnis(ctx, ctx.subject.details.instanceId), sharedIsolationGroups(ctx)]);
  },

  async capture(input, ctx): Promise<PrepareIsolationGroupsPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const [vpcIds, found] = await Promise.all([vpcsOf(ctx, instanceId), sharedIsolationGroups(ctx)]);
    return {
      instanceId,
      vpcs: vpcIds.map((vpcId) => ({ vpcId, untrackGroupId: found.get(vpcId)?.untrack?.GroupId ?? null, isolationGroupId: found.get(vpcId)?.isolation?.GroupId ?? null })),
    };
  },

  async apply(_input, pre, ctx): Promise<PrepareIsolationGroupsOutput> {
    // A fresh pre-image: the groups the capture found (with their rules) are the current ones; else look again.
    const found = ctx.preImageFresh === true ? await sharedIsolationGroups(ctx) : undefined;
    // The verify reads the rules back, so the shaping does not (one round trip fewer before the isolation).
    const groups = await settleAll(
      pre.vpcs.map(({ vpcId }) => ensureIsolationGroups(ctx, vpcId, { readBack: false, ...(found !== undefined ? { known: found.get(vpcId) ?? {} } : {}) })),
    );
    return { groups };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const vpcIds = await vpcsOf(ctx, instanceId);
    const found = await findIsolationGroups(ctx.aws(EC2Client), vpcIds);
    const problems: string[] = [];
    for (const vpcId of vpcIds) {
      for (const role of ['untrack', 'isolation'] as const) {
        const group = found.get(vpcId)?.[role];
        if (group === undefined) problems.push(`no ${role} group in ${vpcId}`);
        else if (!groupHasShape(group, role)) problems.push(`${role} group ${group.GroupId} in ${vpcId} is not in shape`);
      }
    }
    if (problems.length > 0) return { holds: false, detail: problems.join('; ') };
    // Read back in shape: hand them to this run's isolation, which then starts with its swap.
    for (const vpcId of vpcIds) {
      const ready: IsolationGroups = { vpcId, untrackGroupId: found.get(vpcId)!.untrack!.GroupId!, isolationGroupId: found.get(vpcId)!.isolation!.GroupId! };
      await sharedRead(ctx, isolationGroupsKey(vpcId), () => Promise.resolve(ready));
    }
    return { holds: true, detail: `untrack and isolation groups ready in ${vpcIds.join(', ')}` };
  },
});
