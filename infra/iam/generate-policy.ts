/**
 * Generates the responder's IAM policies (pure, no Pulumi): the actions' declared permissions with their
 * `${Partition}` / `${Region}` / `${Account}` placeholders expanded and narrowed by `aws:ResourceAccount` where a
 * resource does not pin the account, the platform permissions (queue, journal, evidence, keys, topic, secrets,
 * logs, member roles), and explicit Deny statements that keep the responder from changing itself or its own
 * resources, whatever an action's permissions would otherwise allow.
 *
 * Rules enforced here (and checked again by the CrossGuard policy in infra/policies/iam-statements.ts):
 * no Allow with Action `*`, `*:*` or a service-wide `svc:*`; no Allow of a mutating action on Resource `*`
 * without a condition.
 */
import type { IamPermission } from '../../src/actions/action.js';
import { TourniquetError, describeValue } from '../../src/errors.js';

export type Effect = 'Allow' | 'Deny';
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Action: string[];
  Resource: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface ExpandContext {
  readonly partition: string;
  /** Regions that `${Region}` expands to (one resource per Region). */
  readonly regions: readonly string[];
  /** Accounts that `${Account}` expands to; also the value of the added `aws:ResourceAccount` condition. */
  readonly accounts: readonly string[];
}

/** IAM managed policy size limit (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6_144;
/** Default quota of managed policies attached to one role. */
export const MAX_POLICIES_PER_ROLE = 10;

const ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
const PLACEHOLDER_PATTERN = /\$\{([^}]*)\}/g;

/** Verbs of actions that only read. Everything else is treated as mutating. */
const READ_VERBS = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'BatchGet', 'Search', 'View', 'Query', 'Scan', 'Select'];

export function isReadOnlyAction(action: string): boolean {
  const name = action.slice(action.indexOf(':') + 1);
  if (name === '*') return false;
  return READ_VERBS.some((verb) => name.startsWith(verb) && !/^[a-z]/.test(name.slice(verb.length, verb.length + 1)));
}

/** Throws unless `action` is `service:Name` (wildcards allowed inside the name, never a whole-service `*`). */
export function assertGrantableAction(action: string, why: string): void {
  if (action === '*' || action === '*:*' || !ACTION_PATTERN.test(action) || action.endsWith(':*')) {
    throw new TourniquetError(
      'infra.iam-invalid',
      `permission "${why}": action must be "service:Name" and not a whole-service wildcard, received ${describeValue(action)}`,
    );
  }
}

/** Expands `${Partition}`, `${Region}`, `${Account}`; IAM policy variables such as `${aws:username}` are kept. */
export function expandResource(resource: string, ctx: ExpandContext, why: string): string[] {
  for (const match of resource.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? '';
    if (!['Partition', 'Region', 'Account'].includes(name) && !name.includes(':')) {
      throw new TourniquetError(
        'infra.iam-invalid',
        `permission "${why}": unknown placeholder \${${name}} in resource ${describeValue(resource)} (known: \${Partition}, \${Region}, \${Account})`,
      );
    }
  }
  const withPartition = resource.replaceAll('${Partition}', ctx.partition);
  const regions = withPartition.includes('${Region}') ? ctx.regions : [''];
  const accounts = withPartition.includes('${Account}') ? ctx.accounts : [''];
  const out: string[] = [];
  for (const region of regions) {
    for (const account of accounts) {
      out.push(withPartition.replaceAll('${Region}', region).replaceAll('${Account}', account));
    }
  }
  return out;
}

/**
 * True when the resource pins no account: `*`, an ARN whose account field is wildcarded, or an S3 ARN (bucket names
 * are global, so `arn:aws:s3:::*` reaches other accounts' buckets). Other ARNs with an empty account field (EC2
 * snapshots and images) are left alone: that is their format, and the condition key's presence there is unverified.
 */
export function resourceAccountUnpinned(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return true;
  const service = parts[2] ?? '';
  const account = parts[4] ?? '';
  if (account.includes('*') || account.includes('?')) return true;
  return account === '' && service === 's3';
}

/**
 * Turns the actions' permission lists into statements. Where a resource does not pin the account, the statement
 * gets `StringEquals aws:ResourceAccount = <accounts>`; on Resource `*` only the mutating actions are narrowed
 * (read-only calls such as ec2:DescribeInstances have no resource to carry the key), so those are split out.
 */
