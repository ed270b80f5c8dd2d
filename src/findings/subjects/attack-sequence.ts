/**
 * Extended Threat Detection: an `attack-sequence` subject carrying the sequence's actors, signals, endpoints and
 * indicators in its details, plus one subject per `service.detection.sequence.resources[]` entry whose
 * FindingResourceType maps to a subject kind. Resources without a kind (network interfaces, ASGs, launch templates,
 * VPCs, images, stacks, instance profiles, Bedrock resources) stay listed in the sequence subject's details;
 * network interfaces are attached to the instances that reference them.
 */
import type { AiReason, NetworkInterfaceRef, Subject, Tag } from '../model.js';
import { imageReason, nameReasons } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { credentialSubjects } from './credentials.js';
import { ec2Subject } from './ec2-instance.js';
import { bucketFromArn, s3ObjectSubject } from './s3.js';
import { otherSubject, readTags, type SubjectEnv } from './subject-env.js';
import { acceleratorReason } from '../ai-context.js';
import { item, sub } from '../json-path.js';

interface SequenceResource {
  readonly uid: string;
  readonly resourceType: string;
  readonly name?: string | undefined;
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  readonly tags: readonly Tag[];
  readonly data?: JsonObject | undefined;
  readonly path: string;
}

function readResources(env: SubjectEnv, seq: JsonObject, path: string): SequenceResource[] {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'resources', path);
  if (arr === undefined) return [];
  const out: SequenceResource[] = [];
  // Paths worked out once per list, not once per element (this runs for every attack sequence of an export).
  const listPath = sub(path, 'resources');
  for (let i = 0; i < arr.length; i++) {
    const r = ctx.element(arr, i, listPath);
    if (r === undefined) continue;
    const rp = item(listPath, i);
    out.push({
      uid: ctx.reqString(r, 'uid', rp),
      resourceType: ctx.reqString(r, 'resourceType', rp),
      name: ctx.optString(r, 'name', rp),
      accountId: ctx.optString(r, 'accountId', rp),
      region: ctx.optString(r, 'region', rp),
      tags: readTags(env, r, 'tags', rp),
      data: ctx.optObject(r, 'data', rp),
      path: rp,
    });
  }
  return out;
}

/** Field of `resource.data.<member>`, validated. */
function dataOf(env: SubjectEnv, r: SequenceResource, member: string): JsonObject | undefined {
  return r.data === undefined ? undefined : env.ctx.optObject(r.data, member, sub(r.path, 'data'));
}

function eniFromSequence(env: SubjectEnv, r: SequenceResource): NetworkInterfaceRef {
  const { ctx } = env;
  const d = dataOf(env, r, 'ec2NetworkInterface');
  const p = sub(sub(r.path, 'data'), 'ec2NetworkInterface');
  const groups: Array<{ groupId: string; groupName?: string }> = [];
  let privateIp: string | undefined;
  const ref: { -readonly [K in keyof NetworkInterfaceRef]: NetworkInterfaceRef[K] } = { networkInterfaceId: r.uid, securityGroups: groups, ipv6Addresses: [] };
  if (d === undefined) return ref;
  const sgs = ctx.optArray(d, 'securityGroups', p);
  if (sgs !== undefined) {
    for (let i = 0; i < sgs.length; i++) {
      const sg = ctx.element(sgs, i, sub(p, 'securityGroups'));
      if (sg === undefined) continue;
      const groupId = ctx.reqString(sg, 'groupId', item(sub(p, 'securityGroups'), i));
      const groupName = ctx.optString(sg, 'groupName', item(sub(p, 'securityGroups'), i));
      groups.push(groupName === undefined ? { groupId } : { groupId, groupName });
    }
  }
  const ips = ctx.optArray(d, 'privateIpAddresses', p);
  if (ips !== undefined && ips.length > 0) {
    const first = ctx.element(ips, 0, sub(p, 'privateIpAddresses'));
    privateIp = first === undefined ? undefined : ctx.optString(first, 'privateIpAddress', `${p}.privateIpAddresses[0]`);
  }
  ref.ipv6Addresses = ctx.optStringArray(d, 'ipv6Addresses', p) ?? [];
  // The sequence model spells it `subNetId`.
  const subnetId = ctx.optString(d, 'subNetId', p) ?? ctx.optString(d, 'subnetId', p);
  if (subnetId !== undefined) ref.subnetId = subnetId;
  const vpcId = ctx.optString(d, 'vpcId', p);
  if (vpcId !== undefined) ref.vpcId = vpcId;
  const publicIp = ctx.optString(d, 'publicIp', p);
  if (publicIp !== undefined) ref.publicIp = publicIp;
  if (privateIp !== undefined) ref.privateIpAddress = privateIp;
  return ref;
}

