/**
 * Generates the responder's IAM policies (pure, no Pulumi): the actions' declared permissions with their
 * `${Partition}` / `${Region}` / `${Account}` placeholders expanded and narrowed by `aws:ResourceAccount` where a
 * resource does not pin the account, the platform permissions (queue, journal, evidence, keys, topic, secrets,
 * logs, member roles), and explicit Deny statements that keep the responder from changing itself or its own
 * resources, whatever an action's permissions would otherwise allow.
 *
 * Scale: `${Region}` becomes `*` in every ARN and one `DenyOutsideTargetRegions` statement per role
 * (infra/iam/target-scope.ts) keeps the regional services inside the target Regions, so 17 Regions cost one list
 * instead of seventeen copies of every ARN. Statements are packed to fill each managed policy
 * (infra/iam/pack-policies.ts).
 *
 * Rules enforced here (and checked again by the CrossGuard policy in infra/policies/iam-statements.ts):
 * no Allow with Action `*`, `*:*` or a service-wide `svc:*`; no Allow of a mutating action on Resource `*`
 * without a condition.
 */
import type { IamPermission } from '../../src/actions/action.js';
import { TourniquetError, describeValue } from '../../src/errors.js';
import { toSid } from './pack-policies.js';
import type { ConditionBlock, PolicyStatement } from './pack-policies.js';

export {
  MANAGED_POLICY_MAX_CHARS,
  MAX_POLICIES_PER_ROLE,
  mergeStatements,
  packPolicyDocuments,
  policySize,
  toSid,
} from './pack-policies.js';
export type { ConditionBlock, Effect, PolicyDocument, PolicyStatement } from './pack-policies.js';

export interface ExpandContext {
  readonly partition: string;
  /**
   * Target Regions. `${Region}` becomes `*` in ARNs; the role's `DenyOutsideTargetRegions` statement
   * (rolePermissionStatements) names these.
   */
  readonly regions: readonly string[];
  /**
   * Accounts the actions work in. One account is written into `${Account}`; with several, `${Account}` becomes `*`
   * and the role's `DenyOutsideTargetAccounts` statement names them. Also the value of the `aws:ResourceAccount`
   * condition added where a resource does not pin the account.
   */
  readonly accounts: readonly string[];
}


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

/**
 * Expands `${Partition}`; `${Region}` becomes `*` (the Region is enforced by `aws:RequestedRegion`), `${Account}` the
 * account, or `*` when the context has several (enforced by `aws:ResourceAccount`). IAM policy variables such as
 * `${aws:username}` are kept. Returns one resource (an array, for the callers that flatten).
 */
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
  if (resource.includes('${Account}') && ctx.accounts.length === 0) {
    throw new TourniquetError('infra.iam-invalid', `permission "${why}": resource ${describeValue(resource)} names \${Account} but no account is given`);
  }
  const account = ctx.accounts.length === 1 ? ctx.accounts[0]! : '*';
  return [resource.replaceAll('${Partition}', ctx.partition).replaceAll('${Region}', '*').replaceAll('${Account}', account)];
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
 * An ARN whose account became `*` because the context has several accounts is left to the role's
 * `DenyOutsideTargetAccounts` statement (see target-scope.ts) instead of a condition on every statement.
 */
export function actionStatements(permissions: readonly IamPermission[], ctx: ExpandContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const accountsByDeny = ctx.accounts.length > 1;
  for (const permission of permissions) {
    if (permission.actions.length === 0 || permission.resources.length === 0) {
      throw new TourniquetError('infra.iam-invalid', `permission "${permission.why}": needs at least one action and one resource`);
    }
    for (const action of permission.actions) assertGrantableAction(action, permission.why);
    const expanded = permission.resources.map((r) => ({ template: r, arn: expandResource(r, ctx, permission.why)[0]! }));
    const condition = copyCondition(permission.conditions);
    const hasAccountCondition = condition !== undefined && Object.values(condition).some((block) => 'aws:ResourceAccount' in block);
    const base = { Sid: toSid(permission.why), Effect: 'Allow' as const };
    const wildcard = expanded.filter((r) => r.arn === '*');
    const arns = expanded.filter((r) => r.arn !== '*');
    const scopedElsewhere = (r: { template: string }): boolean => accountsByDeny && r.template.includes('${Account}');
    const unpinnedArns = unique(arns.filter((r) => resourceAccountUnpinned(r.arn) && !scopedElsewhere(r)).map((r) => r.arn));
    const pinnedArns = unique(arns.filter((r) => !resourceAccountUnpinned(r.arn) || scopedElsewhere(r)).map((r) => r.arn));
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
    // guardduty:GetFindings is wildcard-only (it would grant nothing on a detector ARN), and nothing calls it.
    { Sid: 'ReadDetector', Effect: 'Allow', Action: ['guardduty:GetDetector'], Resource: [p.detectorArn] },
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
      // Both act on log streams (`…:log-group:<name>:log-stream:<stream>`): the group's own ARN would match nothing.
      Resource: p.logGroupArns.map((arn) => `${arn}:*`),
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
    const org: Record<string, string> = p.organizationId !== undefined ? { 'aws:ResourceOrgID': p.organizationId } : {};
    for (const [i, group] of memberRoleGroups(p.memberRoleArns).entries()) {
      const accounts: Record<string, string | string[]> = group.accounts.length > 0 ? { 'aws:ResourceAccount': single(group.accounts) } : {};
      const equals = { ...accounts, ...org };
      statements.push({
        Sid: i === 0 ? 'AssumeMemberRoles' : `AssumeMemberRoles${i + 1}`,
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: [group.resource],
        ...(Object.keys(equals).length > 0 ? { Condition: { StringEquals: equals } } : {}),
      });
    }
  }
  return statements;
}

