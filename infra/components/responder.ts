/**
 * The responder: what turns a finding into containment.
 *
 * GuardDuty ──► EventBridge rule (severity ≥ threshold, or AI/policy-routed type [+ drill source]) ──► SQS ──► Lambda
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
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { IamPermission } from '../../src/actions/action.js';
import type { TourniquetConfig } from '../config.js';
import type { PolicyDocument } from '../iam/generate-policy.js';
import { createIngress } from './responder-ingress.js';
import { createRole, createSelfProtection } from './responder-role.js';
import { createFunctions } from './responder-functions.js';
import { withTags } from './common.js';
import type { ArnContext, Tags } from './common.js';

export { DRILL_SOURCE, FINDINGS_DETAIL_TYPE, findingsEventPattern, type EventPatternOptions } from './responder-ingress.js';

export { MAX_ACTION_POLICIES, SELF_PROTECTION_GROUPS } from './responder-role.js';

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
  /** The default destination of Bedrock invocation logs (infra/components/bedrock-invocation-logging.ts). */
  readonly bedrockInvocationLogging?: { readonly logGroupName: pulumi.Input<string>; readonly roleArn: pulumi.Input<string> };
  /** A validated Tourniquet policy file to upload (compiled, src/policy/compiled-policy.ts) to the findings bucket and pass as TOURNIQUET_POLICY. */
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
    const { config } = args;
    const parent = { parent: this };
    const tags = withTags(args.tags);

    const ingress = createIngress(name, args, this);
    this.rule = ingress.rule;
    if (ingress.queueKey !== undefined) this.queueKey = ingress.queueKey;
    this.deadLetterQueue = ingress.deadLetterQueue;
    this.eventsDeadLetterQueue = ingress.eventsDeadLetterQueue;
    this.queue = ingress.queue;
    this.queuePolicy = ingress.queuePolicy;
    this.eventsDeadLetterQueuePolicy = ingress.eventsDeadLetterQueuePolicy;
    this.target = ingress.target;
    this.bucketNotification = ingress.bucketNotification;

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

    const roleParts = createRole(name, args, this, ingress, { respond: respondLogs, approval: approvalLogs });
    this.role = roleParts.role;
    this.actionPolicyDocuments = roleParts.actionPolicyDocuments;
    this.actionPolicies = roleParts.actionPolicies;
    this.platformPolicy = roleParts.platformPolicy;
    if (roleParts.policyObject !== undefined) this.policyObject = roleParts.policyObject;
    const { attachments, secretArns, keyArns } = roleParts;

    const functions = createFunctions(name, args, this, {
      role: this.role,
      attachments,
      ...(this.policyObject !== undefined ? { policyObject: this.policyObject } : {}),
      respondLogs,
      approvalLogs,
    });
    this.approvalFunction = functions.approvalFunction;
    this.approvalUrl = functions.approvalUrl;
    this.respondFunction = functions.respondFunction;

    const selfProtectionParts = createSelfProtection(name, args, this, {
      role: this.role,
      respondFunction: this.respondFunction,
      approvalFunction: this.approvalFunction,
      ingress,
      keyArns,
      secretArns,
      respondLogs,
      approvalLogs,
    });
    this.selfProtectionPolicies = selfProtectionParts.selfProtectionPolicies;
    const { selfProtectionAttachments } = selfProtectionParts;

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
