/**
 * The responder: what turns a finding into containment.
 *
 * GuardDuty ──► EventBridge rule (GuardDuty Finding, severity ≥ threshold [+ drill source]) ──► SQS ──► Lambda
 * GuardDuty ──► S3 export (ObjectCreated on the export prefix, *.jsonl.gz) ──────────────────────┘
 *
 * - every queue has a dead-letter queue: the findings queue redrives to its DLQ after `maxReceiveCount`; the rule
 *   target has a retry policy and its own dead-letter queue (events that fail all retries land there);
 * - the event source mapping reports partial batch failures (ReportBatchItemFailures);
 * - the queue policy admits EventBridge only from this rule and S3 only from the findings bucket in this account;
 * - the Lambda role's policies are generated (infra/iam/generate-policy.ts) from the actions' permission lists and
 *   the platform needs, with explicit Deny statements on changing the responder's own resources;
 * - approvals arrive through a second function (same bundle, handler approval-handler) behind a function URL with
 *   auth NONE: the links are HMAC-signed, expiring and single-use, so possession of a valid link is the credential;
 * - CloudWatch alarms on both DLQs and on function errors notify the topic.
 */
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { IamPermission } from '../../src/actions/action.js';
import type { TourniquetConfig } from '../config.js';
import { packPolicyDocuments, platformStatements, selfProtectionStatements } from '../iam/generate-policy.js';
import { rolePermissionStatements } from '../iam/target-scope.js';
import type { PolicyDocument, PolicyStatement } from '../iam/generate-policy.js';
import { LAMBDA_ENV } from '../lambda-env.js';
import { accountRootAdminStatement, policyJson, withTags } from './common.js';
import type { ArnContext, ResourcePolicyStatement, Tags } from './common.js';

export const FINDINGS_DETAIL_TYPE = 'GuardDuty Finding';
export const DRILL_SOURCE = 'tourniquet.drill';
/** Managed policies left for the action permissions (platform and the two self-protection halves take three of ten). */
export const MAX_ACTION_POLICIES = 7;

/** The self-protection Deny statements, split by what they protect (Sids from selfProtectionStatements). */
export const SELF_PROTECTION_GROUPS = [
  {
    id: 'compute',
    what: 'role, functions, event sources, queues, rule and logs',
    sids: ['DenyChangingOwnRoles', 'DenyChangingOwnPolicies', 'DenyChangingOwnFunctions', 'DenyChangingOwnEventSources', 'DenyChangingOwnQueues', 'DenyChangingOwnRule', 'DenyChangingOwnLogs'],
  },
  {
    id: 'data',
    what: 'journal, buckets, evidence, keys, topic, secrets and detector',
    sids: ['DenyChangingJournal', 'DenyChangingOwnBuckets', 'DenyEvidenceTampering', 'DenyChangingOwnKeys', 'DenyChangingOwnTopic', 'DenyChangingOwnSecrets', 'DenyChangingDetector', 'DenyCreatingDetectorLists'],
  },
] as const;
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;

export interface EventPatternOptions {
  readonly severityThreshold: number;
  readonly findingTypePrefixes: readonly string[];
  readonly drillEvents: boolean;
}

/** The EventBridge pattern: GuardDuty findings (and drills) at or above the threshold, optionally by type prefix. */
export function findingsEventPattern(o: EventPatternOptions): Record<string, unknown> {
  const detail: Record<string, unknown> = { severity: [{ numeric: ['>=', o.severityThreshold] }] };
  if (o.findingTypePrefixes.length > 0) detail['type'] = o.findingTypePrefixes.map((prefix) => ({ prefix }));
  return {
    source: o.drillEvents ? ['aws.guardduty', DRILL_SOURCE] : ['aws.guardduty'],
    'detail-type': [FINDINGS_DETAIL_TYPE],
    detail,
  };
}

