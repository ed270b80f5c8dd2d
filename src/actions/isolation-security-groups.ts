/**
 * The two per-VPC security groups used by `ec2.isolate-network-interfaces`, created on first use and found again
 * by tag (`tourniquet:role=untrack|isolation`, `tourniquet:vpc=<vpcId>`):
 * - untrack: all traffic in and out from/to 0.0.0.0/0 and ::/0, so existing flows become untracked;
 * - isolation: no rules at all (the default egress rule is revoked).
 * Rules are (re)checked on every use and read back; a group that cannot be brought to its shape is an error.
 */
import { settleAll } from '../run-limited.js';
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
import type { BoundActionContext, IamPermission } from './action.js';
import { ARN, TAG, isAwsError } from './action-support.js';

export type IsolationRole = 'untrack' | 'isolation';

/** What finding, creating and shaping the two groups needs (the steps that ready or use them list it). */
export const ISOLATION_GROUP_PERMISSIONS: readonly IamPermission[] = [
  { actions: ['ec2:CreateSecurityGroup'], resources: [ARN.ec2Vpc], why: 'Create the untrack/isolation groups in the instance VPC' },
  {
    actions: ['ec2:CreateSecurityGroup'],
    resources: [ARN.ec2SecurityGroup],
    conditions: { StringEquals: { [`aws:RequestTag/${TAG.role}`]: ['untrack', 'isolation'] } },
    why: 'Only groups created with the Tourniquet role tag',
  },
  {
    actions: ['ec2:CreateTags'],
    resources: [ARN.ec2SecurityGroup],
    conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    why: 'Tag the groups at creation (tag-on-create only)',
  },
  {
    actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
    resources: [ARN.ec2SecurityGroup],
    conditions: { StringEquals: { [`aws:ResourceTag/${TAG.role}`]: ['untrack', 'isolation'] } },
    why: "Shape the rules of Tourniquet's own groups only; the instance's groups are never modified",
  },
];

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

/** Found groups: vpcId → role → the group (the oldest, when a race made two). */
export type FoundIsolationGroups = Map<string, Partial<Record<IsolationRole, SecurityGroup>>>;

/**
 * The groups of both roles, found in one call: in `vpcIds`, or in every VPC of the Region when not given (two groups
 * a VPC that was ever isolated in: a small answer, and it needs no VPC id first, so it runs alongside that lookup).
 */
export async function findIsolationGroups(ec2: EC2Client, vpcIds?: readonly string[]): Promise<FoundIsolationGroups> {
  const found: FoundIsolationGroups = new Map((vpcIds ?? []).map((v) => [v, {}]));
  if (vpcIds !== undefined && vpcIds.length === 0) return found;
  let nextToken: string | undefined;
  const groups: SecurityGroup[] = [];
  do {
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          ...(vpcIds !== undefined ? [{ Name: 'vpc-id', Values: [...vpcIds] }] : []),
          { Name: `tag:${TAG.role}`, Values: ['untrack', 'isolation'] },
        ],
        NextToken: nextToken,
      }),
    );
    groups.push(...(out.SecurityGroups ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  // Two responders racing may both have created one under different names in theory; the oldest id wins.
  for (const g of groups.sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''))) {
    const role = g.Tags?.find((t) => t.Key === TAG.role)?.Value;
    const vpc = g.Tags?.find((t) => t.Key === TAG.vpc)?.Value;
    if ((role !== 'untrack' && role !== 'isolation') || vpc !== g.VpcId || g.VpcId === undefined) continue;
    if (vpcIds !== undefined && !vpcIds.includes(g.VpcId)) continue;
    const byRole = found.get(g.VpcId) ?? {};
    found.set(g.VpcId, byRole);
    if (byRole[role] === undefined) byRole[role] = g;
  }
  return found;
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

/** Calls that may each find their change already made by someone else; all at once (their order does not matter). */
async function tolerant(calls: ReadonlyArray<() => Promise<unknown>>, alreadyCode: string): Promise<void> {
  await settleAll(
    calls.map(async (call) => {
      try {
        await call();
      } catch (err) {
        if (!isAwsError(err, alreadyCode)) throw err; // made concurrently
      }
    }),
  );
}