export function actionStatements(permissions: readonly IamPermission[], ctx: ExpandContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const permission of permissions) {
    if (permission.actions.length === 0 || permission.resources.length === 0) {
      throw new TourniquetError('infra.iam-invalid', `permission "${permission.why}": needs at least one action and one resource`);
    }
    for (const action of permission.actions) assertGrantableAction(action, permission.why);
    const resources = unique(permission.resources.flatMap((r) => expandResource(r, ctx, permission.why)));
    const condition = copyCondition(permission.conditions);
    const hasAccountCondition = condition !== undefined && Object.values(condition).some((block) => 'aws:ResourceAccount' in block);
    const base = { Sid: toSid(permission.why), Effect: 'Allow' as const };
    const wildcard = resources.filter((r) => r === '*');
    const arns = resources.filter((r) => r !== '*');
    const unpinnedArns = arns.filter(resourceAccountUnpinned);
    const pinnedArns = arns.filter((r) => !resourceAccountUnpinned(r));
    const narrow = (c: ConditionBlock | undefined): ConditionBlock | undefined =>
      hasAccountCondition ? c : mergeConditions(c, { StringEquals: { 'aws:ResourceAccount': single(ctx.accounts) } });
    const actions = unique(permission.actions);
    const reads = actions.filter(isReadOnlyAction);
    const writes = actions.filter((a) => !isReadOnlyAction(a));

    if (pinnedArns.length > 0) statements.push(withCondition({ ...base, Action: actions, Resource: pinnedArns }, condition));
    if (unpinnedArns.length > 0) {
      statements.push(withCondition({ ...base, Action: actions, Resource: unpinnedArns }, narrow(condition)));
    }
    if (wildcard.length > 0) {
      if (reads.length > 0) statements.push(withCondition({ ...base, Action: reads, Resource: ['*'] }, condition));
      if (writes.length > 0) statements.push(withCondition({ ...base, Action: writes, Resource: ['*'] }, narrow(condition)));
    }
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------------------------
// Platform permissions: what the responder needs to run, independent of its actions.

export interface PlatformResources {
  readonly region: string;
  /** Queues the Lambda consumes (event source mapping). */
  readonly queueArns: readonly string[];
  readonly tableArn: string;
  readonly evidenceBucketArn: string;
  readonly findingsBucketArn: string;
  /** Key prefix of GuardDuty's export objects, e.g. `AWSLogs/` or `gd/AWSLogs/`. */
  readonly findingsExportObjectsPrefix: string;
  /** The responder-managed threat list object(s) (`arn:…:s3:::bucket/key`). */
  readonly blocklistObjectArns: readonly string[];
  /** The uploaded Tourniquet policy file(s) the Lambda reads at cold start. */
  readonly policyObjectArns?: readonly string[];
  /** ThreatIntelSet ARNs the responder may re-activate. */
  readonly threatIntelSetArns: readonly string[];
  readonly detectorArn: string;
  readonly findingsKeyArn: string;
  readonly evidenceKeyArn: string;
  /** Key of the journal, topic and secrets. */
  readonly dataKeyArn: string;
  /** Customer-managed queue key, when the queues use one. */
  readonly queueKeyArn?: string;
  readonly topicArn: string;
  readonly secretArns: readonly string[];
  readonly logGroupArns: readonly string[];
  /** Roles in member accounts the responder assumes (may wildcard the account). */
  readonly memberRoleArns: readonly string[];
  readonly organizationId?: string;
}

export function platformStatements(p: PlatformResources): PolicyStatement[] {
  const via = (...services: string[]): ConditionBlock => ({
    StringEquals: { 'kms:ViaService': single(services.map((s) => `${s}.${p.region}.amazonaws.com`)) },
  });
  const statements: PolicyStatement[] = [
    {
      Sid: 'ConsumeFindingsQueue',
      Effect: 'Allow',
      Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      Resource: [...p.queueArns],
    },
    {
      Sid: 'JournalReadWrite',
      Effect: 'Allow',
      Action: [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      Resource: [p.tableArn, `${p.tableArn}/index/*`],
    },
    {
      Sid: 'ReadFindingsExport',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [`${p.findingsBucketArn}/${p.findingsExportObjectsPrefix}*`],
    },
    { Sid: 'DecryptFindingsExport', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [p.findingsKeyArn], Condition: via('s3') },
    {
      Sid: 'RereadFindings',
      Effect: 'Allow',
      Action: ['guardduty:GetDetector', 'guardduty:GetFindings'],
      Resource: [p.detectorArn],
    },
    { Sid: 'FindDetector', Effect: 'Allow', Action: ['guardduty:ListDetectors'], Resource: ['*'] },
    {
      Sid: 'WriteEvidence',
      Effect: 'Allow',
      Action: [
        's3:GetObject',
        's3:GetObjectLegalHold',
        's3:GetObjectRetention',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
      ],
      Resource: [`${p.evidenceBucketArn}/*`],
    },
    {
      Sid: 'ListEvidence',
      Effect: 'Allow',
      Action: ['s3:GetBucketObjectLockConfiguration', 's3:ListBucket'],
      Resource: [p.evidenceBucketArn],
    },
    {
      Sid: 'EncryptEvidence',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [p.evidenceKeyArn],
      Condition: via('s3'),
    },
    {
      Sid: 'UseDataKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: [p.dataKeyArn],
      Condition: via('dynamodb', 'secretsmanager', 'sns'),
    },
    { Sid: 'Notify', Effect: 'Allow', Action: ['sns:Publish'], Resource: [p.topicArn] },
    {
      Sid: 'ReadOwnSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: [...p.secretArns],
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: p.logGroupArns.flatMap((arn) => [arn, `${arn}:*`]),
    },
  ];
  if (p.blocklistObjectArns.length > 0) {
    statements.push(
      { Sid: 'MaintainBlocklist', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [...p.blocklistObjectArns] },
      {
        Sid: 'EncryptBlocklist',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [p.findingsKeyArn],
        Condition: via('s3'),
      },
    );
  }
  if ((p.policyObjectArns ?? []).length > 0) {
    statements.push({ Sid: 'ReadPolicyFile', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [...(p.policyObjectArns ?? [])] });
  }
  if (p.threatIntelSetArns.length > 0) {
    statements.push({
      Sid: 'ReactivateBlocklist',
      Effect: 'Allow',
      Action: ['guardduty:GetThreatIntelSet', 'guardduty:UpdateThreatIntelSet'],
      Resource: [...p.threatIntelSetArns],
    });
  }
  if (p.queueKeyArn !== undefined) {
    statements.push({
      Sid: 'DecryptQueue',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [p.queueKeyArn],
      Condition: via('sqs'),
    });
  }
  if (p.memberRoleArns.length > 0) {
    statements.push({
      Sid: 'AssumeMemberRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: [...p.memberRoleArns],
      ...(p.organizationId !== undefined ? { Condition: { StringEquals: { 'aws:ResourceOrgID': p.organizationId } } } : {}),
    });
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------------------------
// Self-protection: explicit Deny on changing the responder or its own resources.

export interface SelfProtection {
  /** The responder's own role(s) (and, in member mode, the member role). */
  readonly roleArns: readonly string[];
  /** Break-glass and other principals never to be changed. */
  readonly protectedPrincipalArns?: readonly string[];
  readonly functionArns?: readonly string[];
  readonly queueArns?: readonly string[];
  readonly tableArns?: readonly string[];
  /** Buckets whose configuration must not change (evidence, findings). */
  readonly bucketArns?: readonly string[];
  /** Buckets whose objects must not be deleted or have retention bypassed (evidence). */
  readonly evidenceBucketArns?: readonly string[];
  readonly keyArns?: readonly string[];
  readonly topicArns?: readonly string[];
  readonly secretArns?: readonly string[];
  readonly ruleArns?: readonly string[];
  readonly detectorArns?: readonly string[];
  readonly logGroupArns?: readonly string[];
}

export function selfProtectionStatements(s: SelfProtection): PolicyStatement[] {
  const deny = (Sid: string, Action: string[], Resource: readonly string[], Condition?: ConditionBlock): PolicyStatement[] =>
    Resource.length === 0 ? [] : [{ Sid, Effect: 'Deny', Action, Resource: unique(Resource), ...(Condition ? { Condition } : {}) }];
  const functions = s.functionArns ?? [];
  return [
    ...deny('DenyChangingOwnRoles', ['iam:*'], [...s.roleArns, ...(s.protectedPrincipalArns ?? [])]),
    ...deny(
      'DenyChangingOwnFunctions',
      ['lambda:AddPermission', 'lambda:Delete*', 'lambda:Put*', 'lambda:RemovePermission', 'lambda:Update*'],
      functions.flatMap((arn) => [arn, `${arn}:*`]),
    ),
    ...(functions.length > 0
      ? deny('DenyChangingOwnEventSources', ['lambda:DeleteEventSourceMapping', 'lambda:UpdateEventSourceMapping'], ['*'], {
          ArnLike: { 'lambda:FunctionArn': single(functions.flatMap((arn) => [arn, `${arn}:*`])) },
        })
      : []),
    ...deny(
      'DenyChangingOwnQueues',
      ['sqs:AddPermission', 'sqs:DeleteQueue', 'sqs:PurgeQueue', 'sqs:RemovePermission', 'sqs:SetQueueAttributes'],
      s.queueArns ?? [],
    ),
    ...deny(
      'DenyChangingJournal',
      [
        'dynamodb:DeleteBackup',
        'dynamodb:DeleteResourcePolicy',
        'dynamodb:DeleteTable',
        'dynamodb:PutResourcePolicy',
        'dynamodb:RestoreTableFromBackup',
        'dynamodb:RestoreTableToPointInTime',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:UpdateTable',
        'dynamodb:UpdateTimeToLive',
      ],
      (s.tableArns ?? []).flatMap((arn) => [arn, `${arn}/*`]),
    ),
    ...deny(
      'DenyChangingOwnBuckets',
      [
        's3:DeleteBucket',
        's3:DeleteBucketPolicy',
        's3:PutBucketAcl',
        's3:PutBucketNotification',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketOwnershipControls',
        's3:PutBucketPolicy',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketVersioning',
        's3:PutEncryptionConfiguration',
        's3:PutLifecycleConfiguration',
      ],
      s.bucketArns ?? [],
    ),
    ...deny(
      'DenyEvidenceTampering',
      ['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectVersionAcl'],
      (s.evidenceBucketArns ?? []).map((arn) => `${arn}/*`),
    ),
    ...deny(
      'DenyChangingOwnKeys',
      ['kms:DeleteImportedKeyMaterial', 'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
      s.keyArns ?? [],
    ),
    ...deny(
      'DenyChangingOwnTopic',
      ['sns:AddPermission', 'sns:DeleteTopic', 'sns:RemovePermission', 'sns:SetTopicAttributes'],
      s.topicArns ?? [],
    ),
    ...deny(
      'DenyChangingOwnSecrets',
      [
        'secretsmanager:CancelRotateSecret',
        'secretsmanager:DeleteResourcePolicy',
        'secretsmanager:DeleteSecret',
        'secretsmanager:PutResourcePolicy',
        'secretsmanager:PutSecretValue',
        'secretsmanager:RotateSecret',
        'secretsmanager:UpdateSecret',
      ],
      s.secretArns ?? [],
    ),
    ...deny(
      'DenyChangingOwnRule',
      ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'],
      s.ruleArns ?? [],
    ),
    ...deny(
      'DenyChangingDetector',
      [
        'guardduty:CreateFilter',
        'guardduty:CreateIPSet',
        'guardduty:DeleteDetector',
        'guardduty:DeleteIPSet',
        'guardduty:DeletePublishingDestination',
        'guardduty:DeleteThreatIntelSet',
        'guardduty:UpdateDetector',
        'guardduty:UpdateFilter',
        'guardduty:UpdateIPSet',
        'guardduty:UpdatePublishingDestination',
      ],
      (s.detectorArns ?? []).flatMap((arn) => [arn, `${arn}/*`]),
    ),
    ...deny(
      'DenyChangingOwnLogs',
      ['logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:DeleteRetentionPolicy', 'logs:DisassociateKmsKey', 'logs:PutRetentionPolicy'],
      (s.logGroupArns ?? []).flatMap((arn) => [arn, `${arn}:*`]),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Packing into managed policies

/** Size as IAM counts it (JSON without whitespace). */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length;
}

/**
 * Merges statements with the same effect, resources and condition (union of actions), then packs them into as few
 * documents as fit the managed-policy size limit. Throws when one statement alone is too large or more than
 * `maxPolicies` documents would be needed.
 */
export function packPolicyDocuments(
  statements: readonly PolicyStatement[],
  options: { maxChars?: number; maxPolicies?: number; label?: string } = {},
): PolicyDocument[] {
  const maxChars = options.maxChars ?? MANAGED_POLICY_MAX_CHARS;
  const maxPolicies = options.maxPolicies ?? MAX_POLICIES_PER_ROLE;
  const label = options.label ?? 'policy';
  const merged = mergeStatements(statements);
  const docs: PolicyDocument[] = [];
  let current: PolicyDocument = { Version: '2012-10-17', Statement: [] };
  for (const statement of merged) {
    const alone: PolicyDocument = { Version: '2012-10-17', Statement: [statement] };
    if (policySize(alone) > maxChars) {
      throw new TourniquetError(
        'infra.iam-too-large',
        `${label}: statement ${statement.Sid ?? '(no Sid)'} is ${policySize(alone)} characters; a managed policy holds at most ${maxChars}`,
      );
    }
    const candidate: PolicyDocument = { Version: '2012-10-17', Statement: [...current.Statement, statement] };
    if (policySize(candidate) > maxChars) {
      docs.push(current);
      current = alone;
    } else {
      current = candidate;
    }
  }
  if (current.Statement.length > 0) docs.push(current);
  if (docs.length > maxPolicies) {
    throw new TourniquetError(
      'infra.iam-too-large',
      `${label}: the generated permissions need ${docs.length} managed policies; a role takes ${maxPolicies} by default`,
    );
  }
  return docs.map(uniqueSids);
}

export function mergeStatements(statements: readonly PolicyStatement[]): PolicyStatement[] {
  const byKey = new Map<string, PolicyStatement>();
  for (const statement of statements) {
    const resource = unique(statement.Resource).sort();
    const key = JSON.stringify([statement.Effect, resource, canonicalCondition(statement.Condition)]);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { ...statement, Action: unique(statement.Action).sort(), Resource: resource });
    } else {
      existing.Action = unique([...existing.Action, ...statement.Action]).sort();
    }
  }
  return [...byKey.values()];
}

/** `Sid` from a sentence: alphanumerics only (IAM rule), PascalCase, at most 64 characters. */
export function toSid(why: string): string {
  const words = why.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const sid = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('').slice(0, 64);
  return sid === '' ? 'Statement' : sid;
}

function uniqueSids(doc: PolicyDocument): PolicyDocument {
  const seen = new Map<string, number>();
  return {
    Version: doc.Version,
    Statement: doc.Statement.map((s) => {
      if (s.Sid === undefined) return s;
      const count = (seen.get(s.Sid) ?? 0) + 1;
      seen.set(s.Sid, count);
      return count === 1 ? s : { ...s, Sid: `${s.Sid}${count}` };
    }),
  };
}

function canonicalCondition(condition: ConditionBlock | undefined): unknown {
  if (condition === undefined) return null;
  return Object.keys(condition)
    .sort()
    .map((op) => [op, Object.entries(condition[op] ?? {}).sort(([a], [b]) => a.localeCompare(b))]);
}

function copyCondition(conditions: IamPermission['conditions']): ConditionBlock | undefined {
  if (conditions === undefined) return undefined;
  const out: ConditionBlock = {};
  for (const [operator, block] of Object.entries(conditions)) {
    out[operator] = {};
    for (const [key, value] of Object.entries(block)) {
      out[operator][key] = typeof value === 'string' ? value : [...value];
    }
  }
  return out;
}

function mergeConditions(a: ConditionBlock | undefined, b: ConditionBlock): ConditionBlock {
  const out: ConditionBlock = { ...(a ?? {}) };
  for (const [operator, block] of Object.entries(b)) {
    out[operator] = { ...(out[operator] ?? {}), ...block };
  }
  return out;
}

function withCondition(statement: PolicyStatement, condition: ConditionBlock | undefined): PolicyStatement {
  return condition === undefined ? statement : { ...statement, Condition: condition };
}

function single(values: readonly string[]): string | string[] {
  const list = unique(values);
  return list.length === 1 ? list[0]! : list;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
