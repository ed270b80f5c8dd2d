/**
 * From a recorded AWS call to the IAM requests AWS authorises for it, with realistic ARNs: one request per resource
 * the call names (and per resource type the catalogue marks required, with a realistic id where the input carries
 * none), the request context AWS fills in (Region, resource account, resource tags of what the action created,
 * request tags and tag keys), and the requests AWS makes on the caller's behalf: tag-on-create (ec2:CreateTags with
 * ec2:CreateAction), iam:PassRole when a profile is associated or a Bedrock logging role is set, and kms:CreateGrant when an instance whose volumes
 * use a customer-managed key is started.
 */
import type { AwsCallFixture, RecordedCall } from '../../support/aws-call-recording.js';
import { aiResourceVariables } from './ai-resource-variables.js';
import { actionInfo } from './iam-catalogue.js';
import { s3Requests } from './s3-iam-requests.js';

export interface IamRequest {
  readonly action: string;
  /** An ARN, or "*" for a wildcard-only action. */
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** For failure messages: the call the request comes from. */
  readonly why: string;
}

export interface RequestTarget {
  readonly account: string;
  readonly region: string;
}

/** Realistic ids where the call's input does not carry one (a resource type the catalogue marks required). */
const PLACEHOLDER: Record<string, string> = {
  instance: 'i-0a1b2c3d4e5f60718',
  volume: 'vol-0a1b2c3d4e5f60718',
  snapshot: 'snap-0a1b2c3d4e5f60718',
  subnet: 'subnet-0a1b2c3d4e5f60718',
  'security-group': 'sg-0a1b2c3d4e5f60718',
  'network-interface': 'eni-0a1b2c3d4e5f60718',
  'network-acl': 'acl-0a1b2c3d4e5f60718',
  vpc: 'vpc-0a1b2c3d4e5f60718',
  key: '0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e5f',
  image: 'ami-0a1b2c3d4e5f60718',
};
/** The user whose key a call names by key id only (GetAccessKeyLastUsed): IAM authorises it on the key's user. */
const KEY_USER = 'llm-victim';
/** The role an associated instance profile carries (the profile's role is not in the call's input). */
const PROFILE_ROLE = 'gpu-node-role';
const EC2_PREFIX: Record<string, string> = { 'i-': 'instance', 'sg-': 'security-group', 'vol-': 'volume', 'snap-': 'snapshot', 'acl-': 'network-acl', 'eni-': 'network-interface', 'subnet-': 'subnet', 'vpc-': 'vpc', 'ami-': 'image' };

type Input = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (typeof x === 'string' ? [x] : [])) : []);

/** Ids of resources of `type` the input names. */
function idsIn(type: string, input: Input): string[] {
  const byPrefix = strings(input['Resources']).filter((id) => EC2_PREFIX[id.slice(0, id.indexOf('-') + 1)] === type);
  switch (type) {
    case 'instance':
      return [...new Set([str(input['InstanceId']), ...strings(input['InstanceIds']), str((input['InstanceSpecification'] as Input | undefined)?.['InstanceId']), ...byPrefix].filter((x): x is string => x !== undefined))];
    case 'security-group':
      return [...new Set([str(input['GroupId']), ...strings(input['Groups']), ...byPrefix].filter((x): x is string => x !== undefined))];
    case 'network-interface':
      return [str(input['NetworkInterfaceId']), ...byPrefix].filter((x): x is string => x !== undefined);
    case 'volume':
      // Changing block-device mappings acts on the attached volumes (not named by id in the input).
      return [str(input['VolumeId']), ...byPrefix, ...(input['BlockDeviceMappings'] !== undefined ? [PLACEHOLDER['volume']!] : [])].filter((x): x is string => x !== undefined);
    case 'vpc':
      return [str(input['VpcId'])].filter((x): x is string => x !== undefined);
    case 'subnet':
      return [str(input['SubnetId'])].filter((x): x is string => x !== undefined);
    case 'network-acl':
      return [str(input['NetworkAclId']), ...byPrefix].filter((x): x is string => x !== undefined);
    case 'snapshot':
      return [str(input['SnapshotId']), ...byPrefix].filter((x): x is string => x !== undefined);
    case 'image':
      return [str(input['ImageId']), ...strings(input['ImageIds']), ...byPrefix].filter((x): x is string => x !== undefined);
    default:
      return [];
  }
}

