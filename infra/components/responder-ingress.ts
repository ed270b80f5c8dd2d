/**
 * The responder's ingress: the EventBridge rule for findings, the findings queue with its dead-letter queues and
 * policies (and optional KMS key), the rule's target and the findings bucket's notification. Created with the
 * Responder as parent, so names and URNs are those of the Responder's own resources.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { accountRootAdminStatement, policyJson, withTags } from './common.js';
import type { ResourcePolicyStatement } from './common.js';
import type { ResponderArgs } from './responder.js';
import { TourniquetError } from '../../src/errors.js';
import { SCAN_RESULT_DETAIL_TYPE } from '../../src/findings/record-shapes.js';
import { SCAN_RESULT_FINDING_TYPE, SCAN_RESULT_SEVERITY } from '../../src/findings/scan-result-finding.js';
import { admitFinding, findingIntake, type FindingIntake } from '../../src/policy/finding-intake.js';
import { typePatternKind } from '../../src/policy/glob.js';
import { builtInPolicy, parsePolicy } from '../../src/policy/load-policy.js';

export const FINDINGS_DETAIL_TYPE = 'GuardDuty Finding';
export const DRILL_SOURCE = 'tourniquet.drill';
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;

export interface EventPatternOptions {
  readonly severityThreshold: number;
  readonly findingTypePrefixes: readonly string[];
  readonly drillEvents: boolean;
  /**
   * Types admitted below the threshold (src/policy/finding-intake.ts: AI types, types the policy acts on). Absent:
   * those of the built-in policy.
   */
  readonly intake?: FindingIntake;
}

/** EventBridge's default event-pattern size quota (adjustable to 4096 through Service Quotas). */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/**
 * The EventBridge pattern: GuardDuty findings (and drills) at or above the threshold, or of a type the intake admits
 * below it (the same rule as the Lambda's, src/policy/finding-intake.ts), optionally restricted by type prefix; and
 * Malware Protection for S3 scan results with THREATS_FOUND when the intake admits the finding they become
 * (`Object:S3/MaliciousFile`, severity 8: src/findings/scan-result-finding.ts). A scan result has no `severity` or
 * `type` and a finding no `scanResultDetails`, so no branch of the `$or` matches the other detail type.
 */
export function findingsEventPattern(o: EventPatternOptions): Record<string, unknown> {
  const intake = o.intake ?? findingIntake(builtInPolicy(), o);
  const threshold = { severity: [{ numeric: ['>=', o.severityThreshold] }] };
  const branches: Array<Record<string, unknown>> = intake.branches.map((b) => ({
    type: b.types.map(eventBridgeTypeFilter),
    ...(b.minSeverity !== undefined ? { severity: [{ numeric: ['>=', b.minSeverity] }] } : {}),
  }));
  const scans = admitFinding(intake, { type: SCAN_RESULT_FINDING_TYPE, severity: SCAN_RESULT_SEVERITY }).admitted;
  if (scans) branches.push({ scanResultDetails: { scanResultStatus: ['THREATS_FOUND'] } });
  const detail: Record<string, unknown> = branches.length > 0 ? { $or: [threshold, ...branches] } : { ...threshold };
  if (o.findingTypePrefixes.length > 0) {
    // A scan result has no `type`: `exists: false` lets it past the prefixes (which admit its finding type).
    detail['type'] = [...o.findingTypePrefixes.map((prefix) => ({ prefix })), ...(scans ? [{ exists: false }] : [])];
  }
  const pattern = {
    source: o.drillEvents ? ['aws.guardduty', DRILL_SOURCE] : ['aws.guardduty'],
    'detail-type': scans ? [FINDINGS_DETAIL_TYPE, SCAN_RESULT_DETAIL_TYPE] : [FINDINGS_DETAIL_TYPE],
    detail,
  };
  const size = JSON.stringify(pattern).length;
  if (size > EVENT_PATTERN_MAX_CHARS) {
    throw new TourniquetError(
      'infra.config-invalid',
      `the findings rule's event pattern would be ${size} characters, above EventBridge's ${EVENT_PATTERN_MAX_CHARS}: ` +
        'the policy routes too many distinct type patterns below the severity threshold; use prefixes (ending in "/" or ":") in its rules',
    );
  }
  return pattern;
}

/**
 * A policy type pattern as an EventBridge string filter with the same meaning: exact → the string, prefix (ends in
 * `/` or `:`, or a glob whose only `*` is the last character) → `prefix`, other globs → `wildcard` (EventBridge allows
 * 30 wildcard rules per bus, so prefixes are preferred). Policy globs treat only `*` as special, like `wildcard`.
 */
export function eventBridgeTypeFilter(pattern: string): string | Record<string, string> {
  switch (typePatternKind(pattern)) {
    case 'exact':
      return pattern;
    case 'prefix':
      return { prefix: pattern };
    case 'glob':
      if (pattern.indexOf('*') === pattern.length - 1) return { prefix: pattern.slice(0, -1) };
      // `**` means what `*` means; a backslash is literal in policy globs but an escape in EventBridge.
      return { wildcard: pattern.replace(/\*{2,}/g, '*').replaceAll('\\', '\\\\') };
  }
}

