/**
 * The two per-VPC security groups used by `ec2.isolate-network-interfaces`, created on first use and found again
 * by tag (`tourniquet:role=untrack|isolation`, `tourniquet:vpc=<vpcId>`):
 * - untrack: all traffic in and out from/to 0.0.0.0/0 and ::/0, so existing flows become untracked;
 * - isolation: no rules at all (the default egress rule is revoked).
 * Rules are (re)checked on every use and read back; a group that cannot be brought to its shape is an error.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { BoundActionContext } from './action.js';
import { TAG, isAwsError } from './action-support.js';

export type IsolationRole = 'untrack' | 'isolation';

export function isolationGroupName(role: IsolationRole, vpcId: string): string {
  return `tourniquet-${role}-${vpcId}`;
}

/** The group for `role` in `vpcId`, found by its tags; undefined when it was never created. */
export async function findIsolationGroup(ec2: EC2Client, vpcId: string, role: IsolationRole): Promise<SecurityGroup | undefined> {
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: `tag:${TAG.role}`, Values: [role] },
        { Name: `tag:${TAG.vpc}`, Values: [vpcId] },
      ],
    }),
  );
  // Two responders racing may both have created one under different names in theory; the oldest id wins.
  return (out.SecurityGroups ?? []).sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''))[0];
}

async function describeGroup(ec2: EC2Client, groupId: string): Promise<SecurityGroup | undefined> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return out.SecurityGroups?.[0];
}

async function createGroup(ec2: EC2Client, ctx: BoundActionContext, vpcId: string, role: IsolationRole): Promise<string> {
  const name = isolationGroupName(role, vpcId);
  try {
    const out = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        VpcId: vpcId,
        Description:
          role === 'untrack'
            ? 'Tourniquet: allow-all step that makes existing flows untracked before isolation'
            : 'Tourniquet: isolation, no rules',
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAG.role, Value: role },
              { Key: TAG.vpc, Value: vpcId },
              { Key: TAG.managedBy, Value: 'tourniquet' },
              { Key: 'Name', Value: name },
            ],
          },
        ],
      }),
    );
    if (out.GroupId === undefined) throw ctx.fail(`CreateSecurityGroup returned no GroupId for ${name}`);
    return out.GroupId;
  } catch (err) {
    // Another responder created it between our lookup and our create: use theirs.
    if (!isAwsError(err, 'InvalidGroup.Duplicate')) throw err;
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [name] },
        ],
      }),
    );
    const group = out.SecurityGroups?.[0];
    const tagged = group?.Tags?.some((t) => t.Key === TAG.role && t.Value === role) === true;
    if (group?.GroupId === undefined || !tagged) {
      throw ctx.fail(`a security group named ${name} exists in ${vpcId} but is not tagged ${TAG.role}=${role}; refusing to use it`, err);
    }
    return group.GroupId;
  }
}

const OPEN_V4 = '0.0.0.0/0';
const OPEN_V6 = '::/0';

function hasAllTraffic(perms: IpPermission[] | undefined, cidr: string): boolean {
  return (perms ?? []).some(
    (p) => p.IpProtocol === '-1' && (cidr === OPEN_V6 ? (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === cidr) : (p.IpRanges ?? []).some((r) => r.CidrIp === cidr)),
  );
}

function allTraffic(cidr: string): IpPermission {
  return cidr === OPEN_V6 ? { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: cidr }] } : { IpProtocol: '-1', IpRanges: [{ CidrIp: cidr }] };
}

function ruleCount(group: SecurityGroup): number {
  return (group.IpPermissions?.length ?? 0) + (group.IpPermissionsEgress?.length ?? 0);
}

async function shapeUntrack(ec2: EC2Client, group: SecurityGroup): Promise<void> {
  const groupId = group.GroupId;
  for (const cidr of [OPEN_V4, OPEN_V6]) {
    if (!hasAllTraffic(group.IpPermissions, cidr)) {
      try {
        await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [allTraffic(cidr)] }));
      } catch (err) {
        if (!isAwsError(err, 'InvalidPermission.Duplicate')) throw err; // added concurrently
      }
    }
    if (!hasAllTraffic(group.IpPermissionsEgress, cidr)) {
      try {
        await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [allTraffic(cidr)] }));
      } catch (err) {
        if (!isAwsError(err, 'InvalidPermission.Duplicate')) throw err;
      }
    }
  }
}

async function shapeIsolation(ec2: EC2Client, group: SecurityGroup): Promise<void> {
  const groupId = group.GroupId;
  for (const perm of group.IpPermissions ?? []) {
    try {
      await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] }));
    } catch (err) {
      if (!isAwsError(err, 'InvalidPermission.NotFound')) throw err; // revoked concurrently
    }
  }
  for (const perm of group.IpPermissionsEgress ?? []) {
    try {
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [perm] }));
    } catch (err) {
      if (!isAwsError(err, 'InvalidPermission.NotFound')) throw err;
    }
  }
}

/** True when the group has exactly the shape its role needs. */
export function groupHasShape(group: SecurityGroup, role: IsolationRole): boolean {
  if (role === 'isolation') return ruleCount(group) === 0;
  return [OPEN_V4, OPEN_V6].every((c) => hasAllTraffic(group.IpPermissions, c) && hasAllTraffic(group.IpPermissionsEgress, c));
}

/** Finds or creates the group for `role` in `vpcId`, brings its rules to shape and reads them back. Returns its id. */
export async function ensureIsolationGroup(ctx: BoundActionContext, vpcId: string, role: IsolationRole): Promise<string> {
  const ec2 = ctx.aws(EC2Client);
  const found = await findIsolationGroup(ec2, vpcId, role);
  const groupId = found?.GroupId ?? (await createGroup(ec2, ctx, vpcId, role));
  let group = found ?? (await describeGroup(ec2, groupId));
  if (group === undefined) throw ctx.fail(`security group ${groupId} (${role}) not found right after creation`);
  if (!groupHasShape(group, role)) {
    if (role === 'untrack') await shapeUntrack(ec2, group);
    else await shapeIsolation(ec2, group);
    group = await describeGroup(ec2, groupId);
    if (group === undefined || !groupHasShape(group, role)) {
      throw ctx.fail(
        `security group ${groupId} (${role}) does not have the expected rules after shaping: ` +
          `${group === undefined ? 'not found' : `${group.IpPermissions?.length ?? 0} ingress, ${group.IpPermissionsEgress?.length ?? 0} egress`}`,
      );
    }
  }
  return groupId;
}