/** The values of a resource type's ARN variables, for one resource. */
function variables(type: string, id: string | undefined, input: Input, t: RequestTarget): Record<string, string> | undefined {
  const base = { Partition: 'aws', Region: t.region, Account: t.account };
  const detector = str(input['DetectorId']);
  switch (type) {
    case 'role':
      return str(input['RoleName']) !== undefined ? { ...base, RoleNameWithPath: str(input['RoleName'])! } : undefined;
    case 'user':
      return { ...base, UserNameWithPath: str(input['UserName']) ?? KEY_USER };
    case 'instance-profile':
      return str(input['InstanceProfileName']) !== undefined ? { ...base, InstanceProfileNameWithPath: str(input['InstanceProfileName'])! } : undefined;
    case 'autoScalingGroup':
      return str(input['AutoScalingGroupName']) !== undefined
        ? { ...base, GroupId: '0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e5f', GroupFriendlyName: str(input['AutoScalingGroupName'])! }
        : undefined;
    case 'targetgroup': {
      const m = /:targetgroup\/([^/]+)\/([^/]+)$/.exec(str(input['TargetGroupArn']) ?? '');
      return m !== null ? { ...base, TargetGroupName: m[1]!, TargetGroupId: m[2]! } : undefined;
    }
    case 'detector':
      return detector !== undefined ? { ...base, DetectorId: detector } : undefined;
    case 'ipset':
      return detector !== undefined && str(input['IpSetId']) !== undefined ? { ...base, DetectorId: detector, IPSetId: str(input['IpSetId'])! } : undefined;
    case 'threatintelset':
      return detector !== undefined && str(input['ThreatIntelSetId']) !== undefined
        ? { ...base, DetectorId: detector, ThreatIntelSetId: str(input['ThreatIntelSetId'])! }
        : undefined;
    case 'trustedentityset':
      return detector !== undefined && str(input['TrustedEntitySetId']) !== undefined
        ? { ...base, DetectorId: detector, TrustedEntitySetId: str(input['TrustedEntitySetId'])! }
        : undefined;
    case 'task': {
      // ECS: the task named by `task` (StopTask) or `tasks` (DescribeTasks), long ARN format `task/<cluster>/<id>`.
      const m = /:task\/([^/]+)\/([^/]+)$/.exec(str(input['task']) ?? strings(input['tasks'])[0] ?? '');
      return m !== null ? { ...base, ClusterName: m[1]!, TaskId: m[2]! } : undefined;
    }
    case 'cluster':
      // EKS: DescribeCluster and friends name the cluster by `name` or `clusterName`.
      return str(input['name']) ?? str(input['clusterName']) ? { ...base, ClusterName: (str(input['name']) ?? str(input['clusterName']))! } : undefined;
    case 'notebook-instance':
      return str(input['NotebookInstanceName']) !== undefined ? { ...base, NotebookInstanceName: str(input['NotebookInstanceName'])! } : undefined;
    case 'object':
      return str(input['Bucket']) !== undefined && str(input['Key']) !== undefined ? { ...base, BucketName: str(input['Bucket'])!, ObjectName: str(input['Key'])! } : undefined;
    default: {
      const ai = aiResourceVariables(type, input, base);
      if (ai !== undefined) return ai;
      if (id === undefined) return undefined;
      return { ...base, [idVariable(type)]: id };
    }
  }
}

/** EC2 and KMS ARN formats carry one id variable, named after the type (InstanceId, SecurityGroupId, KeyId …). */
function idVariable(type: string): string {
  const names: Record<string, string> = {
    instance: 'InstanceId',
    volume: 'VolumeId',
    snapshot: 'SnapshotId',
    subnet: 'SubnetId',
    'security-group': 'SecurityGroupId',
    'network-interface': 'NetworkInterfaceId',
    'network-acl': 'NaclId',
    vpc: 'VpcId',
    key: 'KeyId',
    image: 'ImageId',
  };
  const name = names[type];
  if (name === undefined) throw new Error(`no id variable known for resource type ${type}`);
  return name;
}

/**
 * Lambda and RDS name their resources in the input by their own fields (and RDS's `snapshot` is not EC2's): the ARN
 * variables of each resource type, or undefined when the input names none.
 */
const SERVICE_VARIABLES: Record<string, (type: string, input: Input) => Record<string, string> | undefined> = {
  lambda: (type, input): Record<string, string> | undefined => {
    if (type === 'function' && str(input['FunctionName']) !== undefined) return { FunctionName: str(input['FunctionName'])! };
    if (type === 'eventSourceMapping' && str(input['UUID']) !== undefined) return { UUID: str(input['UUID'])! };
    return undefined;
  },
  rds: (type, input) => {
    const field: Record<string, [string, string]> = {
      db: ['DBInstanceIdentifier', 'DbInstanceName'],
      cluster: ['DBClusterIdentifier', 'DbClusterInstanceName'],
      snapshot: ['DBSnapshotIdentifier', 'SnapshotName'],
      'cluster-snapshot': ['DBClusterSnapshotIdentifier', 'ClusterSnapshotName'],
    };
    const f = field[type];
    const v = f !== undefined ? str(input[f[0]]) : undefined;
    return f !== undefined && v !== undefined ? { [f[1]]: v } : undefined;
  },
};