export interface ResponderIngress {
  readonly rule: aws.cloudwatch.EventRule;
  readonly queueKey?: aws.kms.Key;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly eventsDeadLetterQueue: aws.sqs.Queue;
  readonly queue: aws.sqs.Queue;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  readonly eventsDeadLetterQueuePolicy: aws.sqs.QueuePolicy;
  readonly target: aws.cloudwatch.EventTarget;
  readonly bucketNotification: aws.s3.BucketNotification;
}

/** The intake of the deployed policy (the policy file's, else the built-in one): what the Lambda applies too. */
export function ingressIntake(args: Pick<ResponderArgs, 'config' | 'policyFile'>): FindingIntake {
  const policy = args.policyFile !== undefined ? parsePolicy(args.policyFile.text, args.policyFile.source) : builtInPolicy();
  return findingIntake(policy, args.config);
}

export function createIngress(name: string, args: ResponderArgs, component: pulumi.ComponentResource): ResponderIngress {
  const { ctx, config } = args;
  const parent = { parent: component };
  const tags = withTags(args.tags);

  // --- Trigger: EventBridge rule --------------------------------------------------------------------------
  const rule = new aws.cloudwatch.EventRule(
    `${name}-findings-rule`,
    {
      namePrefix: 'tourniquet-findings-',
      description: `Tourniquet: GuardDuty findings with severity >= ${config.severityThreshold}, AI and policy-routed types at any severity, Malware Protection scan results with threats${config.drillEvents ? ', and drills' : ''}`,
      eventPattern: JSON.stringify(findingsEventPattern({ ...config, intake: ingressIntake(args) })),
      state: 'ENABLED',
      tags,
    },
    parent,
  );

  // --- Queues ---------------------------------------------------------------------------------------------
  let queueKey: aws.kms.Key | undefined;
  if (config.queueEncryption === 'KMS') {
    queueKey = new aws.kms.Key(
      `${name}-queue-key`,
      {
        description: 'Tourniquet: findings queues',
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.all([rule.arn, args.findings.bucketArn]).apply(([ruleArn, bucketArn]) =>
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
    queueKey !== undefined
      ? { kmsMasterKeyId: queueKey.arn, kmsDataKeyReusePeriodSeconds: 300 }
      : { sqsManagedSseEnabled: true };
  const dlqTags = withTags(args.tags, { 'tourniquet:queue-role': 'dead-letter' });

  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-findings-dlq`,
    { namePrefix: 'tourniquet-findings-dlq-', messageRetentionSeconds: DLQ_RETENTION_SECONDS, ...encryption, tags: dlqTags },
    parent,
  );
  const eventsDeadLetterQueue = new aws.sqs.Queue(
    `${name}-events-dlq`,
    { namePrefix: 'tourniquet-events-dlq-', messageRetentionSeconds: DLQ_RETENTION_SECONDS, ...encryption, tags: dlqTags },
    parent,
  );
  const queue = new aws.sqs.Queue(
    `${name}-findings-queue`,
    {
      namePrefix: 'tourniquet-findings-',
      // AWS guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeoutSeconds: 6 * config.lambdaTimeoutSeconds,
      messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
      receiveWaitTimeSeconds: 20,
      redrivePolicy: deadLetterQueue.arn.apply((arn) =>
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
  const queuePolicy = new aws.sqs.QueuePolicy(
    `${name}-findings-queue-policy`,
    {
      queueUrl: queue.url,
      policy: pulumi.all([queue.arn, rule.arn, args.findings.bucketArn]).apply(([queueArn, ruleArn, bucketArn]) =>
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
  const eventsDeadLetterQueuePolicy = new aws.sqs.QueuePolicy(
    `${name}-events-dlq-policy`,
    {
      queueUrl: eventsDeadLetterQueue.url,
      policy: pulumi.all([eventsDeadLetterQueue.arn, rule.arn]).apply(([queueArn, ruleArn]) =>
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

  const target = new aws.cloudwatch.EventTarget(
    `${name}-findings-target`,
    {
      rule: rule.name,
      arn: queue.arn,
      retryPolicy: { maximumEventAgeInSeconds: config.eventMaxAgeSeconds, maximumRetryAttempts: config.eventMaxRetryAttempts },
      deadLetterConfig: { arn: eventsDeadLetterQueue.arn },
    },
    { parent: component, dependsOn: [queuePolicy, eventsDeadLetterQueuePolicy] },
  );

  // Only one notification configuration exists per bucket: this resource owns the findings bucket's.
  const bucketNotification = new aws.s3.BucketNotification(
    `${name}-export-notification`,
    {
      bucket: args.findings.bucketName,
      queues: [
        {
          id: 'tourniquet-findings-export',
          queueArn: queue.arn,
          events: ['s3:ObjectCreated:*'],
          filterPrefix: args.findings.exportObjectsPrefix,
          filterSuffix: '.jsonl.gz',
        },
      ],
    },
    // S3 sends a test message when the configuration is saved: the queue policy (and key) must allow it first.
    { parent: component, dependsOn: [queuePolicy, ...(queueKey ? [queueKey] : [])] },
  );

  return { rule, ...(queueKey !== undefined ? { queueKey } : {}), deadLetterQueue, eventsDeadLetterQueue, queue, queuePolicy, eventsDeadLetterQueuePolicy, target, bucketNotification };
}
