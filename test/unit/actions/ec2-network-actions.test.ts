import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkAclCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceNetworkAclAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  type DescribeSecurityGroupsCommandInput,
  type NetworkAcl,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { isolateNetworkInterfaces } from '../../../src/actions/ec2-isolate-network-interfaces.js';
import { naclCut } from '../../../src/actions/ec2-nacl-cut.js';
import { CASE_ID, INSTANCE_ENIS_FILTER, INSTANCE_FILTER, INSTANCE_ID, awsError, makeCtx } from './action-fixtures.js';

const ec2 = mockClient(EC2Client);
afterEach(() => {
  ec2.reset();
  vi.useRealTimers();
});

const enis = [
  { NetworkInterfaceId: 'eni-primary', VpcId: 'vpc-1', SubnetId: 'subnet-a', Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: 'sg-app' }, { GroupId: 'sg-ssh' }] },
  { NetworkInterfaceId: 'eni-second', VpcId: 'vpc-1', SubnetId: 'subnet-a', Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: 'sg-app' }] },
];

/**
 * A tiny security-group world: groups by id (in vpc-1 unless they say otherwise); Describe answers by id, or by the
 * VPC, tag and name filters it is given (as EC2 does: a lookup without the VPC filter sees every VPC's groups).
 */
function securityGroupWorld(groups: SecurityGroup[]): { groups: Map<string, SecurityGroup> } {
  const byId = new Map(groups.map((g) => [g.GroupId!, { VpcId: 'vpc-1', ...g }]));
  // A filter matches any of its values, as in EC2.
  const filterValues = (input: DescribeSecurityGroupsCommandInput, name: string): string[] | undefined => input.Filters?.find((f) => f.Name === name)?.Values;
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input: DescribeSecurityGroupsCommandInput) => {
    if (input.GroupIds) return { SecurityGroups: input.GroupIds.flatMap((id) => (byId.has(id) ? [structuredClone(byId.get(id)!)] : [])) };
    const vpc = filterValues(input, 'vpc-id');
    const role = filterValues(input, 'tag:tourniquet:role');
    const name = filterValues(input, 'group-name');
    const found = [...byId.values()].filter(
      (g) =>
        (vpc === undefined || vpc.includes(g.VpcId!)) &&
        (role === undefined || g.Tags?.some((t) => t.Key === 'tourniquet:role' && role.includes(t.Value!))) &&
        (name === undefined || name.includes(g.GroupName!)),
    );
    return { SecurityGroups: found.map((g) => structuredClone(g)) };
  });
  return { groups: byId };
}

/** The lookup of Tourniquet's `role` group in vpc-1: by VPC and tags. */
const groupLookup = (role: string) => ({
  Filters: [
    { Name: 'vpc-id', Values: ['vpc-1'] },
    { Name: 'tag:tourniquet:role', Values: [role] },
    { Name: 'tag:tourniquet:vpc', Values: ['vpc-1'] },
  ],
});

const tags = (role: string): SecurityGroup['Tags'] => [
  { Key: 'tourniquet:role', Value: role },
  { Key: 'tourniquet:vpc', Value: 'vpc-1' },
];