function resourceSubjects(env: SubjectEnv, r: SequenceResource, enis: ReadonlyMap<string, NetworkInterfaceRef>): Subject[] {
  const { ctx } = env;
  const common = { accountId: r.accountId, region: r.region, tags: r.tags };
  // Resources of another account/region are reported where they live.
  const local: SubjectEnv = r.accountId !== undefined || r.region !== undefined ? { ...env, accountId: r.accountId ?? env.accountId, region: r.region ?? env.region } : env;
  switch (r.resourceType) {
    case 'EC2_INSTANCE': {
      const d = dataOf(env, r, 'ec2Instance');
      const p = sub(sub(r.path, 'data'), 'ec2Instance');
      const reasons: AiReason[] = [];
      const details: { instanceId: string; networkInterfaces: NetworkInterfaceRef[]; instanceType?: string; instanceState?: string; availabilityZone?: string; platform?: string; iamInstanceProfile?: { arn?: string; id?: string } } = {
        instanceId: r.uid,
        networkInterfaces: [],
      };
      if (d !== undefined) {
        const t = ctx.optString(d, 'instanceType', p);
        if (t !== undefined) details.instanceType = t;
        const accel = acceleratorReason(t);
        if (accel !== undefined) reasons.push(accel);
        const st = ctx.optString(d, 'instanceState', p);
        if (st !== undefined) details.instanceState = st;
        const az = ctx.optString(d, 'availabilityZone', p);
        if (az !== undefined) details.availabilityZone = az;
        const pl = ctx.optString(d, 'platform', p);
        if (pl !== undefined) details.platform = pl;
        // The model spells this member `IamInstanceProfile` on the wire.
        const prof = ctx.optObject(d, 'IamInstanceProfile', p) ?? ctx.optObject(d, 'iamInstanceProfile', p);
        if (prof !== undefined) {
          const arn = ctx.optString(prof, 'arn', sub(p, 'IamInstanceProfile'));
          const id = ctx.optString(prof, 'id', sub(p, 'IamInstanceProfile'));
          // Literals, not spreads of conditional objects (a spread copies through the runtime, on every sequence).
          details.iamInstanceProfile = arn !== undefined ? (id !== undefined ? { arn, id } : { arn }) : id !== undefined ? { id } : {};
          nameReasons('instance profile', arn, reasons);
        }
        for (const uid of ctx.optStringArray(d, 'ec2NetworkInterfaceUids', p) ?? []) {
          details.networkInterfaces.push(enis.get(uid) ?? { networkInterfaceId: uid, securityGroups: [], ipv6Addresses: [] });
        }
      }
      return [ec2Subject(local, details, r.tags, reasons)];
    }
    case 'ACCESS_KEY': {
      const d = dataOf(env, r, 'accessKey');
      const p = sub(sub(r.path, 'data'), 'accessKey');
      const cred = {
        accessKeyId: r.uid,
        principalId: d === undefined ? undefined : ctx.optString(d, 'principalId', p),
        userName: d === undefined ? r.name : (ctx.optString(d, 'userName', p) ?? r.name),
        userType: d === undefined ? undefined : ctx.optString(d, 'userType', p),
      };
      return credentialSubjects(local, cred, { path: p, accountId: r.accountId, region: r.region });
    }
    case 'S3_BUCKET': {
      const d = dataOf(env, r, 's3Bucket');
      const p = sub(sub(r.path, 'data'), 's3Bucket');
      const name = r.name ?? bucketFromArn(r.uid) ?? r.uid;
      const reasons: AiReason[] = [];
      nameReasons('bucket', name, reasons);
      return [
        otherSubject(local, 's3-bucket', { ...common, id: name, arn: r.uid.startsWith('arn:') ? r.uid : undefined, name, reasons }, {
          bucketName: name,
          ownerId: d === undefined ? undefined : ctx.optString(d, 'ownerId', p),
          createdAt: d === undefined ? undefined : ctx.optTimestamp(d, 'createdAt', p),
          effectivePermission: d === undefined ? undefined : ctx.optString(d, 'effectivePermission', p),
          publicReadAccess: d === undefined ? undefined : ctx.optString(d, 'publicReadAccess', p),
          publicWriteAccess: d === undefined ? undefined : ctx.optString(d, 'publicWriteAccess', p),
          encryptionType: d === undefined ? undefined : ctx.optString(d, 'encryptionType', p),
        }),
      ];
    }
    case 'S3_OBJECT': {
      const d = dataOf(env, r, 's3Object');
      const p = sub(sub(r.path, 'data'), 's3Object');
      const bucket = bucketFromArn(r.uid) ?? '';
      const key = (d === undefined ? undefined : ctx.optString(d, 'key', p)) ?? r.name ?? r.uid;
      return [
        s3ObjectSubject(local, bucket, {
          key,
          objectArn: r.uid.startsWith('arn:') ? r.uid : undefined,
          versionId: d === undefined ? undefined : ctx.optString(d, 'versionId', p),
          eTag: d === undefined ? undefined : ctx.optString(d, 'eTag', p),
        }, { accountId: r.accountId, region: r.region }),
      ];
    }
    case 'EKS_CLUSTER': {
      const d = dataOf(env, r, 'eksCluster');
      const p = sub(sub(r.path, 'data'), 'eksCluster');
      const arn = d === undefined ? undefined : ctx.optString(d, 'arn', p);
      const name = r.name ?? r.uid;
      const reasons: AiReason[] = [];
      nameReasons('cluster', name, reasons);
      return [
        otherSubject(local, 'eks-cluster', { ...common, id: name, arn, name, reasons }, {
          clusterName: name,
          status: d === undefined ? undefined : ctx.optString(d, 'status', p),
          vpcId: d === undefined ? undefined : ctx.optString(d, 'vpcId', p),
          ec2InstanceUids: d === undefined ? undefined : ctx.optStringArray(d, 'ec2InstanceUids', p),
        }),
      ];
    }
    case 'KUBERNETES_WORKLOAD': {
      const d = dataOf(env, r, 'kubernetesWorkload');
      const p = sub(sub(r.path, 'data'), 'kubernetesWorkload');
      return [
        otherSubject(local, 'k8s-workload', { ...common, id: r.uid, name: r.name }, {
          workloadName: r.name,
          namespace: d === undefined ? undefined : ctx.optString(d, 'namespace', p),
          workloadType: d === undefined ? undefined : ctx.optString(d, 'type', p),
          containerUids: d === undefined ? undefined : ctx.optStringArray(d, 'containerUids', p),
        }),
      ];
    }
    case 'CONTAINER': {
      const d = dataOf(env, r, 'container');
      const image = d === undefined ? undefined : ctx.optString(d, 'image', sub(sub(r.path, 'data'), 'container'));
      const reasons: AiReason[] = [];
      imageReason(image, reasons);
      return [otherSubject(local, 'container', { ...common, id: r.uid, name: r.name, reasons }, { containerId: r.uid, containerName: r.name, image })];
    }
    case 'ECS_CLUSTER': {
      const d = dataOf(env, r, 'ecsCluster');
      const p = sub(sub(r.path, 'data'), 'ecsCluster');
      return [
        otherSubject(local, 'ecs-cluster', { ...common, id: r.uid, arn: r.uid.startsWith('arn:') ? r.uid : undefined, name: r.name }, {
          clusterName: r.name,
          status: d === undefined ? undefined : ctx.optString(d, 'status', p),
          ec2InstanceUids: d === undefined ? undefined : ctx.optStringArray(d, 'ec2InstanceUids', p),
        }),
      ];
    }
    case 'ECS_TASK': {
      const d = dataOf(env, r, 'ecsTask');
      const p = sub(sub(r.path, 'data'), 'ecsTask');
      return [
        otherSubject(local, 'ecs-task', { ...common, id: r.uid, arn: r.uid.startsWith('arn:') ? r.uid : undefined, name: r.name }, {
          definitionArn: d === undefined ? undefined : ctx.optString(d, 'taskDefinitionArn', p),
          launchType: d === undefined ? undefined : ctx.optString(d, 'launchType', p),
          createdAt: d === undefined ? undefined : ctx.optTimestamp(d, 'createdAt', p),
          containerUids: d === undefined ? undefined : ctx.optStringArray(d, 'containerUids', p),
        }),
      ];
    }
    default:
      return [];
  }
}

