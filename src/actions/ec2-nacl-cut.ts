/**
 * `ec2.nacl-cut` (destructive): the hard cut. Security-group changes do not interrupt tracked connections; network
 * ACLs are stateless and evaluated per packet, so a deny-all NACL stops traffic at once. It applies to the WHOLE
 * subnet: every other instance in the instance's subnets loses its network too (traffic between instances of the
 * same subnet does not cross the NACL).
 *
 * For each VPC a quarantine NACL of this case is created (tags `tourniquet:role=quarantine-nacl`,
 * `tourniquet:case`), with explicit deny-all entries (rule 1, both directions, IPv4 and — when the VPC has IPv6 —
 * IPv6) on top of the implicit default deny, and associated with each subnet of the instance's ENIs. Release
 * puts each subnet's original NACL back (only where the subnet still has our NACL) and deletes the quarantine NACL.
 */
import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclCommand,
  DescribeNetworkAclsCommand,
  DescribeVpcsCommand,
  ReplaceNetworkAclAssociationCommand,
  EC2Client,
  type NetworkAcl,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, TAG, isAwsError, resolveInstanceId, tagValue } from './action-support.js';
import { defineAction } from './define-action.js';
import { listInstanceEnis, requireInstance } from './ec2-lookup.js';

const ROLE = 'quarantine-nacl';
const RULE = 1;
const RULE_V6 = 2;

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `ec2.nacl-cut`. */
export type NaclCutInput = z.infer<typeof InputSchema>;

export type NaclCutPreImage = {
  instanceId: string;
  subnets: Array<{ subnetId: string; vpcId: string; networkAclId: string; associationId: string }>;
};

export type NaclCutOutput = {
  quarantineNacls: Array<{ vpcId: string; networkAclId: string }>;
  cut: string[];
  alreadyCut: string[];
};

async function subnetAssociation(ec2: EC2Client, subnetId: string): Promise<{ networkAclId: string; associationId: string } | undefined> {
  const out = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  for (const acl of out.NetworkAcls ?? []) {
    const assoc = (acl.Associations ?? []).find((a) => a.SubnetId === subnetId);
    if (acl.NetworkAclId && assoc?.NetworkAclAssociationId) return { networkAclId: acl.NetworkAclId, associationId: assoc.NetworkAclAssociationId };
  }
  return undefined;
}

async function findQuarantineNacl(ec2: EC2Client, caseId: string, vpcId: string): Promise<NetworkAcl | undefined> {
  const out = await ec2.send(
    new DescribeNetworkAclsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: `tag:${TAG.role}`, Values: [ROLE] },
        { Name: `tag:${TAG.case}`, Values: [tagValue(caseId)] },
      ],
    }),
  );
  return (out.NetworkAcls ?? []).sort((a, b) => (a.NetworkAclId ?? '').localeCompare(b.NetworkAclId ?? ''))[0];
}

async function vpcHasIpv6(ec2: EC2Client, vpcId: string): Promise<boolean> {
  const out = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  return (out.Vpcs?.[0]?.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlockState?.State === 'associated');
}

function hasDeny(acl: NetworkAcl, egress: boolean, v6: boolean): boolean {
  return (acl.Entries ?? []).some(
    (e) =>
      e.Egress === egress &&
      e.RuleAction === 'deny' &&
      e.Protocol === '-1' &&
      e.RuleNumber === (v6 ? RULE_V6 : RULE) &&
      (v6 ? e.Ipv6CidrBlock === '::/0' : e.CidrBlock === '0.0.0.0/0'),
  );
}

/** Rule 1 is the lowest rule number, evaluated first: deny-all there in both directions means nothing passes. */
function isDenyAll(acl: NetworkAcl): boolean {
  return hasDeny(acl, true, false) && hasDeny(acl, false, false);
}