/** `group` undefined: just created, rules unknown (every rule is asked for; a duplicate is fine). */
async function shapeUntrack(ec2: EC2Client, groupId: string, group: SecurityGroup | undefined): Promise<void> {
  const calls: Array<() => Promise<unknown>> = [];
  for (const cidr of [OPEN_V4, OPEN_V6]) {
    if (group === undefined || !hasAllTraffic(group.IpPermissions, cidr)) {
      calls.push(() => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [allTraffic(cidr)] })));
    }
    if (group === undefined || !hasAllTraffic(group.IpPermissionsEgress, cidr)) {
      calls.push(() => ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [allTraffic(cidr)] })));
    }
  }
  await tolerant(calls, 'InvalidPermission.Duplicate');
}

/**
 * `group` undefined: just created, so its only rules are the ones AWS gives a new VPC group (all outbound IPv4, and
 * IPv6 where the VPC has it): those are revoked; a rule that is not there is fine. Read back afterwards either way.
 */
async function shapeIsolation(ec2: EC2Client, groupId: string, group: SecurityGroup | undefined): Promise<void> {
  const ingress = group?.IpPermissions ?? [];
  const egress = group === undefined ? [allTraffic(OPEN_V4), allTraffic(OPEN_V6)] : (group.IpPermissionsEgress ?? []);
  await tolerant(
    [
      ...ingress.map((perm) => () => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] }))),
      ...egress.map((perm) => () => ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [perm] }))),
    ],
    'InvalidPermission.NotFound',
  );
}

/** True when the group has exactly the shape its role needs. */
export function groupHasShape(group: SecurityGroup, role: IsolationRole): boolean {
  if (role === 'isolation') return ruleCount(group) === 0;
  return [OPEN_V4, OPEN_V6].every((c) => hasAllTraffic(group.IpPermissions, c) && hasAllTraffic(group.IpPermissionsEgress, c));
}

/** How `ensureIsolationGroup` may save round trips when its caller knows more. */
export interface EnsureOptions {
  /** The group as a lookup of this run just found it (null: none was found), instead of looking again. */
  readonly known?: SecurityGroup | null;
  /** Read the rules back after shaping (default true); false only when the caller's own verify reads them back. */
  readonly readBack?: boolean;
}

/** Finds or creates the group for `role` in `vpcId`, brings its rules to shape and reads them back. Returns its id. */
export async function ensureIsolationGroup(ctx: BoundActionContext, vpcId: string, role: IsolationRole, options: EnsureOptions = {}): Promise<string> {
  const ec2 = ctx.aws(EC2Client);
  const found = options.known === undefined ? await findIsolationGroup(ec2, vpcId, role) : (options.known ?? undefined);
  if (found?.GroupId !== undefined && groupHasShape(found, role)) return found.GroupId;
  const groupId = found?.GroupId ?? (await createGroup(ec2, ctx, vpcId, role));
  if (role === 'untrack') await shapeUntrack(ec2, groupId, found);
  else await shapeIsolation(ec2, groupId, found);
  if (options.readBack === false) return groupId;
  const group = await describeGroup(ec2, groupId);
  if (group === undefined || !groupHasShape(group, role)) {
    throw ctx.fail(
      `security group ${groupId} (${role}) does not have the expected rules after shaping: ` +
        `${group === undefined ? 'not found' : `${group.IpPermissions?.length ?? 0} ingress, ${group.IpPermissionsEgress?.length ?? 0} egress`}`,
    );
  }
  return groupId;
}

/** The two groups of one VPC, ready for the swap. */
export type IsolationGroups = { vpcId: string; untrackGroupId: string; isolationGroupId: string };

/**
 * Both groups of `vpcId`, found or created and shaped at once. `known`: the groups a lookup of this run found in
 * that VPC (a role missing from it: none was found), instead of looking again.
 */
export async function ensureIsolationGroups(
  ctx: BoundActionContext,
  vpcId: string,
  options: { readonly readBack?: boolean; readonly known?: Partial<Record<IsolationRole, SecurityGroup>> } = {},
): Promise<IsolationGroups> {
  const ensure = (role: IsolationRole): Promise<string> =>
    ensureIsolationGroup(ctx, vpcId, role, {
      ...(options.readBack !== undefined ? { readBack: options.readBack } : {}),
      ...(options.known !== undefined ? { known: options.known[role] ?? null } : {}),
    });
  const [untrackGroupId, isolationGroupId] = await settleAll([ensure('untrack'), ensure('isolation')]);
  return { vpcId, untrackGroupId, isolationGroupId };
}

/** The run's shared-reads key under which the groups of a VPC, once ready, are handed to the isolation. */
export function isolationGroupsKey(vpcId: string): string {
  return `ec2:isolation-groups:${vpcId}`;
}