function summarizeActors(env: SubjectEnv, seq: JsonObject, path: string): Array<Record<string, unknown>> {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'actors', path) ?? [];
  const out: Array<Record<string, unknown>> = [];
  const listPath = sub(path, 'actors');
  for (let i = 0; i < arr.length; i++) {
    const a = ctx.element(arr, i, listPath);
    if (a === undefined) continue;
    const ap = item(listPath, i);
    const user = ctx.optObject(a, 'user', ap);
    const session = ctx.optObject(a, 'session', ap);
    const process = ctx.optObject(a, 'process', ap);
    const up = user === undefined ? '' : sub(ap, 'user');
    const sp = session === undefined ? '' : sub(ap, 'session');
    const pp = process === undefined ? '' : sub(ap, 'process');
    const account = user === undefined ? undefined : ctx.optObject(user, 'account', up);
    out.push({
      id: ctx.reqString(a, 'id', ap),
      userName: user === undefined ? undefined : ctx.optString(user, 'name', up),
      userUid: user === undefined ? undefined : ctx.optString(user, 'uid', up),
      userType: user === undefined ? undefined : ctx.optString(user, 'type', up),
      credentialUid: user === undefined ? undefined : ctx.optString(user, 'credentialUid', up),
      accountId: account === undefined ? undefined : ctx.optString(account, 'uid', sub(up, 'account')),
      sessionUid: session === undefined ? undefined : ctx.optString(session, 'uid', sp),
      mfaStatus: session === undefined ? undefined : ctx.optString(session, 'mfaStatus', sp),
      sessionIssuer: session === undefined ? undefined : ctx.optString(session, 'issuer', sp),
      processName: process === undefined ? undefined : ctx.optString(process, 'name', pp),
      processPath: process === undefined ? undefined : ctx.optString(process, 'path', pp),
    });
  }
  return out;
}