async function ensureQuarantineNacl(ctx: BoundActionContext, vpcId: string): Promise<string> {
  const ec2 = ctx.aws(EC2Client);
  let acl = await findQuarantineNacl(ec2, ctx.caseId, vpcId);
  if (acl === undefined) {
    const out = await ec2.send(
      new CreateNetworkAclCommand({
        VpcId: vpcId,
        TagSpecifications: [
          {
            ResourceType: 'network-acl',
            Tags: [
              { Key: TAG.role, Value: ROLE },
              { Key: TAG.case, Value: tagValue(ctx.caseId) },
              { Key: TAG.vpc, Value: vpcId },
              { Key: 'Name', Value: tagValue(`tourniquet-quarantine-${ctx.caseId}`) },
            ],
          },
        ],
      }),
    );
    acl = out.NetworkAcl;
  }
  const aclId = acl?.NetworkAclId;
  if (acl === undefined || aclId === undefined) throw ctx.fail(`could not create a quarantine NACL in ${vpcId}`);
  const wanted: Array<{ egress: boolean; v6: boolean }> = [
    { egress: false, v6: false },
    { egress: true, v6: false },
  ];
  if (await vpcHasIpv6(ec2, vpcId)) wanted.push({ egress: false, v6: true }, { egress: true, v6: true });
  for (const w of wanted) {
    if (hasDeny(acl, w.egress, w.v6)) continue;
    try {
      await ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: w.v6 ? RULE_V6 : RULE,
          Protocol: '-1',
          RuleAction: 'deny',
          Egress: w.egress,
          ...(w.v6 ? { Ipv6CidrBlock: '::/0' } : { CidrBlock: '0.0.0.0/0' }),
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'NetworkAclEntryAlreadyExists')) throw err;
    }
  }
  const check = await findQuarantineNacl(ec2, ctx.caseId, vpcId);
  if (check === undefined || !isDenyAll(check)) throw ctx.fail(`quarantine NACL ${aclId} does not deny all traffic after setup`);
  return aclId;
}