export function fillArn(format: string, values: Record<string, string>): string {
  return format.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`ARN format ${format}: no value for \${${name}} (have ${Object.keys(values).join(', ')})`);
    return v;
  });
}

function tagsOf(list: unknown): Record<string, string> {
  return Object.fromEntries((Array.isArray(list) ? (list as Array<{ Key?: string; Value?: string }>) : []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

function requestTagContext(tags: Record<string, string>, withValues: boolean): Record<string, string | string[]> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return { 'aws:TagKeys': keys, ...(withValues ? Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, tags[k]!])) : {}) };
}

function resourceTagContext(service: string, tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) {
    out[`aws:ResourceTag/${k}`] = v;
    if (service === 'ec2') out[`ec2:ResourceTag/${k}`] = v;
  }
  return out;
}

/** Every IAM request one recorded call makes AWS evaluate. */
export async function requestsForCall(call: RecordedCall, fixture: AwsCallFixture, t: RequestTarget): Promise<IamRequest[]> {
  const input = (call.input ?? {}) as Input;
  const action = `${call.service}:${call.operation}`;
  const why = `${fixture.action}: ${action}`;
  const base: Record<string, string | string[]> = {
    'aws:RequestedRegion': t.region,
    'aws:ResourceAccount': t.account,
    ...(call.service === 'ec2' ? { 'ec2:Region': t.region } : {}),
    // The managed policy a call attaches or detaches.
    ...(call.service === 'iam' && str(input['PolicyArn']) !== undefined ? { 'iam:PolicyARN': str(input['PolicyArn'])! } : {}),
  };
  // S3 operations are authorised by differently named actions (see s3-iam-requests.ts).
  const s3 = s3Requests(call, base, why);
  if (s3 !== undefined) return s3;
  const info = await actionInfo(action);
  if (info === undefined) throw new Error(`${why}: not an IAM action in the catalogue`);
  const specs = (input['TagSpecifications'] as Array<{ ResourceType?: string; Tags?: unknown }> | undefined) ?? [];
  const specTags = Object.assign({}, ...specs.map((s) => tagsOf(s.Tags))) as Record<string, string>;
  const callTags =
    call.operation === 'CreateTags' ? requestTagContext(tagsOf(input['Tags']), true) : call.operation === 'DeleteTags' ? requestTagContext(tagsOf(input['Tags']), false) : requestTagContext(specTags, true);
  const out: IamRequest[] = [];

  if (info.wildcardOnly) {
    out.push({ action, resource: '*', context: { ...base, ...callTags }, why });
  } else if (SERVICE_VARIABLES[call.service] !== undefined) {
    // RDS tags on create with `Tags` (not TagSpecifications): the request carries them.
    const rdsTags = call.service === 'rds' ? requestTagContext(tagsOf(input['Tags']), true) : {};
    for (const type of info.resourceTypes) {
      const values = SERVICE_VARIABLES[call.service]!(type.name, input);
      if (values === undefined) {
        if (type.required) throw new Error(`${why}: required resource type ${type.name}: the input names none`);
        continue;
      }
      out.push({ action, resource: fillArn(type.arn, { Partition: 'aws', Region: t.region, Account: t.account, ...values }), context: { ...base, ...rdsTags }, why: `${why} on ${type.name}` });
    }
    if (out.length === 0) throw new Error(`${why}: the input names no resource of the types ${info.resourceTypes.map((r) => r.name).join(', ')}`);
  } else {
    for (const type of info.resourceTypes) {
      let ids: Array<string | undefined> = idsIn(type.name, input);
      if (ids.length === 0) ids = [type.required ? PLACEHOLDER[type.name] : undefined];
      for (const id of ids) {
        const values = variables(type.name, id, input, t);
        if (values === undefined) {
          if (type.required) throw new Error(`${why}: required resource type ${type.name}: the input names none and no realistic id is known`);
          continue;
        }
        const tags = id !== undefined ? fixture.created[id] : undefined;
        out.push({ action, resource: fillArn(type.arn, values), context: { ...base, ...callTags, ...resourceTagContext(call.service, tags) }, why: `${why} on ${type.name}` });
      }
    }
    if (out.length === 0) throw new Error(`${why}: the input names no resource of the types ${info.resourceTypes.map((r) => r.name).join(', ')}`);
  }

  // Tag-on-create: AWS also authorises ec2:CreateTags on the new resource, with ec2:CreateAction.
  if (call.service === 'ec2' && specs.length > 0) {
    const createTags = await actionInfo('ec2:CreateTags');
    for (const spec of specs) {
      const type = createTags?.resourceTypes.find((r) => r.name === spec.ResourceType);
      if (type === undefined) throw new Error(`${why}: tag-on-create for resource type ${String(spec.ResourceType)} unknown to ec2:CreateTags`);
      out.push({
        action: 'ec2:CreateTags',
        resource: fillArn(type.arn, { Partition: 'aws', Region: t.region, Account: t.account, [idVariable(type.name)]: PLACEHOLDER[type.name]! }),
        context: { ...base, 'ec2:Region': t.region, 'ec2:CreateAction': call.operation, ...requestTagContext(tagsOf(spec.Tags), true) },
        why: `${why}: tag-on-create`,
      });
    }
  }
  // RDS tag-on-create: AWS also authorises rds:AddTagsToResource on the new snapshot.
  if (call.service === 'rds' && Array.isArray(input['Tags']) && (input['Tags'] as unknown[]).length > 0) {
    const snapshot = str(input['DBSnapshotIdentifier']);
    const clusterSnapshot = str(input['DBClusterSnapshotIdentifier']);
    const resource =
      clusterSnapshot !== undefined ? `arn:aws:rds:${t.region}:${t.account}:cluster-snapshot:${clusterSnapshot}` : snapshot !== undefined ? `arn:aws:rds:${t.region}:${t.account}:snapshot:${snapshot}` : undefined;
    if (resource === undefined) throw new Error(`${why}: tags on a create call of unknown resource`);
    out.push({ action: 'rds:AddTagsToResource', resource, context: { ...base, ...requestTagContext(tagsOf(input['Tags']), true) }, why: `${why}: tag-on-create` });
  }
  // Handing the master password to RDS (or rotating it) makes RDS create / rotate its Secrets Manager secret with the
  // caller's permissions (the secret is named rds!db-… or rds!cluster-…).
  if (call.service === 'rds' && (call.operation === 'ModifyDBInstance' || call.operation === 'ModifyDBCluster')) {
    const secret = `arn:aws:secretsmanager:${t.region}:${t.account}:secret:rds!${call.operation === 'ModifyDBCluster' ? 'cluster' : 'db'}-0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e5f-AbCdEf`;
    const ops = 'ManageMasterUserPassword' in input ? ['CreateSecret', 'TagResource'] : 'RotateMasterUserPassword' in input ? ['RotateSecret'] : [];
    for (const op of ops) out.push({ action: `secretsmanager:${op}`, resource: secret, context: base, why: `${why}: RDS's managed secret` });
  }
  // Associating a profile passes its role to EC2.
  if (call.operation === 'AssociateIamInstanceProfile' || call.operation === 'ReplaceIamInstanceProfileAssociation') {
    out.push({
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${t.account}:role/${PROFILE_ROLE}`,
      context: { ...base, 'aws:RequestedRegion': 'us-east-1', 'iam:PassedToService': 'ec2.amazonaws.com' },
      why: `${why}: passes the profile's role`,
    });
  }
  // A CloudWatch destination for Bedrock invocation logs passes its role to Bedrock.
  const loggingRole = str(((input['loggingConfig'] as Input | undefined)?.['cloudWatchConfig'] as Input | undefined)?.['roleArn']);
  if (call.operation === 'PutModelInvocationLoggingConfiguration' && loggingRole !== undefined) {
    out.push({
      action: 'iam:PassRole',
      resource: loggingRole.replace(/::\d{12}:/, `::${t.account}:`),
      context: { ...base, 'aws:RequestedRegion': 'us-east-1', 'iam:PassedToService': 'bedrock.amazonaws.com' },
      why: `${why}: passes the logging role to Bedrock`,
    });
  }
  // Starting an instance whose volumes use a customer-managed key: EC2 creates a grant on the key for the caller.
  if (call.operation === 'StartInstances') {
    out.push({
      action: 'kms:CreateGrant',
      resource: `arn:aws:kms:${t.region}:${t.account}:key/${PLACEHOLDER['key']}`,
      context: { ...base, 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': `ec2.${t.region}.amazonaws.com` },
      why: `${why}: grant on the volumes' customer-managed key`,
    });
  }
  return out;
}