function summarizeSignals(env: SubjectEnv, seq: JsonObject, path: string): Array<Record<string, unknown>> {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'signals', path) ?? [];
  const out: Array<Record<string, unknown>> = [];
  const listPath = sub(path, 'signals');
  for (let i = 0; i < arr.length; i++) {
    const s = ctx.element(arr, i, listPath);
    if (s === undefined) continue;
    const sp = item(listPath, i);
    out.push({
      uid: ctx.optString(s, 'uid', sp),
      type: ctx.optString(s, 'type', sp),
      name: ctx.optString(s, 'name', sp),
      description: ctx.optString(s, 'description', sp),
      severity: ctx.optNumber(s, 'severity', sp),
      count: ctx.optNumber(s, 'count', sp),
      firstSeenAt: ctx.optTimestamp(s, 'firstSeenAt', sp),
      lastSeenAt: ctx.optTimestamp(s, 'lastSeenAt', sp),
      resourceUids: ctx.optStringArray(s, 'resourceUids', sp),
      actorIds: ctx.optStringArray(s, 'actorIds', sp),
      endpointIds: ctx.optStringArray(s, 'endpointIds', sp),
    });
  }
  return out;
}

function summarizeEndpoints(env: SubjectEnv, seq: JsonObject, path: string): Array<Record<string, unknown>> {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'endpoints', path) ?? [];
  const out: Array<Record<string, unknown>> = [];
  const listPath = sub(path, 'endpoints');
  for (let i = 0; i < arr.length; i++) {
    const e = ctx.element(arr, i, listPath);
    if (e === undefined) continue;
    const ep = item(listPath, i);
    const loc = ctx.optObject(e, 'location', ep);
    const as = ctx.optObject(e, 'autonomousSystem', ep);
    out.push({
      id: ctx.optString(e, 'id', ep),
      ip: ctx.optString(e, 'ip', ep),
      domain: ctx.optString(e, 'domain', ep),
      port: ctx.optNumber(e, 'port', ep),
      country: loc === undefined ? undefined : ctx.optString(loc, 'country', sub(ep, 'location')),
      asn: as === undefined ? undefined : ctx.optStringish(as, 'number', sub(ep, 'autonomousSystem')),
      asnName: as === undefined ? undefined : ctx.optString(as, 'name', sub(ep, 'autonomousSystem')),
    });
  }
  return out;
}

