/**
 * Reads an instance's containment-relevant state straight from AWS (or the emulator), independently of the journal:
 * the demo and the tests use it to prove that containment holds and that release restored everything.
 */
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { SeedClients } from './seed-gpu-fleet.js';

export interface InstanceState {
  readonly instanceId: string;
  readonly state?: string;
  /** ENI id → sorted group ids. */
  readonly groupsByEni: Readonly<Record<string, readonly string[]>>;
  /** Group id → number of ingress + egress rules (for the isolation group check). */
  readonly ruleCounts: Readonly<Record<string, number>>;
  readonly autoScaling?: { readonly group: string; readonly lifecycleState: string };
  /** Target group ARNs in which the instance is registered. */
  readonly targetGroups: readonly string[];
  readonly instanceProfileArn?: string;
  readonly roleInlinePolicies: readonly string[];
  readonly httpTokens?: string;
  readonly terminationProtection?: boolean;
  readonly shutdownBehavior?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Snapshots tagged with `tourniquet:case=<caseId>` (when a case id is given). */
  readonly caseSnapshots: readonly string[];
}

export async function readInstanceState(
  c: SeedClients,
  instanceId: string,
  options: { targetGroupArns?: readonly string[]; roleName?: string; caseId?: string } = {},
): Promise<InstanceState> {
  const d = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const inst = d.Reservations?.[0]?.Instances?.[0];
  const enis = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
  const groupsByEni: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const groupIds = new Set<string>();
  for (const n of enis.NetworkInterfaces ?? []) {
    const ids = (n.Groups ?? []).map((g) => g.GroupId!).sort();
    groupsByEni[n.NetworkInterfaceId!] = ids;
    ids.forEach((g) => groupIds.add(g));
  }
  const ruleCounts: Record<string, number> = Object.create(null) as Record<string, number>;
  if (groupIds.size) {
    const sgs = await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }));
    for (const g of sgs.SecurityGroups ?? []) ruleCounts[g.GroupId!] = (g.IpPermissions?.length ?? 0) + (g.IpPermissionsEgress?.length ?? 0);
  }
  const asg = await c.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  const asgInst = asg.AutoScalingInstances?.[0];
  const targetGroups: string[] = [];
  for (const tg of options.targetGroupArns ?? []) {
    const h = await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    if ((h.TargetHealthDescriptions ?? []).some((t) => t.Target?.Id === instanceId)) targetGroups.push(tg);
  }
  const assoc = await c.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const live = (assoc.IamInstanceProfileAssociations ?? []).find((a) => a.State === 'associated' || a.State === 'associating');
  const roleInlinePolicies = options.roleName
    ? ((await c.iam.send(new ListRolePoliciesCommand({ RoleName: options.roleName }))).PolicyNames ?? [])
    : [];
  const term = await c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
  const shut = await c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }));
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const t of inst?.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
  let caseSnapshots: string[] = [];
  if (options.caseId) {
    const snaps = await c.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:tourniquet:case', Values: [options.caseId] }] }));
    caseSnapshots = (snaps.Snapshots ?? []).map((s) => s.SnapshotId!).sort();
  }
  return {
    instanceId,
    state: inst?.State?.Name,
    groupsByEni,
    ruleCounts,
    autoScaling: asgInst ? { group: asgInst.AutoScalingGroupName!, lifecycleState: asgInst.LifecycleState! } : undefined,
    targetGroups,
    instanceProfileArn: live?.IamInstanceProfile?.Arn,
    roleInlinePolicies,
    httpTokens: inst?.MetadataOptions?.HttpTokens,
    terminationProtection: term.DisableApiTermination?.Value,
    shutdownBehavior: shut.InstanceInitiatedShutdownBehavior?.Value,
    tags,
    caseSnapshots,
  };
}