describe('ec2.isolate-network-interfaces', () => {
  it('records each ENI\'s groups, creates both groups tagged, shapes their rules, then swaps every ENI in two steps', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID }] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: enis });
    const world = securityGroupWorld([]);
    let n = 0;
    ec2.on(CreateSecurityGroupCommand).callsFake((input: { GroupName: string; VpcId: string; TagSpecifications: Array<{ Tags: SecurityGroup['Tags'] }> }) => {
      const id = `sg-new${++n}`;
      world.groups.set(id, {
        GroupId: id,
        VpcId: input.VpcId,
        GroupName: input.GroupName,
        Tags: input.TagSpecifications[0]!.Tags,
        IpPermissions: [],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], // AWS's default egress
      });
      return { GroupId: id };
    });
    // As EC2 does: a rule that is already there is InvalidPermission.Duplicate, a rule that is not InvalidPermission.NotFound.
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    const authorize = (rules: NonNullable<SecurityGroup['IpPermissions']>, add: NonNullable<SecurityGroup['IpPermissions']>) => {
      if (add.some((r) => rules.some((x) => same(x, r)))) throw awsError('InvalidPermission.Duplicate');
      rules.push(...add);
      return {};
    };
    ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake((input: { GroupId: string; IpPermissions: SecurityGroup['IpPermissions'] }) =>
      authorize(world.groups.get(input.GroupId)!.IpPermissions!, input.IpPermissions!),
    );
    ec2.on(AuthorizeSecurityGroupEgressCommand).callsFake((input: { GroupId: string; IpPermissions: SecurityGroup['IpPermissions'] }) =>
      authorize(world.groups.get(input.GroupId)!.IpPermissionsEgress!, input.IpPermissions!),
    );
    ec2.on(RevokeSecurityGroupEgressCommand).callsFake((input: { GroupId: string; IpPermissions: SecurityGroup['IpPermissions'] }) => {
      const group = world.groups.get(input.GroupId)!;
      const left = group.IpPermissionsEgress!.filter((x) => !input.IpPermissions!.some((r) => same(x, r)));
      if (left.length === group.IpPermissionsEgress!.length) throw awsError('InvalidPermission.NotFound');
      group.IpPermissionsEgress = left;
      return {};
    });

    const ctx = makeCtx();
    const pre = await isolateNetworkInterfaces.capture({ settleSeconds: 0 }, ctx);
    // The interfaces say everything the pre-image needs: no DescribeInstances when the instance has some.
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, INSTANCE_ENIS_FILTER);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(pre).toEqual({
      instanceId: INSTANCE_ID,
      enis: [
        { networkInterfaceId: 'eni-primary', vpcId: 'vpc-1', groupIds: ['sg-app', 'sg-ssh'] },
        { networkInterfaceId: 'eni-second', vpcId: 'vpc-1', groupIds: ['sg-app'] },
      ],
    });
    const out = await isolateNetworkInterfaces.apply({ settleSeconds: 0 }, pre, ctx);
    expect(out).toEqual({
      groups: [{ vpcId: 'vpc-1', untrackGroupId: 'sg-new1', isolationGroupId: 'sg-new2' }],
      isolated: ['eni-primary', 'eni-second'],
      alreadyIsolated: [],
      missing: [],
    });
    // Looked for in the instance's VPC first, by tag.
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, groupLookup('untrack'));
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, groupLookup('isolation'));
    const creates = ec2.commandCalls(CreateSecurityGroupCommand).map((c) => c.args[0].input);
    expect(creates.map((c) => [c.GroupName, c.VpcId])).toEqual([
      ['tourniquet-untrack-vpc-1', 'vpc-1'],
      ['tourniquet-isolation-vpc-1', 'vpc-1'],
    ]);
    expect(creates[1]!.TagSpecifications![0]!.Tags).toEqual(expect.arrayContaining(tags('isolation')!));
    // Untrack: all traffic from 0.0.0.0/0 and ::/0 in; ::/0 out added next to the default 0.0.0.0/0 egress (asked for
    // too, without a read of the new group first: EC2 answers Duplicate, which is fine).
    const untrack = world.groups.get('sg-new1')!;
    expect(untrack.IpPermissions).toEqual(
      expect.arrayContaining([
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ]),
    );
    expect(untrack.IpPermissions).toHaveLength(2);
    expect(untrack.IpPermissionsEgress).toHaveLength(2);
    // Isolation: the default egress revoked (IPv4, and IPv6 where a VPC has it: NotFound here), nothing left.
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand).map((c) => c.args[0].input.GroupId)).toEqual(['sg-new2', 'sg-new2']);
    expect(world.groups.get('sg-new2')!.IpPermissionsEgress).toEqual([]);
    // Step 1 on every ENI, then step 2 on every ENI. The instance's own groups are never touched.
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => [c.args[0].input.NetworkInterfaceId, c.args[0].input.Groups])).toEqual([
      ['eni-primary', ['sg-new1']],
      ['eni-second', ['sg-new1']],
      ['eni-primary', ['sg-new2']],
      ['eni-second', ['sg-new2']],
    ]);
    const touched = [
      ...ec2.commandCalls(AuthorizeSecurityGroupIngressCommand),
      ...ec2.commandCalls(AuthorizeSecurityGroupEgressCommand),
      ...ec2.commandCalls(RevokeSecurityGroupEgressCommand),
    ].map((c) => (c.args[0].input as { GroupId?: string }).GroupId);
    expect(new Set(touched)).toEqual(new Set(['sg-new1', 'sg-new2']));
  });

  it('waits settleSeconds between the two steps', async () => {
    vi.useFakeTimers();
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: enis });
    securityGroupWorld([
      { GroupId: 'sg-u', GroupName: 'tourniquet-untrack-vpc-1', Tags: tags('untrack'), IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }, { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] },
      { GroupId: 'sg-i', GroupName: 'tourniquet-isolation-vpc-1', Tags: tags('isolation'), IpPermissions: [], IpPermissionsEgress: [] },
    ]);
    const pre = { instanceId: INSTANCE_ID, enis: [{ networkInterfaceId: 'eni-primary', vpcId: 'vpc-1', groupIds: ['sg-app'] }] };
    const done = isolateNetworkInterfaces.apply({ settleSeconds: 5 }, pre, makeCtx());
    await vi.advanceTimersByTimeAsync(4_900);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input.Groups)).toEqual([['sg-u']]);
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input.Groups)).toEqual([['sg-u'], ['sg-i']]);
    // Existing, well-shaped groups of this VPC are reused as they are.
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, groupLookup('untrack'));
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, groupLookup('isolation'));
    expect(ec2.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('a retry after a partial attempt swaps an ENI already on the untrack group straight to isolation', async () => {
    // The earlier attempt moved eni-primary to the untrack group, then was throttled.
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ ...enis[0]!, Groups: [{ GroupId: 'sg-u' }] }, enis[1]!] });
    securityGroupWorld([
      { GroupId: 'sg-u', GroupName: 'tourniquet-untrack-vpc-1', Tags: tags('untrack'), IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] },
      { GroupId: 'sg-i', GroupName: 'tourniquet-isolation-vpc-1', Tags: tags('isolation'), IpPermissions: [], IpPermissionsEgress: [] },
    ]);
    const pre = {
      instanceId: INSTANCE_ID,
      enis: [
        { networkInterfaceId: 'eni-primary', vpcId: 'vpc-1', groupIds: ['sg-app', 'sg-ssh'] },
        { networkInterfaceId: 'eni-second', vpcId: 'vpc-1', groupIds: ['sg-app'] },
      ],
    };
    const out = await isolateNetworkInterfaces.apply({}, pre, makeCtx());
    expect(out.isolated).toEqual(['eni-primary', 'eni-second']);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => [c.args[0].input.NetworkInterfaceId, c.args[0].input.Groups])).toEqual([
      ['eni-second', ['sg-u']],
      ['eni-primary', ['sg-i']],
      ['eni-second', ['sg-i']],
    ]);
  });

  it('a concurrent responder created the group first: InvalidGroup.Duplicate → use theirs, found by name', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ ...enis[1]!, Groups: [{ GroupId: 'sg-i' }] }] });
    const world = securityGroupWorld([]);
    ec2.on(CreateSecurityGroupCommand).callsFake((input: { GroupName: string }) => {
      // The other responder wins the race for both names.
      const role = input.GroupName.includes('untrack') ? 'untrack' : 'isolation';
      const id = role === 'untrack' ? 'sg-u' : 'sg-i';
      world.groups.set(id, {
        GroupId: id,
        VpcId: 'vpc-1',
        GroupName: input.GroupName,
        Tags: tags(role),
        IpPermissions: role === 'untrack' ? [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] : [],
        IpPermissionsEgress: role === 'untrack' ? [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] : [],
      });
      throw awsError('InvalidGroup.Duplicate');
    });
    const pre = { instanceId: INSTANCE_ID, enis: [{ networkInterfaceId: 'eni-second', vpcId: 'vpc-1', groupIds: ['sg-app'] }] };
    const out = await isolateNetworkInterfaces.apply({}, pre, makeCtx());
    expect(out.groups).toEqual([{ vpcId: 'vpc-1', untrackGroupId: 'sg-u', isolationGroupId: 'sg-i' }]);
    // Theirs is found by its name in this VPC.
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
      Filters: [
        { Name: 'vpc-id', Values: ['vpc-1'] },
        { Name: 'group-name', Values: ['tourniquet-untrack-vpc-1'] },
      ],
    });
    // The ENI already had the isolation group: nothing to swap.
    expect(out.alreadyIsolated).toEqual(['eni-second']);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand)).toHaveLength(0);
  });

  it('refuses a group that carries Tourniquet\'s name but not its tag', async () => {
    securityGroupWorld([{ GroupId: 'sg-evil', GroupName: 'tourniquet-untrack-vpc-1', Tags: [], IpPermissions: [], IpPermissionsEgress: [] }]);
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [enis[1]!] });
    const pre = { instanceId: INSTANCE_ID, enis: [{ networkInterfaceId: 'eni-second', vpcId: 'vpc-1', groupIds: ['sg-app'] }] };
    await expect(isolateNetworkInterfaces.apply({}, pre, makeCtx())).rejects.toThrow(/not tagged tourniquet:role=untrack; refusing to use it/);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand)).toHaveLength(0);
  });

  it('release puts each ENI\'s recorded groups back and reports an ENI that is gone', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: { Filters: Array<{ Values: string[] }> }) => {
      const id = input.Filters[0]!.Values[0];
      return { NetworkInterfaces: id === 'eni-gone' ? [] : [{ NetworkInterfaceId: id, Groups: [{ GroupId: 'sg-i' }] }] };
    });
    const pre = {
      instanceId: INSTANCE_ID,
      enis: [
        { networkInterfaceId: 'eni-primary', vpcId: 'vpc-1', groupIds: ['sg-app', 'sg-ssh'] },
        { networkInterfaceId: 'eni-gone', vpcId: 'vpc-1', groupIds: ['sg-app'] },
      ],
    };
    expect(await isolateNetworkInterfaces.release!({}, pre, undefined, makeCtx())).toEqual({ restored: ['eni-primary'], unchanged: [], missing: ['eni-gone'] });
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'network-interface-id', Values: ['eni-primary'] }] });
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'network-interface-id', Values: ['eni-gone'] }] });
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkInterfaceId: 'eni-primary', Groups: ['sg-app', 'sg-ssh'] },
    ]);
  });

  it('verify fails when the isolation group has a rule or an ENI carries another group', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ ...enis[0]!, Groups: [{ GroupId: 'sg-i' }] }, { ...enis[1]!, Groups: [{ GroupId: 'sg-i' }, { GroupId: 'sg-app' }] }] });
    securityGroupWorld([{ GroupId: 'sg-i', Tags: tags('isolation'), IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }] }]);
    const v = await isolateNetworkInterfaces.verify!({}, makeCtx());
    expect(v.holds).toBe(false);
    expect(v.detail).toContain('isolation group sg-i has rules');
    expect(v.detail).toContain('eni-second has [sg-i, sg-app]');
  });
});