export interface ResponderArgs {
  readonly ctx: ArnContext;
  readonly config: Pick<
    TourniquetConfig,
    | 'mode'
    | 'severityThreshold'
    | 'findingTypePrefixes'
    | 'drillEvents'
    | 'queueEncryption'
    | 'maxReceiveCount'
    | 'batchSize'
    | 'maxBatchingWindowSeconds'
    | 'maxConcurrency'
    | 'lambdaMemoryMb'
    | 'lambdaTimeoutSeconds'
    | 'approvalTimeoutSeconds'
    | 'maxLineBytes'
    | 'maxDecompressedBytes'
    | 'approvalReservedConcurrency'
    | 'logRetentionDays'
    | 'eventMaxAgeSeconds'
    | 'eventMaxRetryAttempts'
    | 'memberRoleName'
    | 'memberExternalId'
    | 'organizationId'
    | 'protectedPrincipalArns'
    | 'playbookOptions'
  >;
  /** Folder holding respond-handler.mjs and approval-handler.mjs. */
  readonly bundleDir: string;
  readonly detectorId: pulumi.Input<string>;
  readonly detectorArn: pulumi.Input<string>;
  readonly findings: {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly exportObjectsPrefix: string;
  };
  readonly evidence: {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
    readonly retentionDays: number;
  };
  readonly journal: { readonly tableName: pulumi.Input<string>; readonly tableArn: pulumi.Input<string> };
  readonly dataKeyArn: pulumi.Input<string>;
  readonly notifications: {
    readonly topicArn: pulumi.Input<string>;
    readonly slackSecretArn?: pulumi.Input<string>;
    readonly approvalSecretArn: pulumi.Input<string>;
  };
  readonly blocklist?: {
    readonly bucketName: pulumi.Input<string>;
    readonly key: string;
    readonly setId: pulumi.Input<string>;
    readonly setArn: pulumi.Input<string>;
  };
  /** A validated Tourniquet policy file to upload to the findings bucket and pass as TOURNIQUET_POLICY. */
  readonly policyFile?: { readonly text: string; readonly source: string };
  /** The actions' permission lists (src/actions/registry.ts `actionPermissions()`). */
  readonly actionPermissions: readonly IamPermission[];
  /** Regions `${Region}` expands to. */
  readonly regions: readonly string[];
  /** Member-account role ARNs the responder may assume. */
  readonly memberRoleArns: readonly string[];
  readonly tags: Tags;
}

