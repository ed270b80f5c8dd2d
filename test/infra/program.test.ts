/**
 * The central stack under Pulumi mocks (default configuration): every resource and each fix of the seed program
 * (list files uploaded, PublishingDestination with a KMS key and the bucket/key policies GuardDuty needs, bucket ARN
 * exported instead of a website endpoint, something reacting to findings).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateIpListText } from '../../infra/lists/validate-list.js';
import type { CapturedResource, ResourceCapture } from './helpers/pulumi-mocks.js';
import { MOCK_ACCOUNT, json } from './helpers/pulumi-mocks.js';
import { buildTourniquetStack } from '../support/tourniquet-stack.js';

type Doc = { Statement: Array<Record<string, unknown> & { Sid?: string; Effect: string; Action: unknown; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }> };

const INFRA = join(import.meta.dirname, '..', '..', 'infra');
let capture: ResourceCapture;
let outputs: Record<string, unknown>;

const T = {
  detector: 'aws:guardduty/detector:Detector',
  feature: 'aws:guardduty/detectorFeature:DetectorFeature',
  key: 'aws:kms/key:Key',
  bucket: 'aws:s3/bucket:Bucket',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  sse: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  pab: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  versioning: 'aws:s3/bucketVersioning:BucketVersioning',
  ownership: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  lifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  lock: 'aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration',
  object: 'aws:s3/bucketObjectv2:BucketObjectv2',
  notification: 'aws:s3/bucketNotification:BucketNotification',
  destination: 'aws:guardduty/publishingDestination:PublishingDestination',
  threatSet: 'aws:guardduty/threatIntelSet:ThreatIntelSet',
  ipSet: 'aws:guardduty/iPSet:IPSet',
  queue: 'aws:sqs/queue:Queue',
  queuePolicy: 'aws:sqs/queuePolicy:QueuePolicy',
  rule: 'aws:cloudwatch/eventRule:EventRule',
  target: 'aws:cloudwatch/eventTarget:EventTarget',
  fn: 'aws:lambda/function:Function',
  esm: 'aws:lambda/eventSourceMapping:EventSourceMapping',
  url: 'aws:lambda/functionUrl:FunctionUrl',
  permission: 'aws:lambda/permission:Permission',
  table: 'aws:dynamodb/table:Table',
  topic: 'aws:sns/topic:Topic',
  subscription: 'aws:sns/topicSubscription:TopicSubscription',
  secret: 'aws:secretsmanager/secret:Secret',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  role: 'aws:iam/role:Role',
  policy: 'aws:iam/policy:Policy',
  attachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
} as const;

const s = (r: CapturedResource, key: string): unknown => r.state[key];
const arnOf = (r: CapturedResource): string => String(r.state['arn']);
const statementsOf = (policy: unknown): Doc['Statement'] => json<Doc>(policy).Statement;
const sid = (doc: Doc['Statement'], name: string): Doc['Statement'][number] => {
  const found = doc.find((st) => st.Sid === name);
  if (found === undefined) throw new Error(`no statement ${name} in ${doc.map((st) => st.Sid).join(', ')}`);
  return found;
};

beforeAll(async () => {
  ({ capture, outputs } = await buildTourniquetStack({}));
});

describe('detector', () => {
  it('is enabled and re-publishes updated findings every 15 minutes', () => {
    const detector = capture.one(T.detector);
    expect(detector.inputs).toMatchObject({ enable: true, findingPublishingFrequency: 'FIFTEEN_MINUTES' });
    // Created by the stack, so destroyed with it (only an adopted detector is retained).
    expect(detector.options).toMatchObject({ retainOnDelete: false, protect: false });
    expect(detector.options?.importId).toBeUndefined();
    expect(outputs['detectorId']).toBe(detector.id);
  });

  it('sets every protection plan explicitly (Runtime Monitoring off by default, AI Protection on)', () => {
    const features = Object.fromEntries(capture.ofType(T.feature).map((f) => [f.inputs['name'], f.inputs['status']]));
    expect(features).toEqual({
      S3_DATA_EVENTS: 'ENABLED',
      EKS_AUDIT_LOGS: 'ENABLED',
      EBS_MALWARE_PROTECTION: 'ENABLED',
      RDS_LOGIN_EVENTS: 'ENABLED',
      LAMBDA_NETWORK_LOGS: 'ENABLED',
      RUNTIME_MONITORING: 'DISABLED',
      AI_PROTECTION: 'ENABLED',
    });
    for (const f of capture.ofType(T.feature)) expect(f.inputs['detectorId']).toBe(capture.one(T.detector).id);
  });
});

describe('findings export (seed fix: KMS key and policies)', () => {
  it('the PublishingDestination has the findings key ARN and the bucket ARN, after both policies', () => {
    const destination = capture.one(T.destination);
    const key = capture.one(T.key, 'findings');
    const bucket = capture.one(T.bucket, 'findings');
    expect(destination.inputs).toEqual(
      expect.objectContaining({ destinationType: 'S3', detectorId: capture.one(T.detector).id, kmsKeyArn: arnOf(key), destinationArn: arnOf(bucket) }),
    );
    expect(arnOf(key)).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(capture.dependsOn(destination, capture.one(T.bucketPolicy, 'findings'))).toBe(true);
    expect(capture.dependsOn(destination, capture.one(T.sse, 'findings'))).toBe(true);
    expect(capture.dependsOn(destination, key)).toBe(true);
  });

  it('the key rotates and lets GuardDuty GenerateDataKey only for this account and detector', () => {
    const key = capture.one(T.key, 'findings');
    expect(key.inputs['enableKeyRotation']).toBe(true);
    const doc = statementsOf(key.inputs['policy']);
    expect(sid(doc, 'AccountRootAdministersKey')).toMatchObject({ Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` }, Action: 'kms:*' });
    expect(sid(doc, 'AllowGuardDutyKey')).toEqual({
      Sid: 'AllowGuardDutyKey',
      Effect: 'Allow',
      Principal: { Service: 'guardduty.amazonaws.com' },
      Action: 'kms:GenerateDataKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT, 'aws:SourceArn': outputs['detectorArn'] } },
    });
    expect(sid(doc, 'AllowGuardDutyServiceRoleReadLists')).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty` },
      Action: 'kms:Decrypt',
    });
  });

  it('the bucket policy is guardduty-findings.md §1.5 with the exact key and detector ARNs, and denies non-TLS', () => {
    const bucketArn = arnOf(capture.one(T.bucket, 'findings'));
    const keyArn = arnOf(capture.one(T.key, 'findings'));
    const doc = statementsOf(capture.one(T.bucketPolicy, 'findings').inputs['policy']);
    const source = { StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT, 'aws:SourceArn': outputs['detectorArn'] } };
    const gd = { Service: 'guardduty.amazonaws.com' };
    expect(sid(doc, 'AllowGuardDutyGetBucketLocation')).toMatchObject({ Effect: 'Allow', Principal: gd, Action: 's3:GetBucketLocation', Resource: bucketArn, Condition: source });
    expect(sid(doc, 'AllowGuardDutyPutObject')).toMatchObject({ Effect: 'Allow', Principal: gd, Action: 's3:PutObject', Resource: `${bucketArn}/*`, Condition: source });
    expect(sid(doc, 'DenyUnencryptedObjectUploads')).toMatchObject({
      Effect: 'Deny',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    const wrongKey = sid(doc, 'DenyIncorrectEncryptionHeader');
    expect(wrongKey).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } } });
    expect(JSON.stringify(wrongKey)).not.toContain('key/*');
    expect(sid(doc, 'DenyInsecureTransport')).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(doc.filter((st) => st.Effect === 'Allow' && st.Principal === '*')).toEqual([]);
  });

  it('the bucket is SSE-KMS (bucket key), versioned, fully private, owner-enforced, with lifecycle on the export only', () => {
    const bucket = capture.one(T.bucket, 'findings');
    const name = s(bucket, 'bucket');
    expect(bucket.inputs['website']).toBeUndefined();
    expect(capture.one(T.sse, 'findings').inputs).toMatchObject({
      bucket: name,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: arnOf(capture.one(T.key, 'findings')) }, bucketKeyEnabled: true }],
    });
    expect(capture.one(T.versioning, 'findings').inputs).toMatchObject({ bucket: name, versioningConfiguration: { status: 'Enabled' } });
    expect(capture.one(T.pab, 'findings').inputs).toMatchObject({
      bucket: name,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(capture.one(T.ownership, 'findings').inputs).toMatchObject({ rule: { objectOwnership: 'BucketOwnerEnforced' } });
    const rules = capture.one(T.lifecycle, 'findings').inputs['rules'] as Array<Record<string, unknown>>;
    expect(rules[0]).toMatchObject({
      status: 'Enabled',
      filter: { prefix: 'AWSLogs/' },
      transitions: [{ days: 90, storageClass: 'GLACIER_IR' }],
      expiration: { days: 365 },
    });
    expect(rules[1]).toMatchObject({ noncurrentVersionExpiration: { noncurrentDays: 30 } });
  });
});

describe('threat lists (seed fix: the files are uploaded)', () => {
  it('uploads the validated threat list and activates a ThreatIntelSet on it', () => {
    const object = capture.one(T.object, 'threat-intel');
    const expected = validateIpListText(readFileSync(join(INFRA, 'lists', 'threat-intel.txt'), 'utf8'), { kind: 'threat', source: 'x' }).content;
    expect(object.inputs['content']).toBe(expected);
    expect(expected).not.toContain('#');
    expect(object.inputs).toMatchObject({ bucket: outputs['findingsBucketName'], serverSideEncryption: 'aws:kms', kmsKeyId: outputs['findingsKmsKeyArn'] });
    expect(object.inputs['key']).toMatch(/^lists\/threat-intel-[0-9a-f]{16}\.txt$/);
    const set = capture.one(T.threatSet, 'threat-intel');
    expect(set.inputs).toMatchObject({
      activate: true,
      format: 'TXT',
      name: 'tourniquet-threat-intel',
      detectorId: outputs['detectorId'],
      location: `s3://${String(outputs['findingsBucketName'])}/${String(object.inputs['key'])}`,
    });
    expect(capture.dependsOn(object, capture.one(T.bucketPolicy, 'findings'))).toBe(true);
  });

  it('uploads the trusted list and activates an IPSet on it', () => {
    const object = capture.one(T.object, 'trusted-ips');
    const expected = validateIpListText(readFileSync(join(INFRA, 'lists', 'trusted-ips.txt'), 'utf8'), { kind: 'trusted', source: 'x' }).content;
    expect(object.inputs['content']).toBe(expected);
    expect(capture.one(T.ipSet).inputs).toMatchObject({
      activate: true,
      format: 'TXT',
      name: 'tourniquet-trusted-ips',
      location: `s3://${String(outputs['findingsBucketName'])}/${String(object.inputs['key'])}`,
    });
  });

  it('creates the responder-managed blocklist (seeded, then owned by the responder) and its set', () => {
    const object = capture.one(T.object, 'responder-blocklist');
    expect(object.inputs).toMatchObject({ key: 'lists/responder-blocklist.txt', content: '192.0.2.1\n' });
    // The claims object next to it (which incidents hold which address), created empty.
    const claims = capture.one(T.object, 'blocklist-claims');
    expect(claims.inputs).toMatchObject({ key: 'lists/responder-blocklist.txt.cases.json', contentType: 'application/json' });
    expect(JSON.parse(String(claims.inputs['content']))).toEqual({ version: 1, entries: [] });
    expect(capture.one(T.threatSet, 'responder-blocklist').inputs).toMatchObject({ activate: true, name: 'tourniquet-responder-blocklist' });
    expect(outputs['responderBlocklistSetId']).toBe(s(capture.one(T.threatSet, 'responder-blocklist'), 'threatIntelSetId'));
  });
});

describe('trigger: EventBridge and S3 into one queue, dead-letter queues everywhere', () => {
  it('the rule matches GuardDuty findings at or above severity 4, AI-related types at any severity, and scan results with threats', () => {
    expect(json(capture.one(T.rule).inputs['eventPattern'])).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding', 'GuardDuty Malware Protection Object Scan Result'],
      detail: {
        $or: [
          { severity: [{ numeric: ['>=', 4] }] },
          {
            type: [
              'DefenseEvasion:IAMUser/BedrockLoggingDisabled',
              'Execution:SageMaker/CommandAndScriptingInterpreter',
              'Impact:IAMUser/AnomalousModelInvocation',
              'Impact:IAMUser/CostHarvesting',
              'Impact:IAMUser/PromptInjection.Direct',
            ],
          },
          { scanResultDetails: { scanResultStatus: ['THREATS_FOUND'] } },
        ],
      },
    });
  });

  it('the rule target is the findings queue, with a retry policy and its own dead-letter queue', () => {
    const target = capture.one(T.target);
    expect(target.inputs).toMatchObject({
      rule: s(capture.one(T.rule), 'name'),
      arn: arnOf(capture.one(T.queue, 'findings-queue')),
      retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
      deadLetterConfig: { arn: arnOf(capture.one(T.queue, 'events-dlq')) },
    });
  });

  it('the findings queue redrives to its DLQ; every queue is encrypted', () => {
    const queue = capture.one(T.queue, 'findings-queue');
    expect(json(queue.inputs['redrivePolicy'])).toEqual({ deadLetterTargetArn: arnOf(capture.one(T.queue, 'findings-dlq')), maxReceiveCount: 5 });
    expect(queue.inputs['visibilityTimeoutSeconds']).toBe(6 * 120);
    expect(capture.ofType(T.queue)).toHaveLength(3);
    for (const q of capture.ofType(T.queue)) expect(q.inputs['sqsManagedSseEnabled']).toBe(true);
    for (const dlq of [capture.one(T.queue, 'findings-dlq'), capture.one(T.queue, 'events-dlq')]) {
      expect(dlq.inputs['messageRetentionSeconds']).toBe(14 * 24 * 3600);
    }
  });

  it('the queue policy admits EventBridge only from this rule and S3 only from the findings bucket in this account', () => {
    const policy = capture.one(T.queuePolicy, 'findings-queue');
    expect(policy.inputs['queueUrl']).toBe(outputs['responderQueueUrl']);
    const doc = statementsOf(policy.inputs['policy']);
    expect(sid(doc, 'AllowFindingsRule')).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': outputs['findingsRuleArn'] } },
    });
    expect(sid(doc, 'AllowFindingsBucketNotifications')).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': outputs['findingsBucketArn'] }, StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT } },
    });
    expect(sid(doc, 'DenyInsecureTransport')).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const dlqDoc = statementsOf(capture.one(T.queuePolicy, 'events-dlq').inputs['policy']);
    expect(sid(dlqDoc, 'AllowFindingsRuleDeadLetters')).toMatchObject({ Condition: { ArnEquals: { 'aws:SourceArn': outputs['findingsRuleArn'] } } });
  });

  it('S3 ObjectCreated on the export prefix (*.jsonl.gz) reaches the queue, after the queue policy', () => {
    const notification = capture.one(T.notification);
    expect(notification.inputs).toMatchObject({
      bucket: outputs['findingsBucketName'],
      queues: [{ queueArn: arnOf(capture.one(T.queue, 'findings-queue')), events: ['s3:ObjectCreated:*'], filterPrefix: 'AWSLogs/', filterSuffix: '.jsonl.gz' }],
    });
    expect(capture.dependsOn(notification, capture.one(T.queuePolicy, 'findings-queue'))).toBe(true);
  });

  it('the event source mapping reports partial batch failures', () => {
    expect(capture.one(T.esm).inputs).toMatchObject({
      eventSourceArn: arnOf(capture.one(T.queue, 'findings-queue')),
      functionName: arnOf(capture.one(T.fn, 'respond')),
      functionResponseTypes: ['ReportBatchItemFailures'],
      batchSize: 10,
      scalingConfig: { maximumConcurrency: 5 },
    });
    expect(capture.dependsOn(capture.one(T.esm), capture.one(T.attachment, 'attach-2'))).toBe(true);
  });

  it('alarms on both dead-letter queues and on function errors notify the topic', () => {
    const alarms = capture.ofType(T.alarm);
    expect(alarms).toHaveLength(3);
    for (const a of alarms) expect(a.inputs['alarmActions']).toEqual([outputs['notificationsTopicArn']]);
    const queues = alarms.map((a) => (a.inputs['dimensions'] as Record<string, string> | undefined)?.['QueueName']).filter(Boolean);
    expect(queues.sort()).toEqual([s(capture.one(T.queue, 'events-dlq'), 'name'), s(capture.one(T.queue, 'findings-dlq'), 'name')].sort());
  });
});

describe('functions', () => {
  it('the respond function: nodejs22.x on arm64, the bundle folder, the environment the handler reads', () => {
    const fn = capture.one(T.fn, 'respond');
    expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], handler: 'respond-handler.handler', timeout: 120, role: outputs['responderRoleArn'] });
    // A file archive (the mocks do not carry its path; the bundle itself is checked in build-bundle.test.ts).
    expect(fn.inputs['code']).toMatchObject({ __pulumiArchive: true });
    const env = (fn.inputs['environment'] as { variables: Record<string, string> }).variables;
    expect(env).toMatchObject({
      TOURNIQUET_MODE: 'observe',
      TOURNIQUET_JOURNAL_TABLE: outputs['journalTableName'],
      TOURNIQUET_EVIDENCE_BUCKET: outputs['evidenceBucketName'],
      TOURNIQUET_EVIDENCE_KMS_KEY_ID: outputs['evidenceKmsKeyArn'],
      TOURNIQUET_OBJECT_LOCK_MODE: 'GOVERNANCE',
      TOURNIQUET_OBJECT_LOCK_DAYS: '365',
      TOURNIQUET_TOPIC_ARN: outputs['notificationsTopicArn'],
      TOURNIQUET_SLACK_SECRET_ARN: outputs['slackWebhookSecretArn'],
      TOURNIQUET_APPROVAL_SECRET_ARN: outputs['approvalSecretArn'],
      TOURNIQUET_APPROVAL_URL: outputs['approvalUrl'],
      TOURNIQUET_RESPONDER_ROLE_ARN: outputs['responderRoleArn'],
      TOURNIQUET_ROLE_NAME: 'TourniquetResponder',
      TOURNIQUET_DETECTOR_ID: outputs['detectorId'],
      TOURNIQUET_BLOCKLIST_KEY: 'lists/responder-blocklist.txt',
      TOURNIQUET_SEVERITY_THRESHOLD: '4',
    });
    // No type prefixes configured: no variable (the Lambda then restricts nothing).
    expect(env['TOURNIQUET_FINDING_TYPE_PREFIXES']).toBeUndefined();
    for (const [name, value] of Object.entries(env)) expect(value, name).toBeTypeOf('string');
    // The env must parse with the handler's own schema.
    return import('../../src/lambda/lambda-config.js').then(({ readLambdaConfig }) => {
      expect(readLambdaConfig(env).TOURNIQUET_JOURNAL_TABLE).toBe(outputs['journalTableName']);
      expect(readLambdaConfig(env).TOURNIQUET_SEVERITY_THRESHOLD).toBe(4);
    });
  });

  it('the approval function sits behind a function URL with auth NONE and both invoke permissions', () => {
    const approval = capture.one(T.fn, 'approval');
    expect(approval.inputs).toMatchObject({ handler: 'approval-handler.handler', runtime: 'nodejs22.x', architectures: ['arm64'] });
    expect(capture.one(T.url).inputs).toMatchObject({ functionName: s(approval, 'name'), authorizationType: 'NONE' });
    const permissions = capture.ofType(T.permission).map((p) => p.inputs);
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' }),
        expect.objectContaining({ action: 'lambda:InvokeFunction', principal: '*', invokedViaFunctionUrl: true }),
      ]),
    );
    expect(outputs['approvalUrl']).toBe(s(capture.one(T.url), 'functionUrl'));
  });
});

describe('journal, evidence, notifications', () => {
  it('the journal table: pk/sk, gsi1 on gsi1pk/gsi1sk, TTL expiresAt, on-demand, PITR, CMK, deletion protection', () => {
    const table = capture.one(T.table);
    expect(table.inputs).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      globalSecondaryIndexes: [{ name: 'gsi1', hashKey: 'gsi1pk', rangeKey: 'gsi1sk', projectionType: 'ALL' }],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: arnOf(capture.one(T.key, 'data-key')) },
      deletionProtectionEnabled: true,
    });
  });

  it('layout matches the journal code (src/journal/table-layout.ts)', async () => {
    const { tableDefinition } = await import('../../src/journal/table-layout.js');
    const def = tableDefinition('t');
    const table = capture.one(T.table);
    const attributes = (table.inputs['attributes'] as Array<{ name: string; type: string }>).map((a) => [a.name, a.type]).sort();
    expect(attributes).toEqual((def.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]).sort());
    expect(def.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('gsi1');
  });

  it('the evidence bucket: Object Lock GOVERNANCE 365 days, its own key, private, TLS-only, other keys refused', () => {
    const bucket = capture.one(T.bucket, 'evidence');
    expect(bucket.inputs['objectLockEnabled']).toBe(true);
    expect(capture.one(T.lock, 'evidence').inputs).toMatchObject({ objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'GOVERNANCE', days: 365 } } });
    const evidenceKey = arnOf(capture.one(T.key, 'evidence'));
    expect(evidenceKey).not.toBe(outputs['findingsKmsKeyArn']);
    expect(capture.one(T.sse, 'evidence').inputs).toMatchObject({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: evidenceKey } }] });
    expect(capture.one(T.versioning, 'evidence').inputs).toMatchObject({ versioningConfiguration: { status: 'Enabled' } });
    expect(capture.one(T.pab, 'evidence').inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const doc = statementsOf(capture.one(T.bucketPolicy, 'evidence').inputs['policy']);
    expect(sid(doc, 'DenyInsecureTransport').Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(sid(doc, 'DenyOtherKmsKeys').Condition).toEqual({ StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': evidenceKey } });
  });

  it('every key rotates', () => {
    const keys = capture.ofType(T.key);
    expect(keys.map((k) => k.name).sort()).toEqual(['data-key', 'evidence-key', 'findings-key']);
    for (const k of keys) expect(k.inputs['enableKeyRotation']).toBe(true);
  });

  it('the topic is KMS-encrypted; the Slack secret has no value; the approval key is generated once', () => {
    expect(capture.one(T.topic).inputs['kmsMasterKeyId']).toBe(arnOf(capture.one(T.key, 'data-key')));
    expect(capture.ofType(T.subscription)).toEqual([]);
    const secrets = capture.ofType(T.secret);
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret.inputs['kmsKeyId']).toBe(arnOf(capture.one(T.key, 'data-key')));
    const versions = capture.ofType(T.secretVersion);
    expect(versions).toHaveLength(1);
    expect(versions[0]!.inputs['secretId']).toBe(outputs['approvalSecretArn']);
    expect(JSON.stringify(versions[0]!.inputs['secretString'])).toMatch(/[A-Za-z0-9_-]{43}/);
  });
});

describe('IAM role (generated)', () => {
  it('is assumable by Lambda only', () => {
    expect(json(capture.one(T.role).inputs['assumeRolePolicy'])).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  it('every generated policy is attached; none grants Action "*"', () => {
    const policies = capture.ofType(T.policy);
    const attached = new Set(capture.ofType(T.attachment).map((a) => a.inputs['policyArn']));
    for (const p of policies) {
      expect(attached.has(arnOf(p))).toBe(true);
      for (const st of statementsOf(p.inputs['policy'])) expect([st.Action].flat()).not.toContain('*');
    }
    expect(policies.map((p) => p.name)).toEqual(
      expect.arrayContaining(['tourniquet-actions-1', 'tourniquet-platform', 'tourniquet-self-protection-compute', 'tourniquet-self-protection-data']),
    );
    expect(policies.length).toBeLessThanOrEqual(10);
  });

  it('denies changes to its own role, functions and evidence, by their real ARNs', () => {
    const compute = statementsOf(capture.one(T.policy, 'self-protection-compute').inputs['policy']);
    expect(sid(compute, 'DenyChangingOwnRoles').Resource).toEqual([outputs['responderRoleArn']]);
    expect(sid(compute, 'DenyChangingOwnFunctions').Resource).toEqual(expect.arrayContaining([arnOf(capture.one(T.fn, 'respond'))]));
    const data = statementsOf(capture.one(T.policy, 'self-protection-data').inputs['policy']);
    expect(sid(data, 'DenyEvidenceTampering').Resource).toEqual([`${String(outputs['evidenceBucketArn'])}/*`]);
    expect(sid(data, 'DenyChangingOwnKeys').Resource).toEqual(expect.arrayContaining([outputs['findingsKmsKeyArn'], outputs['evidenceKmsKeyArn']]));
  });

  it('may read the live tags the engine decides on (issue 7 item 5): instances, users, roles, buckets', () => {
    const allowed = capture
      .ofType(T.policy)
      .filter((p) => p.name.startsWith('tourniquet-actions-'))
      .flatMap((p) => statementsOf(p.inputs['policy']))
      .filter((st) => st.Effect === 'Allow');
    const grants = (action: string, resource: string): boolean => allowed.some((st) => [st.Action].flat().includes(action) && [st.Resource].flat().includes(resource));
    expect(grants('ec2:DescribeInstances', '*')).toBe(true);
    expect(grants('iam:ListUserTags', `arn:aws:iam::${MOCK_ACCOUNT}:user/*`)).toBe(true);
    expect(grants('iam:ListRoleTags', `arn:aws:iam::${MOCK_ACCOUNT}:role/*`)).toBe(true);
    expect(grants('s3:GetBucketTagging', 'arn:aws:s3:::*')).toBe(true);
  });

  it('platform permissions name the real queue, table and buckets', () => {
    const doc = statementsOf(capture.one(T.policy, 'platform').inputs['policy']);
    expect(sid(doc, 'ConsumeFindingsQueue').Resource).toEqual([arnOf(capture.one(T.queue, 'findings-queue'))]);
    expect(sid(doc, 'JournalReadWrite').Resource).toEqual([arnOf(capture.one(T.table)), `${arnOf(capture.one(T.table))}/index/*`]);
    expect(sid(doc, 'WriteEvidence').Resource).toEqual([`${String(outputs['evidenceBucketArn'])}/*`]);
    expect(sid(doc, 'MaintainBlocklist').Resource).toEqual([`${String(outputs['findingsBucketArn'])}/lists/responder-blocklist.txt`]);
    expect(sid(doc, 'AssumeMemberRoles').Resource).toEqual(['arn:aws:iam::*:role/TourniquetResponder']);
  });
});

describe('outputs (seed fix: bucket name and ARN, not a website endpoint)', () => {
  it('exports every documented output, resolved', () => {
    for (const key of [
      'detectorId',
      'findingsBucketName',
      'findingsBucketArn',
      'findingsKmsKeyArn',
      'responderQueueUrl',
      'responderDlqUrl',
      'eventsDlqUrl',
      'journalTableName',
      'evidenceBucketName',
      'notificationsTopicArn',
      'approvalUrl',
      'responderRoleArn',
    ]) {
      expect(outputs[key], key).toBeTypeOf('string');
      expect(String(outputs[key]), key).not.toBe('');
    }
    expect(outputs['findingsBucketArn']).toBe(`arn:aws:s3:::${String(outputs['findingsBucketName'])}`);
    expect(outputs['findingsKmsKeyArn']).toBe(arnOf(capture.one(T.key, 'findings')));
    expect(outputs['responderDlqUrl']).toBe(capture.one(T.queue, 'findings-dlq').id);
  });

  it('nothing is a website endpoint', () => {
    for (const [key, value] of Object.entries(outputs)) {
      expect(key.toLowerCase()).not.toContain('website');
      expect(String(value)).not.toMatch(/s3-website|website/);
    }
  });
});