export const naclCut = defineAction({
  name: 'ec2.nacl-cut',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Associate a deny-all network ACL with every subnet of the instance: cuts existing (tracked) connections at ' +
    'once, but for the WHOLE subnet — every other instance in those subnets loses its network too. Release ' +
    'restores the original NACL of each subnet and deletes the quarantine NACL.',
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeNetworkAcls', 'ec2:DescribeVpcs'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    { actions: ['ec2:CreateNetworkAcl'], resources: [ARN.ec2Vpc], why: 'Create the quarantine NACL in the instance VPC' },
    {
      actions: ['ec2:CreateNetworkAcl'],
      resources: [ARN.ec2NetworkAcl],
      conditions: { StringEquals: { [`aws:RequestTag/${TAG.role}`]: ROLE } },
      why: 'Only NACLs created with the quarantine role tag',
    },
    {
      actions: ['ec2:CreateTags'],
      resources: [ARN.ec2NetworkAcl],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } },
      why: 'Tag the quarantine NACL at creation (tag-on-create only)',
    },
    {
      actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
      resources: [ARN.ec2NetworkAcl],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG.role}`]: ROLE } },
      why: 'Add deny entries to, and delete, Tourniquet quarantine NACLs only',
    },
    {
      actions: ['ec2:ReplaceNetworkAclAssociation'],
      resources: [ARN.ec2NetworkAcl, ARN.ec2Subnet],
      why: 'Associate the quarantine NACL with the subnets, and the original NACL again on release',
    },
  ],

  async capture(input, ctx): Promise<NaclCutPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    await requireInstance(ctx, instanceId);
    const ec2 = ctx.aws(EC2Client);
    const subnets: NaclCutPreImage['subnets'] = [];
    const seen = new Set<string>();
    for (const eni of await listInstanceEnis(ec2, instanceId)) {
      if (eni.SubnetId === undefined || eni.VpcId === undefined || seen.has(eni.SubnetId)) continue;
      seen.add(eni.SubnetId);
      const assoc = await subnetAssociation(ec2, eni.SubnetId);
      if (assoc === undefined) throw ctx.fail(`subnet ${eni.SubnetId} has no network ACL association`);
      subnets.push({ subnetId: eni.SubnetId, vpcId: eni.VpcId, ...assoc });
    }
    return { instanceId, subnets };
  },

  async apply(_input, pre, ctx): Promise<NaclCutOutput> {
    const ec2 = ctx.aws(EC2Client);
    const quarantineNacls: NaclCutOutput['quarantineNacls'] = [];
    for (const vpcId of [...new Set(pre.subnets.map((s) => s.vpcId))]) {
      quarantineNacls.push({ vpcId, networkAclId: await ensureQuarantineNacl(ctx, vpcId) });
    }
    const cut: string[] = [];
    const alreadyCut: string[] = [];
    for (const s of pre.subnets) {
      const target = quarantineNacls.find((q) => q.vpcId === s.vpcId)?.networkAclId;
      const now = await subnetAssociation(ec2, s.subnetId);
      if (target === undefined || now === undefined) throw ctx.fail(`subnet ${s.subnetId} has no network ACL association`);
      if (now.networkAclId === target) {
        alreadyCut.push(s.subnetId);
        continue;
      }
      await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: now.associationId, NetworkAclId: target }));
      cut.push(s.subnetId);
    }
    return { quarantineNacls, cut, alreadyCut };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const ec2 = ctx.aws(EC2Client);
    const restored: string[] = [];
    const leftAlone: string[] = [];
    const deleted: string[] = [];
    const kept: string[] = [];
    for (const vpcId of [...new Set(pre.subnets.map((s) => s.vpcId))]) {
      const ours = await findQuarantineNacl(ec2, ctx.caseId, vpcId);
      for (const s of pre.subnets.filter((x) => x.vpcId === vpcId)) {
        const now = await subnetAssociation(ec2, s.subnetId);
        if (ours?.NetworkAclId !== undefined && now?.networkAclId === ours.NetworkAclId) {
          await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: now.associationId, NetworkAclId: s.networkAclId }));
          restored.push(s.subnetId);
        } else {
          // Not (or no longer) our NACL on this subnet: someone changed it after us; do not undo their change.
          leftAlone.push(s.subnetId);
        }
      }
      if (ours?.NetworkAclId === undefined) continue;
      const after = await findQuarantineNacl(ec2, ctx.caseId, vpcId);
      if ((after?.Associations ?? []).length > 0) {
        kept.push(ours.NetworkAclId);
        continue;
      }
      await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: ours.NetworkAclId }));
      deleted.push(ours.NetworkAclId);
    }
    return { restored, leftAlone, deletedNacls: deleted, keptNacls: kept };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const ec2 = ctx.aws(EC2Client);
    const problems: string[] = [];
    const subnets = new Map<string, string>();
    for (const eni of await listInstanceEnis(ec2, instanceId)) if (eni.SubnetId && eni.VpcId) subnets.set(eni.SubnetId, eni.VpcId);
    for (const [subnetId, vpcId] of subnets) {
      const ours = await findQuarantineNacl(ec2, ctx.caseId, vpcId);
      const now = await subnetAssociation(ec2, subnetId);
      if (ours === undefined) problems.push(`no quarantine NACL in ${vpcId}`);
      else if (now?.networkAclId !== ours.NetworkAclId) problems.push(`${subnetId} is associated with ${now?.networkAclId ?? 'nothing'}`);
      else if (!isDenyAll(ours)) problems.push(`${ours.NetworkAclId} does not deny all traffic`);
    }
    return {
      holds: subnets.size > 0 && problems.length === 0,
      detail: problems.length === 0 ? `${subnets.size} subnet(s) of ${instanceId} behind the deny-all quarantine NACL` : problems.join('; '),
    };
  },
});