describe('ec2.nacl-cut', () => {
  it('records each subnet\'s NACL, associates a tagged deny-all NACL, and release restores and deletes it', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID }] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: enis });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlockState: { State: 'associated' } }] }] });
    const acls = new Map<string, NetworkAcl>([
      ['acl-orig', { NetworkAclId: 'acl-orig', VpcId: 'vpc-1', Associations: [{ NetworkAclAssociationId: 'aclassoc-1', SubnetId: 'subnet-a' }], Entries: [] }],
    ]);
    ec2.on(DescribeNetworkAclsCommand).callsFake((input: { Filters: Array<{ Name: string; Values: string[] }> }) => {
      const subnet = input.Filters.find((f) => f.Name === 'association.subnet-id')?.Values[0];
      const caseTag = input.Filters.find((f) => f.Name === 'tag:tourniquet:case')?.Values[0];
      const found = [...acls.values()].filter((a) =>
        subnet !== undefined ? a.Associations?.some((x) => x.SubnetId === subnet) : a.Tags?.some((t) => t.Key === 'tourniquet:case' && t.Value === caseTag),
      );
      return { NetworkAcls: found.map((a) => structuredClone(a)) };
    });
    ec2.on(CreateNetworkAclCommand).callsFake((input: { TagSpecifications: Array<{ Tags: NetworkAcl['Tags'] }> }) => {
      const acl = { NetworkAclId: 'acl-q', VpcId: 'vpc-1', Tags: input.TagSpecifications[0]!.Tags, Associations: [], Entries: [] };
      acls.set('acl-q', acl);
      return { NetworkAcl: structuredClone(acl) };
    });
    ec2.on(CreateNetworkAclEntryCommand).callsFake((input: { NetworkAclId: string }) => {
      acls.get(input.NetworkAclId)!.Entries!.push(input as never);
      return {};
    });
    let assocN = 1;
    ec2.on(ReplaceNetworkAclAssociationCommand).callsFake((input: { AssociationId: string; NetworkAclId: string }) => {
      for (const a of acls.values()) {
        const i = (a.Associations ?? []).findIndex((x) => x.NetworkAclAssociationId === input.AssociationId);
        if (i >= 0) {
          const [moved] = a.Associations!.splice(i, 1);
          acls.get(input.NetworkAclId)!.Associations!.push({ ...moved, NetworkAclAssociationId: `aclassoc-${++assocN}` });
        }
      }
      return { NewAssociationId: `aclassoc-${assocN}` };
    });
    ec2.on(DeleteNetworkAclCommand).callsFake((input: { NetworkAclId: string }) => {
      acls.delete(input.NetworkAclId);
      return {};
    });

    const ctx = makeCtx();
    const pre = await naclCut.capture({}, ctx);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, INSTANCE_FILTER);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, INSTANCE_ENIS_FILTER);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkAclsCommand, { Filters: [{ Name: 'association.subnet-id', Values: ['subnet-a'] }] });
    expect(pre).toEqual({ instanceId: INSTANCE_ID, subnets: [{ subnetId: 'subnet-a', vpcId: 'vpc-1', networkAclId: 'acl-orig', associationId: 'aclassoc-1' }] });
    expect(await naclCut.apply({}, pre, ctx)).toEqual({ quarantineNacls: [{ vpcId: 'vpc-1', networkAclId: 'acl-q' }], cut: ['subnet-a'], alreadyCut: [] });
    expect(ec2.commandCalls(CreateNetworkAclCommand)[0]!.args[0].input.TagSpecifications![0]!.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'tourniquet:role', Value: 'quarantine-nacl' },
        { Key: 'tourniquet:case', Value: CASE_ID },
      ]),
    );
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkAclId: 'acl-q', RuleNumber: 1, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      { NetworkAclId: 'acl-q', RuleNumber: 1, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
      { NetworkAclId: 'acl-q', RuleNumber: 2, Protocol: '-1', RuleAction: 'deny', Egress: false, Ipv6CidrBlock: '::/0' },
      { NetworkAclId: 'acl-q', RuleNumber: 2, Protocol: '-1', RuleAction: 'deny', Egress: true, Ipv6CidrBlock: '::/0' },
    ]);
    expect(acls.get('acl-q')!.Associations!.map((a) => a.SubnetId)).toEqual(['subnet-a']);
    // IPv6 deny entries because this VPC has an IPv6 block.
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcsCommand, { VpcIds: ['vpc-1'] });
    expect((await naclCut.verify!({}, ctx)).holds).toBe(true);

    // Second apply: the subnet is already behind the quarantine NACL; nothing is created or replaced.
    expect(await naclCut.apply({}, pre, ctx)).toMatchObject({ cut: [], alreadyCut: ['subnet-a'] });
    expect(ec2.commandCalls(CreateNetworkAclCommand)).toHaveLength(1);
    expect(ec2.commandCalls(ReplaceNetworkAclAssociationCommand)).toHaveLength(1);

    expect(await naclCut.release!({}, pre, undefined, ctx)).toEqual({ restored: ['subnet-a'], leftAlone: [], deletedNacls: ['acl-q'], keptNacls: [] });
    expect(acls.get('acl-orig')!.Associations!.map((a) => a.SubnetId)).toEqual(['subnet-a']);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(DeleteNetworkAclCommand, { NetworkAclId: 'acl-q' });
    expect(acls.has('acl-q')).toBe(false);
  });
});