export class Responder extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly eventsDeadLetterQueue: aws.sqs.Queue;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  readonly eventsDeadLetterQueuePolicy: aws.sqs.QueuePolicy;
  readonly queueKey?: aws.kms.Key;
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  readonly bucketNotification: aws.s3.BucketNotification;
  readonly role: aws.iam.Role;
  readonly actionPolicies: aws.iam.Policy[];
  readonly platformPolicy: aws.iam.Policy;
  readonly selfProtectionPolicies: aws.iam.Policy[];
  readonly respondFunction: aws.lambda.Function;
  readonly approvalFunction: aws.lambda.Function;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly approvalUrl: aws.lambda.FunctionUrl;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly policyObject?: aws.s3.BucketObjectv2;
  /** The generated action-permission documents (plain JSON values, for review and tests). */
  readonly actionPolicyDocuments: PolicyDocument[];

  constructor(name: string, args: ResponderArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:Responder', name, {}, opts);
    const { ctx, config } = args;
    const parent = { parent: this };
    const tags = withTags(args.tags);

    // --- Trigger: EventBridge rule --------------------------------------------------------------------------
    this.rule = new aws.cloudwatch.EventRule(
      `${name}-findings-rule`,
      {
        namePrefix: 'tourniquet-findings-',
        description: `Tourniquet: GuardDuty findings with severity >= ${config.severityThreshold}${config.drillEvents ? ' and drills' : ''}`,
        eventPattern: JSON.stringify(findingsEventPattern(config)),
        state: 'ENABLED',
        tags,
      },
      parent,
    );

    // --- Queues ---------------------------------------------------------------------------------------------
    if (config.queueEncryption === 'KMS') {
      this.queueKey = new aws.kms.Key(
        `${name}-queue-key`,
        {
          description: 'Tourniquet: findings queues',
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi.all([this.rule.arn, args.findings.bucketArn]).apply(([ruleArn, bucketArn]) =>
            policyJson([
              accountRootAdminStatement(ctx),
              {
                Sid: 'AllowEventBridgeRule',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: '*',
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
              {
                Sid: 'AllowFindingsBucketNotifications',
                Effect: 'Allow',
                Principal: { Service: 's3.amazonaws.com' },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: '*',
                Condition: { ArnEquals: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': ctx.accountId } },
              },
            ]),
          ),
          tags,
        },
        parent,
      );
    }
    const encryption =
      this.queueKey !== undefined
        ? { kmsMasterKeyId: this.queueKey.arn, kmsDataKeyReusePeriodSeconds: 300 }
        : { sqsManagedSseEnabled: true };
    const dlqTags = withTags(args.tags, { 'tourniquet:queue-role': 'dead-letter' });

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-findings-dlq`,
      { namePrefix: 'tourniquet-findings-dlq-', messageRetentionSeconds: DLQ_RETENTION_SECONDS, ...encryption, tags: dlqTags },
      parent,
    );
    this.eventsDeadLetterQueue = new aws.sqs.Queue(
      `${name}-events-dlq`,
      { namePrefix: 'tourniquet-events-dlq-', messageRetentionSeconds: DLQ_RETENTION_SECONDS, ...encryption, tags: dlqTags },
      parent,
    );
    this.queue = new aws.sqs.Queue(
      `${name}-findings-queue`,
      {
        namePrefix: 'tourniquet-findings-',
        // AWS guidance for Lambda event sources: at least six times the function timeout.
        visibilityTimeoutSeconds: 6 * config.lambdaTimeoutSeconds,
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        receiveWaitTimeSeconds: 20,
        redrivePolicy: this.deadLetterQueue.arn.apply((arn) =>
          JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: config.maxReceiveCount }),
        ),
        ...encryption,
        tags,
      },
      parent,
    );

    const denyInsecure = (queueArn: string): ResourcePolicyStatement => ({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sqs:*',
      Resource: queueArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    this.queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-findings-queue-policy`,
      {
        queueUrl: this.queue.url,
        policy: pulumi.all([this.queue.arn, this.rule.arn, args.findings.bucketArn]).apply(([queueArn, ruleArn, bucketArn]) =>
          policyJson([
            {
              Sid: 'AllowFindingsRule',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
            },
            {
              Sid: 'AllowFindingsBucketNotifications',
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': ctx.accountId } },
            },
            denyInsecure(queueArn),
          ]),
        ),
      },
      parent,
    );
    this.eventsDeadLetterQueuePolicy = new aws.sqs.QueuePolicy(
      `${name}-events-dlq-policy`,
      {
        queueUrl: this.eventsDeadLetterQueue.url,
        policy: pulumi.all([this.eventsDeadLetterQueue.arn, this.rule.arn]).apply(([queueArn, ruleArn]) =>
          policyJson([
            {
              Sid: 'AllowFindingsRuleDeadLetters',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
            },
            denyInsecure(queueArn),
          ]),
        ),
      },
      parent,
    );

    this.target = new aws.cloudwatch.EventTarget(
      `${name}-findings-target`,
      {
        rule: this.rule.name,
        arn: this.queue.arn,
        retryPolicy: { maximumEventAgeInSeconds: config.eventMaxAgeSeconds, maximumRetryAttempts: config.eventMaxRetryAttempts },
        deadLetterConfig: { arn: this.eventsDeadLetterQueue.arn },
      },
      { parent: this, dependsOn: [this.queuePolicy, this.eventsDeadLetterQueuePolicy] },
    );

    // Only one notification configuration exists per bucket: this resource owns the findings bucket's.
    this.bucketNotification = new aws.s3.BucketNotification(
      `${name}-export-notification`,
      {
        bucket: args.findings.bucketName,
        queues: [
          {
            id: 'tourniquet-findings-export',
            queueArn: this.queue.arn,
            events: ['s3:ObjectCreated:*'],
            filterPrefix: args.findings.exportObjectsPrefix,
            filterSuffix: '.jsonl.gz',
          },
        ],
      },
      // S3 sends a test message when the configuration is saved: the queue policy (and key) must allow it first.
      { parent: this, dependsOn: [this.queuePolicy, ...(this.queueKey ? [this.queueKey] : [])] },
    );

    // --- Logs -----------------------------------------------------------------------------------------------
    const respondLogs = new aws.cloudwatch.LogGroup(
      `${name}-respond-logs`,
      { namePrefix: '/tourniquet/respond-', retentionInDays: config.logRetentionDays, tags },
      parent,
    );
    const approvalLogs = new aws.cloudwatch.LogGroup(
      `${name}-approval-logs`,
      { namePrefix: '/tourniquet/approval-', retentionInDays: config.logRetentionDays, tags },
      parent,
    );

    // --- Role and generated policies -------------------------------------------------------------------------
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        namePrefix: 'tourniquet-responder-',
        description: 'Tourniquet responder Lambda (permissions generated from the actions)',
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
        tags,
      },
      parent,
    );

    this.actionPolicyDocuments =
      args.actionPermissions.length === 0
        ? []
        : // The home Region is always a target: the platform's own GuardDuty calls happen there.
          packPolicyDocuments(rolePermissionStatements(args.actionPermissions, { partition: ctx.partition, regions: [...new Set([...args.regions, ctx.region])], accounts: [ctx.accountId] }), {
            label: 'responder action permissions',
            maxPolicies: MAX_ACTION_POLICIES,
          });
    this.actionPolicies = this.actionPolicyDocuments.map(
      (doc, index) =>
        new aws.iam.Policy(
          `${name}-actions-${index + 1}`,
          {
            namePrefix: `tourniquet-actions-${index + 1}-`,
            description: `Tourniquet: permissions the containment actions declare (${index + 1}/${this.actionPolicyDocuments.length})`,
            policy: JSON.stringify(doc),
            tags,
          },
          parent,
        ),
    );

    if (args.policyFile !== undefined) {
      // The content hash in the key changes TOURNIQUET_POLICY, so a new policy reaches every new cold start.
      const hash = createHash('sha256').update(args.policyFile.text).digest('hex').slice(0, 16);
      this.policyObject = new aws.s3.BucketObjectv2(
        `${name}-policy-file`,
        {
          bucket: args.findings.bucketName,
          key: `config/tourniquet-policy-${hash}.yaml`,
          content: args.policyFile.text,
          contentType: 'application/yaml',
          serverSideEncryption: 'aws:kms',
          kmsKeyId: args.findings.keyArn,
          tags,
        },
        parent,
      );
    }
    const policyObject = this.policyObject;

    const secretArns = [args.notifications.approvalSecretArn, ...(args.notifications.slackSecretArn ? [args.notifications.slackSecretArn] : [])];
    const keyArns = [args.findings.keyArn, args.evidence.keyArn, args.dataKeyArn, ...(this.queueKey ? [this.queueKey.arn] : [])];
    this.platformPolicy = new aws.iam.Policy(
      `${name}-platform`,
      {
        namePrefix: 'tourniquet-platform-',
        description: 'Tourniquet: queue, journal, evidence, keys, notifications, secrets, logs, member roles',
        policy: pulumi
          .output({
            queueArn: this.queue.arn,
            tableArn: args.journal.tableArn,
            evidenceBucketArn: args.evidence.bucketArn,
            findingsBucketArn: args.findings.bucketArn,
            findingsKeyArn: args.findings.keyArn,
            evidenceKeyArn: args.evidence.keyArn,
            dataKeyArn: args.dataKeyArn,
            queueKeyArn: this.queueKey?.arn,
            detectorArn: args.detectorArn,
            topicArn: args.notifications.topicArn,
            secretArns,
            logGroupArns: [respondLogs.arn, approvalLogs.arn],
            blocklistBucket: args.blocklist?.bucketName,
            policyBucket: policyObject?.bucket,
            policyKey: policyObject?.key,
            blocklistSetArn: args.blocklist?.setArn,
          })
          .apply((v) =>
            singleDocument(
              platformStatements({
                region: ctx.region,
                queueArns: [v.queueArn],
                tableArn: v.tableArn,
                evidenceBucketArn: v.evidenceBucketArn,
                findingsBucketArn: v.findingsBucketArn,
                findingsExportObjectsPrefix: args.findings.exportObjectsPrefix,
                blocklistObjectArns:
                  v.blocklistBucket !== undefined && args.blocklist !== undefined
                    ? [`arn:${ctx.partition}:s3:::${v.blocklistBucket}/${args.blocklist.key}`]
                    : [],
                threatIntelSetArns: v.blocklistSetArn !== undefined ? [v.blocklistSetArn] : [],
                policyObjectArns:
                  v.policyBucket !== undefined && v.policyKey !== undefined ? [`arn:${ctx.partition}:s3:::${v.policyBucket}/${v.policyKey}`] : [],
                detectorArn: v.detectorArn,
                findingsKeyArn: v.findingsKeyArn,
                evidenceKeyArn: v.evidenceKeyArn,
                dataKeyArn: v.dataKeyArn,
                ...(v.queueKeyArn !== undefined ? { queueKeyArn: v.queueKeyArn } : {}),
                topicArn: v.topicArn,
                secretArns: v.secretArns,
                logGroupArns: v.logGroupArns,
                memberRoleArns: args.memberRoleArns,
                ...(config.organizationId !== undefined ? { organizationId: config.organizationId } : {}),
              }),
              'platform',
            ),
          ),
        tags,
      },
      parent,
    );
    const attachments = [...this.actionPolicies, this.platformPolicy].map(
      (policy, index) => new aws.iam.RolePolicyAttachment(`${name}-attach-${index + 1}`, { role: this.role.name, policyArn: policy.arn }, parent),
    );

    // --- Functions ------------------------------------------------------------------------------------------
    const code = new pulumi.asset.FileArchive(args.bundleDir);
    const commonEnv: Record<string, pulumi.Input<string>> = {
      [LAMBDA_ENV.mode]: config.mode,
      [LAMBDA_ENV.journalTable]: args.journal.tableName,
      [LAMBDA_ENV.evidenceBucket]: args.evidence.bucketName,
      [LAMBDA_ENV.evidenceKmsKeyId]: args.evidence.keyArn,
      [LAMBDA_ENV.objectLockMode]: args.evidence.objectLockMode,
      [LAMBDA_ENV.objectLockDays]: String(args.evidence.retentionDays),
      [LAMBDA_ENV.topicArn]: args.notifications.topicArn,
      [LAMBDA_ENV.approvalSecretArn]: args.notifications.approvalSecretArn,
      [LAMBDA_ENV.findingsBucket]: args.findings.bucketName,
      [LAMBDA_ENV.detectorId]: args.detectorId,
      [LAMBDA_ENV.memberRoleName]: config.memberRoleName,
      [LAMBDA_ENV.responderRoleArn]: this.role.arn,
      [LAMBDA_ENV.protectedPrincipals]: config.protectedPrincipalArns.join(','),
      [LAMBDA_ENV.severityThreshold]: String(config.severityThreshold),
      POWERTOOLS_SERVICE_NAME: 'tourniquet',
      POWERTOOLS_METRICS_NAMESPACE: 'Tourniquet',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    if (args.notifications.slackSecretArn !== undefined) commonEnv[LAMBDA_ENV.slackWebhookSecretArn] = args.notifications.slackSecretArn;
    if (config.memberExternalId !== undefined) commonEnv[LAMBDA_ENV.memberExternalId] = config.memberExternalId;
    if (config.maxLineBytes !== undefined) commonEnv[LAMBDA_ENV.maxLineBytes] = String(config.maxLineBytes);
    if (config.maxDecompressedBytes !== undefined) commonEnv[LAMBDA_ENV.maxDecompressedBytes] = String(config.maxDecompressedBytes);
    if (policyObject !== undefined) commonEnv[LAMBDA_ENV.policy] = pulumi.interpolate`s3://${policyObject.bucket}/${policyObject.key}`;
    if (Object.keys(config.playbookOptions).length > 0) commonEnv[LAMBDA_ENV.playbookOptions] = JSON.stringify(config.playbookOptions);
    if (args.blocklist !== undefined) {
      commonEnv[LAMBDA_ENV.blocklistBucket] = args.blocklist.bucketName;
      commonEnv[LAMBDA_ENV.blocklistKey] = args.blocklist.key;
      commonEnv[LAMBDA_ENV.blocklistSetId] = args.blocklist.setId;
    }
    const functionBase = {
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      code,
      role: this.role.arn,
      tags,
    };

    this.approvalFunction = new aws.lambda.Function(
      `${name}-approval`,
      {
        ...functionBase,
        description: 'Tourniquet: approval links (HMAC-signed, expiring, single-use)',
        handler: 'approval-handler.handler',
        memorySize: 512,
        timeout: config.approvalTimeoutSeconds,
        ...(config.approvalReservedConcurrency !== undefined ? { reservedConcurrentExecutions: config.approvalReservedConcurrency } : {}),
        environment: { variables: commonEnv },
        loggingConfig: { logFormat: 'JSON', logGroup: approvalLogs.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      },
      { parent: this, dependsOn: attachments },
    );
    // Auth NONE is deliberate: the HMAC-signed link is the credential (see module comment).
    this.approvalUrl = new aws.lambda.FunctionUrl(
      `${name}-approval-url`,
      { functionName: this.approvalFunction.name, authorizationType: 'NONE', invokeMode: 'BUFFERED' },
      parent,
    );
    // Since October 2025 a public function URL needs both permissions.
    new aws.lambda.Permission(
      `${name}-approval-url-invoke-url`,
      { function: this.approvalFunction.name, action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' },
      parent,
    );
    new aws.lambda.Permission(
      `${name}-approval-url-invoke`,
      { function: this.approvalFunction.name, action: 'lambda:InvokeFunction', principal: '*', invokedViaFunctionUrl: true },
      parent,
    );

    this.respondFunction = new aws.lambda.Function(
      `${name}-respond`,
      {
        ...functionBase,
        description: 'Tourniquet: contain what GuardDuty reports (SQS batches of findings and export objects)',
        handler: 'respond-handler.handler',
        memorySize: config.lambdaMemoryMb,
        timeout: config.lambdaTimeoutSeconds,
        environment: { variables: { ...commonEnv, [LAMBDA_ENV.approvalUrl]: this.approvalUrl.functionUrl } },
        loggingConfig: { logFormat: 'JSON', logGroup: respondLogs.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      },
      { parent: this, dependsOn: attachments },
    );

    const selfProtection = pulumi
      .output({
        roleArn: this.role.arn,
        functionArns: [this.respondFunction.arn, this.approvalFunction.arn],
        queueArns: [this.queue.arn, this.deadLetterQueue.arn, this.eventsDeadLetterQueue.arn],
        tableArn: args.journal.tableArn,
        findingsBucketArn: args.findings.bucketArn,
        evidenceBucketArn: args.evidence.bucketArn,
        keyArns,
        topicArn: args.notifications.topicArn,
        secretArns,
        ruleArn: this.rule.arn,
        detectorArn: args.detectorArn,
        logGroupArns: [respondLogs.arn, approvalLogs.arn],
      })
      .apply((v) =>
        selfProtectionStatements({
          roleArns: [v.roleArn],
          protectedPrincipalArns: config.protectedPrincipalArns,
          functionArns: v.functionArns,
          queueArns: v.queueArns,
          tableArns: [v.tableArn],
          bucketArns: [v.findingsBucketArn, v.evidenceBucketArn],
          evidenceBucketArns: [v.evidenceBucketArn],
          keyArns: v.keyArns,
          topicArns: [v.topicArn],
          secretArns: v.secretArns,
          ruleArns: [v.ruleArn],
          detectorArns: [v.detectorArn],
          logGroupArns: v.logGroupArns,
        }),
      );
    // Two fixed halves (compute vs data), so each stays well inside the managed-policy size limit.
    this.selfProtectionPolicies = SELF_PROTECTION_GROUPS.map(
      (group) =>
        new aws.iam.Policy(
          `${name}-self-protection-${group.id}`,
          {
            namePrefix: `tourniquet-self-protection-${group.id}-`,
            description: `Tourniquet: explicit Deny on changing the responder's own ${group.what}`,
            policy: selfProtection.apply((statements) =>
              singleDocument(
                statements.filter((s) => (group.sids as readonly string[]).includes(s.Sid ?? '')),
                `self-protection (${group.id})`,
              ),
            ),
            tags,
          },
          parent,
        ),
    );
    const selfProtectionAttachments = this.selfProtectionPolicies.map(
      (policy, index) =>
        new aws.iam.RolePolicyAttachment(`${name}-attach-self-protection-${index + 1}`, { role: this.role.name, policyArn: policy.arn }, parent),
    );

    // Lambda checks the role can receive from the queue when the mapping is created.
    this.eventSourceMapping = new aws.lambda.EventSourceMapping(
      `${name}-findings-mapping`,
      {
        eventSourceArn: this.queue.arn,
        functionName: this.respondFunction.arn,
        batchSize: config.batchSize,
        maximumBatchingWindowInSeconds: config.maxBatchingWindowSeconds,
        functionResponseTypes: ['ReportBatchItemFailures'],
        scalingConfig: { maximumConcurrency: config.maxConcurrency },
      },
      { parent: this, dependsOn: [...attachments, ...selfProtectionAttachments] },
    );

    // --- Alarms ---------------------------------------------------------------------------------------------
    const queueAlarm = (id: string, queue: aws.sqs.Queue, what: string): aws.cloudwatch.MetricAlarm =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${id}-alarm`,
        {
          alarmDescription: `Tourniquet: ${what} has messages: findings were not processed`,
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: queue.name },
          statistic: 'Maximum',
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          alarmActions: [args.notifications.topicArn],
          tags,
        },
        parent,
      );
    this.alarms = [
      queueAlarm('findings-dlq', this.deadLetterQueue, 'the findings dead-letter queue'),
      queueAlarm('events-dlq', this.eventsDeadLetterQueue, 'the EventBridge dead-letter queue'),
      new aws.cloudwatch.MetricAlarm(
        `${name}-respond-errors-alarm`,
        {
          alarmDescription: 'Tourniquet: the respond function failed',
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: this.respondFunction.name },
          statistic: 'Sum',
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          alarmActions: [args.notifications.topicArn],
          tags,
        },
        parent,
      ),
    ];

    this.registerOutputs({
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      eventsDeadLetterQueueUrl: this.eventsDeadLetterQueue.url,
      approvalUrl: this.approvalUrl.functionUrl,
      roleArn: this.role.arn,
    });
  }
}

/** One managed policy document (packPolicyDocuments throws a clear error when the statements outgrow it). */
function singleDocument(statements: PolicyStatement[], label: string): string {
  const [doc] = packPolicyDocuments(statements, { label, maxPolicies: 1 });
  return JSON.stringify(doc ?? { Version: '2012-10-17', Statement: [] });
}