function summarizeIndicators(env: SubjectEnv, seq: JsonObject, path: string): Array<Record<string, unknown>> {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'sequenceIndicators', path) ?? [];
  const out: Array<Record<string, unknown>> = [];
  const listPath = sub(path, 'sequenceIndicators');
  for (let i = 0; i < arr.length; i++) {
    const x = ctx.element(arr, i, listPath);
    if (x === undefined) continue;
    const xp = item(listPath, i);
    out.push({ key: ctx.optString(x, 'key', xp), title: ctx.optString(x, 'title', xp), values: ctx.optStringArray(x, 'values', xp) });
  }
  return out;
}

/** Subjects of an attack-sequence finding. `service` is the finding's `service` object (path `.service`). */
export function attackSequenceSubjects(env: SubjectEnv, findingId: string, title: string | undefined, service: JsonObject | undefined): Subject[] {
  const { ctx } = env;
  const detection = service === undefined ? undefined : ctx.optObject(service, 'detection', '.service');
  const seq = detection === undefined ? undefined : ctx.optObject(detection, 'sequence', '.service.detection');
  const sp = '.service.detection.sequence';
  if (seq === undefined) {
    return [otherSubject(env, 'attack-sequence', { id: findingId, name: title }, { findingId, resources: [], actors: [], signals: [] })];
  }
  const resources = readResources(env, seq, sp);
  const enis = new Map<string, NetworkInterfaceRef>();
  for (const r of resources) if (r.resourceType === 'EC2_NETWORK_INTERFACE') enis.set(r.uid, eniFromSequence(env, r));
  const uid = ctx.optString(seq, 'uid', sp);
  const out: Subject[] = [
    otherSubject(env, 'attack-sequence', { id: uid ?? findingId, name: title }, {
      findingId,
      sequenceUid: uid,
      description: ctx.optString(seq, 'description', sp),
      actors: summarizeActors(env, seq, sp),
      signals: summarizeSignals(env, seq, sp),
      endpoints: summarizeEndpoints(env, seq, sp),
      indicators: summarizeIndicators(env, seq, sp),
      additionalSequenceTypes: ctx.optStringArray(seq, 'additionalSequenceTypes', sp),
      resources: resources.map((r) => ({ uid: r.uid, resourceType: r.resourceType, name: r.name, accountId: r.accountId, region: r.region })),
    }),
  ];
  for (const r of resources) out.push(...resourceSubjects(env, r, enis));
  out.push(...actorSubjects(env, seq, sp));
  return out;
}

/**
 * The sequence's actors that are AWS identities (`actors[].user`): each becomes its credential subjects (the key, the
 * principal behind it, an instance named by a role session), role ACTOR, so each goes to its own playbook. Process
 * actors stay in the sequence subject's details.
 */
function actorSubjects(env: SubjectEnv, seq: JsonObject, path: string): Subject[] {
  const { ctx } = env;
  const arr = ctx.optArray(seq, 'actors', path) ?? [];
  const out: Subject[] = [];
  const listPath = sub(path, 'actors');
  for (let i = 0; i < arr.length; i++) {
    const a = ctx.element(arr, i, listPath);
    const ap = item(listPath, i);
    const user = a === undefined ? undefined : ctx.optObject(a, 'user', ap);
    if (user === undefined) continue;
    const up = sub(ap, 'user');
    const account = ctx.optObject(user, 'account', up);
    const accountId = account === undefined ? undefined : ctx.optString(account, 'uid', sub(up, 'account'));
    const cred = {
      accessKeyId: ctx.optString(user, 'credentialUid', up),
      principalId: ctx.optString(user, 'uid', up),
      userName: ctx.optString(user, 'name', up),
      userType: ctx.optString(user, 'type', up),
    };
    const local: SubjectEnv = accountId !== undefined ? { ...env, accountId } : env;
    out.push(...credentialSubjects(local, cred, { path: up, role: 'ACTOR', accountId }));
  }
  return out;
}
