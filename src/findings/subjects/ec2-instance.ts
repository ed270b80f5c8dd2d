/**
 * `resource.instanceDetails` → an `ec2-instance` subject with every ENI (security groups, subnet, VPC, public,
 * private and IPv6 addresses), the instance profile, type, state and AZ: what isolation and evidence steps need.
 */
import type { AiReason, Ec2InstanceDetails, Ec2InstanceSubject, NetworkInterfaceRef, Tag } from '../model.js';
import { acceleratorReason, amiReason, nameReasons } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { nameTag, readTags, subjectAi, type SubjectEnv } from './subject-env.js';
import { item, sub } from '../json-path.js';

const NO_STRINGS: readonly string[] = Object.freeze([]);

function readNetworkInterface(env: SubjectEnv, eni: JsonObject, path: string): NetworkInterfaceRef {
  const { ctx } = env;
  const groups: Array<{ groupId?: string; groupName?: string }> = [];
  const sgs = ctx.optArray(eni, 'securityGroups', path);
  if (sgs !== undefined) {
    const p = sub(path, 'securityGroups');
    for (let i = 0; i < sgs.length; i++) {
      const sg = ctx.element(sgs, i, p);
      if (sg === undefined) continue;
      // Both members are optional in the API model; a group with neither says nothing.
      const groupId = ctx.optString(sg, 'groupId', item(p, i));
      const groupName = ctx.optString(sg, 'groupName', item(p, i));
      if (groupId === undefined && groupName === undefined) continue;
      if (groupId === undefined) ctx.note(item(p, i), `security group ${JSON.stringify(groupName)} has no groupId: kept by name only`);
      // Literals, not spreads of conditional objects: this runs for every group of every ENI of an export.
      groups.push(groupId === undefined ? { groupName: groupName! } : groupName === undefined ? { groupId } : { groupId, groupName });
    }
  }
  // Optional in the API model, and absent from real findings of 2017: the interface is kept without it (isolation
  // reads the instance's live ENIs anyway), and the finding says so.
  const networkInterfaceId = ctx.optString(eni, 'networkInterfaceId', path);
  if (networkInterfaceId === undefined) ctx.note(path, 'network interface has no networkInterfaceId: kept without it');
  const subnetId = ctx.optString(eni, 'subnetId', path);
  const vpcId = ctx.optString(eni, 'vpcId', path);
  const publicIp = ctx.optString(eni, 'publicIp', path);
  const privateIpAddress = ctx.optString(eni, 'privateIpAddress', path);
  const ipv6Addresses = ctx.optStringArray(eni, 'ipv6Addresses', path) ?? NO_STRINGS;
  return networkInterfaceId === undefined
    ? { subnetId, vpcId, securityGroups: groups, publicIp, privateIpAddress, ipv6Addresses }
    : { networkInterfaceId, subnetId, vpcId, securityGroups: groups, publicIp, privateIpAddress, ipv6Addresses };
}

export interface Ec2Extras {
  readonly role?: string | undefined;
  readonly derivedFrom?: string | undefined;
}

/** Builds the subject from an `instanceDetails` object at `path` (relative to the finding). */
export function ec2FromInstanceDetails(env: SubjectEnv, d: JsonObject, path: string, extras: Ec2Extras = {}): Ec2InstanceSubject {
  const { ctx } = env;
  const instanceId = ctx.reqString(d, 'instanceId', path);
  const enis: NetworkInterfaceRef[] = [];
  const list = ctx.optArray(d, 'networkInterfaces', path);
  if (list !== undefined) {
    const p = sub(path, 'networkInterfaces');
    for (let i = 0; i < list.length; i++) {
      const eni = ctx.element(list, i, p);
      if (eni !== undefined) enis.push(readNetworkInterface(env, eni, item(p, i)));
    }
  }
  const instanceType = ctx.optString(d, 'instanceType', path);
  const profile = ctx.optObject(d, 'iamInstanceProfile', path);
  let profileArn: string | undefined;
  let iamInstanceProfile: Ec2InstanceDetails['iamInstanceProfile'];
  if (profile !== undefined) {
    const pp = sub(path, 'iamInstanceProfile');
    profileArn = ctx.optString(profile, 'arn', pp);
    const id = ctx.optString(profile, 'id', pp);
    if (profileArn !== undefined || id !== undefined) iamInstanceProfile = { arn: profileArn, id };
  }
  const details: Ec2InstanceDetails = {
    instanceId,
    instanceType,
    imageId: ctx.optString(d, 'imageId', path),
    instanceState: ctx.optString(d, 'instanceState', path),
    availabilityZone: ctx.optString(d, 'availabilityZone', path),
    iamInstanceProfile,
    networkInterfaces: enis,
    launchTime: ctx.optTimestamp(d, 'launchTime', path),
    platform: ctx.optString(d, 'platform', path),
  };
  const tags = readTags(env, d, 'tags', path);

  const reasons: AiReason[] = [];
  const accel = acceleratorReason(instanceType);
  if (accel !== undefined) reasons.push(accel);
  amiReason(ctx.optString(d, 'imageDescription', path), reasons);
  nameReasons('instance profile', profileArn, reasons);
  return ec2Subject(env, details, tags, reasons, extras);
}

/** Assembles an `ec2-instance` subject from already-validated details. */
export function ec2Subject(
  env: SubjectEnv,
  details: Ec2InstanceDetails,
  tags: readonly Tag[],
  reasons: AiReason[],
  extras: Ec2Extras = {},
): Ec2InstanceSubject {
  // Same field order as other subjects (see otherSubject).
  return {
    kind: 'ec2-instance',
    id: details.instanceId,
    arn: undefined,
    name: nameTag(tags),
    accountId: env.accountId,
    region: env.region,
    tags,
    ai: subjectAi(env, tags, reasons),
    role: extras.role ?? env.role,
    derived: extras.derivedFrom !== undefined ? true : undefined,
    derivedFrom: extras.derivedFrom,
    details,
  };
}