/**
 * Member-role ARNs grouped by role: `arn:…:iam::<account>:role/<name>` for many accounts becomes one
 * `arn:…:iam::*:role/<name>` with the accounts as `aws:ResourceAccount` values (the role's account, for
 * sts:AssumeRole), so forty accounts cost one short list instead of forty ARNs. An ARN that already wildcards the
 * account, or is not an IAM role ARN, stays as it is.
 */
export function memberRoleGroups(arns: readonly string[]): Array<{ resource: string; accounts: string[] }> {
  const groups = new Map<string, { resource: string; accounts: string[] }>();
  for (const arn of unique(arns)) {
    const m = /^arn:([^:]+):iam::(\d{12}):(role\/.+)$/.exec(arn);
    const resource = m === null ? arn : `arn:${m[1]}:iam::*:${m[3]}`;
    const key = m === null ? `=${arn}` : resource;
    const group = groups.get(key) ?? { resource, accounts: [] };
    if (m !== null) group.accounts.push(m[2]!);
    groups.set(key, group);
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// Self-protection: explicit Deny on changing the responder or its own resources.

export interface SelfProtection {
  /** The responder's own role(s) (and, in member mode, the member role). */
  readonly roleArns: readonly string[];
  /**
   * Name prefix of the managed policies the program creates for these roles (default `tourniquet-`): a new default
   * version of one of them would replace its statements, the self-protection Deny included.
   */
  readonly policyNamePrefix?: string;
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
  const prefix = s.policyNamePrefix ?? 'tourniquet-';
  const ownPolicies = unique(
    s.roleArns.flatMap((arn) => {
      const m = /^arn:([^:]+):iam::(\d{12}):role\//.exec(arn);
      return m === null ? [] : [`arn:${m[1]}:iam::${m[2]}:policy/${prefix}*`];
    }),
  );
  return [
    ...deny('DenyChangingOwnRoles', ['iam:*'], [...s.roleArns, ...(s.protectedPrincipalArns ?? [])]),
    ...deny(
      'DenyChangingOwnPolicies',
      ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'],
      ownPolicies,
    ),
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
        'guardduty:DeleteDetector',
        'guardduty:DeleteIPSet',
        'guardduty:DeletePublishingDestination',
        'guardduty:DeleteThreatEntitySet',
        'guardduty:DeleteThreatIntelSet',
        'guardduty:DeleteTrustedEntitySet',
        'guardduty:UpdateDetector',
        'guardduty:UpdateFilter',
        'guardduty:UpdateIPSet',
        'guardduty:UpdatePublishingDestination',
        'guardduty:UpdateThreatEntitySet',
        'guardduty:UpdateTrustedEntitySet',
      ],
      (s.detectorArns ?? []).flatMap((arn) => [arn, `${arn}/*`]),
    ),
    // Creating a list is wildcard-only in IAM: a Deny on the detector's ARN would deny nothing.
    ...((s.detectorArns ?? []).length > 0
      ? deny(
          'DenyCreatingDetectorLists',
          ['guardduty:CreateIPSet', 'guardduty:CreateThreatEntitySet', 'guardduty:CreateThreatIntelSet', 'guardduty:CreateTrustedEntitySet'],
          ['*'],
        )
      : []),
    ...deny(
      'DenyChangingOwnLogs',
      ['logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:DeleteRetentionPolicy', 'logs:DisassociateKmsKey', 'logs:PutRetentionPolicy'],
      (s.logGroupArns ?? []).flatMap((arn) => [arn, `${arn}:*`]),
    ),
  ];
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
