/**
 * The Lambda handlers from src (the bundle has its own e2e test) against moto_server, configured the way the Pulumi
 * program configures them: journal table in DynamoDB, evidence bucket, approval secret and a Slack secret created
 * without a value (Slack not configured yet), SNS topic for e-mail, approval URL, `approve` mode.
 *
 * (a) An S3 export object arrives through SQS: its finding is journaled (steps wait for approval), its malformed
 *     line is quarantined with its path and line, and the e-mail carries signed approval links.
 * (b) The approval function: GET confirms and changes nothing; POST approves once; the same link again is 409; a
 *     tampered or expired link is 403. Approving step after step contains the instance (state read back).
 * (c) A message body that is not JSON is quarantined, not retried; a message the engine fails on is a batch item
 *     failure (retried by SQS), while the other messages of the batch are handled.
 * (d) Permanent message errors (a `null` body, `Records: [null]`, a bad `%` in an S3 key) are quarantined at once;
 *     an engine failure on one line of an export object does not stop its other lines, and the message is retried.
 * (e) A Malware Protection for S3 scan result with THREATS_FOUND opens an s3-object incident; a clean one none.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import { Responder } from '../../src/engine/responder.js';
import type { IncidentRecord, Journal, StepRecord } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type * as ApprovalModule from '../../src/lambda/approval-handler.js';
import type * as RespondModule from '../../src/lambda/respond-handler.js';
import { signApproval, verifyApproval } from '../../src/notify/approval-link.js';
import { ACCOUNT, REGION, startHarness, type Harness } from '../support/engine-harness.js';
import { sqsRecord } from '../support/sqs-record.js';
import { setLambdaEnv } from '../support/lambda-env.js';

const TABLE = 'tourniquet-journal';
const EVIDENCE = 'tourniquet-evidence';
const FINDINGS = 'guardduty-findings-123456789012';
const APPROVAL_SECRET = 'Zq3v9Xk2Lw8Rt5Yp1Bn7Mc4Hd6Gf0Js-aUeI_oWy'; // 43 characters, like the deployed base64url key
const APPROVAL_HOST = 'abcdefghijklmnop.lambda-url.us-east-1.on.aws';
const APPROVE_POLICY = 'version: 1\ndefaults: { mode: approve }\n';

let h: Harness;
let fleet: SeededFleet;
let s3: S3Client;
let sqs: SQSClient;
let journal: Journal;
let mailQueueUrl: string;
// Imported after the environment is set: Powertools reads its log level when the handler module loads.
let approvalHandler: typeof ApprovalModule.handler;
let resetApprovalRuntime: typeof ApprovalModule.resetRuntimeForTests;
let respondHandler: typeof RespondModule.handler;
let resetRespondRuntime: typeof RespondModule.resetRuntimeForTests;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  h = await startHarness();
  const cfg = { endpoint: h.moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  sqs = new SQSClient(cfg);
  const [seeded, , , approvalSecret, slackSecret, topic, queue] = await Promise.all([
    h.seed('lambda-handlers'),
    s3.send(new CreateBucketCommand({ Bucket: EVIDENCE })),
    s3.send(new CreateBucketCommand({ Bucket: FINDINGS })),
    new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'tourniquet/approval-key', SecretString: APPROVAL_SECRET })),
    // Created without a value: the Pulumi program creates the Slack secret empty until someone sets the webhook.
    new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'tourniquet/slack-webhook' })),
    new SNSClient(cfg).send(new CreateTopicCommand({ Name: 'tourniquet-notifications' })),
    sqs.send(new CreateQueueCommand({ QueueName: 'mailbox' })),
  ]);
  fleet = seeded;
  // The e-mail subscriber, read back through an SQS subscription of the topic.
  mailQueueUrl = queue.QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: mailQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await new SNSClient(cfg).send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  journal = await openJournal({ tableName: TABLE, endpoint: h.moto.endpoint });
  await journal.ensureTable();
  restoreEnv = setLambdaEnv({
    AWS_ENDPOINT_URL: h.moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: TABLE,
    TOURNIQUET_EVIDENCE_BUCKET: EVIDENCE,
    TOURNIQUET_POLICY: APPROVE_POLICY,
    TOURNIQUET_APPROVAL_SECRET_ARN: approvalSecret.ARN!,
    TOURNIQUET_SLACK_SECRET_ARN: slackSecret.ARN!,
    TOURNIQUET_SLACK_MIN_SEVERITY: '0',
    TOURNIQUET_TOPIC_ARN: topic.TopicArn!,
    TOURNIQUET_APPROVAL_URL: 'https://example.invalid/approve',
  });
  ({ handler: respondHandler, resetRuntimeForTests: resetRespondRuntime } = await import('../../src/lambda/respond-handler.js'));
  ({ handler: approvalHandler, resetRuntimeForTests: resetApprovalRuntime } = await import('../../src/lambda/approval-handler.js'));
});

afterAll(async () => {
  await resetRespondRuntime?.();
  await resetApprovalRuntime?.();
  await journal?.close();
  restoreEnv?.();
  await h?.close();
});


/** S3 event notification as S3 sends it to SQS: the key is URL-encoded, spaces as `+`. */
const s3Notification = (bucket: string, key: string): string =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'), size: 1 } },
      },
    ],
  });

/** A Lambda function URL request (payload format 2.0). */
function urlEvent(method: 'GET' | 'POST', options: { query?: string; body?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: options.query ? `t=${encodeURIComponent(options.query)}` : '',
    headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    ...(options.query ? { queryStringParameters: { t: options.query } } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnop',
      domainName: APPROVAL_HOST,
      domainPrefix: 'abcdefghijklmnop',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0' },
      requestId: `r-${Math.random().toString(16).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    // Function URLs deliver form posts base64-encoded.
    ...(options.body !== undefined ? { body: Buffer.from(options.body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}
const post = (token: string): Promise<APIGatewayProxyStructuredResultV2> => approvalHandler(urlEvent('POST', { body: `t=${encodeURIComponent(token)}` }));

async function listQuarantine(): Promise<Array<{ key: string; body: { reason: string; source: { name: string; line?: number }; path: string; original: string } }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: EVIDENCE, Prefix: 'quarantine/' }));
  return Promise.all(
    (listed.Contents ?? []).map(async (o) => ({
      key: o.Key!,
      body: JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: EVIDENCE, Key: o.Key! }))).Body!.transformToString()) as {
        reason: string;
        source: { name: string; line?: number };
        path: string;
        original: string;
      },
    })),
  );
}

/** Every e-mail published since the last call. */
async function readMail(): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: mailQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) return out;
    for (const m of r.Messages) {
      out.push(m.Body!);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: mailQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

const statuses = (steps: readonly StepRecord[]): Record<string, string> => Object.fromEntries(steps.map((s) => [s.stepId, s.status]));

let incident: IncidentRecord;
const exportKey = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/01/export 0001.jsonl.gz';

describe('respond handler: S3 export objects', () => {
  it('journals the finding of an export object (steps await approval) and quarantines its malformed line', async () => {
    const finding = await h.finding(fleet.targetInstanceId);
    const malformed = '{"schemaVersion":"2.0","accountId":"123456789012","type":"CryptoCurrency:EC2/Bitcoin';
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: exportKey, Body: gzipSync(`${JSON.stringify(finding.raw)}\n${malformed}\n`) }));

    const result = await respondHandler({ Records: [sqsRecord('m-export', s3Notification(FINDINGS, exportKey))] });
    expect(result.batchItemFailures).toEqual([]);

    const found = (await journal.listIncidents()).filter((i) => i.subjectId === fleet.targetInstanceId);
    expect(found).toHaveLength(1);
    incident = found[0]!;
    expect(incident.status).toBe('awaiting-approval');
    expect(incident.mode).toBe('approve');
    expect(incident.evidenceLocation).toMatch(new RegExp(`^s3://${EVIDENCE}/cases/`));
    const steps = statuses(await journal.getSteps(incident.incidentId));
    expect(steps['capture-evidence']).toBe('done');
    expect(steps['snapshot-volumes']).toBe('done');
    expect(steps['tag-instance']).toBe('awaiting-approval');
    expect(steps['isolate-network']).toBe('planned');
    // Nothing was contained: every ENI keeps the application's group.
    const state = await h.state(fleet);
    expect(Object.values(state.groupsByEni).every((g) => g.includes(fleet.appSecurityGroupId))).toBe(true);

    const quarantined = await listQuarantine();
    expect(quarantined).toHaveLength(1);
    const q = quarantined[0]!;
    expect(q.key).toMatch(/^quarantine\/\d{4}-\d{2}-\d{2}\/m-export-line-2\.json$/);
    expect(q.body.source).toEqual({ name: `s3://${FINDINGS}/${exportKey}`, line: 2 });
    expect(q.body.path).toBe('$');
    expect(q.body.original).toBe(malformed);
    expect(q.body.reason).toContain(`s3://${FINDINGS}/${exportKey}:2: $: expected one JSON finding per line`);
  });

  it('e-mails the incident with signed approval links; Slack (secret without a value) is skipped without a failure', async () => {
    const mail = await readMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toContain(`incident ${incident.incidentId}: awaiting-approval (mode approve`);
    const links = [...mail[0]!.matchAll(/approve (https:\/\/example\.invalid\/approve\?t=\S+)/g)].map((m) => new URL(m[1]!));
    expect(links.length).toBeGreaterThanOrEqual(2); // `*` and each waiting step
    const claim = verifyApproval(links[0]!.searchParams.get('t')!, APPROVAL_SECRET, Math.floor(Date.now() / 1000));
    expect(claim).toMatchObject({ incidentId: incident.incidentId, stepId: '*', decision: 'approve' });
    const events = await journal.listEvents(incident.incidentId);
    expect(events.filter((e) => e.type === 'notify.failed')).toEqual([]);
  });

  it('does nothing more when the same export object is delivered again', async () => {
    const result = await respondHandler({ Records: [sqsRecord('m-export-again', s3Notification(FINDINGS, exportKey))] });
    expect(result.batchItemFailures).toEqual([]);
    expect((await journal.listIncidents()).filter((i) => i.subjectId === fleet.targetInstanceId)).toHaveLength(1);
    expect((await journal.getIncident(incident.incidentId))?.occurrences).toBe(1);
  });
});

describe('approval handler', () => {
  const now = (): number => Math.floor(Date.now() / 1000);
  const sign = (extra: { expiresAt?: number; stepId?: string } = {}): string =>
    signApproval({ incidentId: incident.incidentId, stepId: '*', decision: 'approve', expiresAt: now() + 3600, ...extra }, APPROVAL_SECRET);

  it('recovers from a failed cold start on the next invocation', async () => {
    // The deployed approval function has no TOURNIQUET_APPROVAL_URL (its own URL would be a cycle); it reads its host
    // from the request. Its policy comes from S3: first missing, then uploaded.
    delete process.env.TOURNIQUET_APPROVAL_URL;
    process.env.TOURNIQUET_POLICY = `s3://${FINDINGS}/policy/tourniquet.yaml`;
    await expect(approvalHandler(urlEvent('GET', { query: sign() }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: 'policy/tourniquet.yaml', Body: APPROVE_POLICY }));
    const res = await approvalHandler(urlEvent('GET', { query: sign() }));
    expect(res.statusCode).toBe(200);
  });

  it('GET shows a confirmation form and changes nothing', async () => {
    const before = statuses(await journal.getSteps(incident.incidentId));
    const token = sign();
    const res = await approvalHandler(urlEvent('GET', { query: token }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['cache-control']).toBe('no-store');
    expect(res.body).toContain(`Confirm: approve every waiting containment step of incident ${incident.incidentId}`);
    expect(res.body).toContain(`<form method="post"><input type="hidden" name="t" value="${token}">`);
    expect(statuses(await journal.getSteps(incident.incidentId))).toEqual(before);
    expect(await journal.listApprovals(incident.incidentId)).toEqual([]);
    // The GET did not use up the link.
    const again = await approvalHandler(urlEvent('GET', { query: token }));
    expect(again.statusCode).toBe(200);
  });

  it('POST approves once, the same link again is refused (409), and one approval contains the instance', async () => {
    await readMail();
    const token = sign();
    const first = await post(token);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`Done: approve every waiting containment step of incident ${incident.incidentId}`);
    const approvals = await journal.listApprovals(incident.incidentId);
    expect(approvals.length).toBeGreaterThan(0);
    expect(approvals.every((a) => a.by === 'approval-link:198.51.100.7' && a.decision === 'approve')).toBe(true);
    // One "approve all" approves every containment step, those planned behind the waiting ones included.
    expect(statuses(await journal.getSteps(incident.incidentId))['tag-instance']).toBe('done');

    const replay = await post(token);
    expect(replay.statusCode).toBe(409);
    expect(replay.body).toContain('This link was already used');

    // The e-mail sent after the approval carries links for what still waits (the destructive steps), on the
    // approval function's own URL.
    const mail = await readMail();
    const next = /stop-instance: approve (\S+)/.exec(mail.at(-1) ?? '');
    expect(next, mail.at(-1)).not.toBeNull();
    expect(new URL(next![1]!).host).toBe(APPROVAL_HOST);
    const steps = statuses(await journal.getSteps(incident.incidentId));
    expect(steps['isolate-network']).toBe('done');
    expect(steps['leave-auto-scaling']).toBe('done');

    const state = await h.state(fleet, incident.incidentId);
    const groups = Object.values(state.groupsByEni);
    expect(groups).toHaveLength(2);
    expect(groups.every((g) => g.length === 1 && g[0] !== fleet.appSecurityGroupId)).toBe(true);
    expect(state.autoScaling?.lifecycleState).toBe('Standby');
    expect(state.targetGroups).toEqual([]);
  });

  it('refuses a tampered link and an expired one (403) without touching the journal', async () => {
    const approvalsBefore = (await journal.listApprovals(incident.incidentId)).length;
    const [payload, sig] = sign({ stepId: 'stop-instance' }).split('.') as [string, string];
    const claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...claim, stepId: '*' })).toString('base64url')}.${sig}`;
    const t = await post(tampered);
    expect(t.statusCode).toBe(403);
    expect(t.body).toContain('bad approval signature');

    const expired = await post(sign({ expiresAt: now() - 60 }));
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('approval link expired at');
    const expiredGet = await approvalHandler(urlEvent('GET', { query: sign({ expiresAt: now() - 60 }) }));
    expect(expiredGet.statusCode).toBe(403);

    const missing = await approvalHandler(urlEvent('POST', { body: 'x=1' }));
    expect(missing.statusCode).toBe(400);
    expect((await journal.listApprovals(incident.incidentId)).length).toBe(approvalsBefore);
  });
});

describe('respond handler: failures', () => {
  it('quarantines a message body that is not JSON instead of retrying it', async () => {
    const before = new Set((await listQuarantine()).map((q) => q.key));
    const result = await respondHandler({ Records: [sqsRecord('m-not-json', 'GuardDuty Finding <not json>')] });
    expect(result.batchItemFailures).toEqual([]);
    const added = (await listQuarantine()).filter((q) => !before.has(q.key));
    expect(added).toHaveLength(1);
    expect(added[0]!.key).toMatch(/\/m-not-json\.json$/);
    expect(added[0]!.body).toMatchObject({ source: { name: 'sqs:m-not-json' }, path: '$', original: 'GuardDuty Finding <not json>' });
    expect(added[0]!.body.reason).toContain('expected a JSON message body, received unparseable JSON');
  });

  it('reports a message the engine fails on as a batch item failure, and still handles the rest of the batch', async () => {
    const ddb = new DynamoDBClient({ endpoint: h.moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await resetRespondRuntime();
    process.env.TOURNIQUET_JOURNAL_TABLE = 'tourniquet-journal-missing';
    process.env.TOURNIQUET_POLICY = APPROVE_POLICY;
    try {
      const finding = await h.finding(fleet.instanceIds.find((i) => i !== fleet.targetInstanceId)!);
      const event = { version: '0', id: 'e-2', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: finding.updatedAt, region: REGION, resources: [], detail: finding.raw };
      const before = (await listQuarantine()).length;
      const result = await respondHandler({ Records: [sqsRecord('m-engine-fails', JSON.stringify(event)), sqsRecord('m-garbage', '{')] });
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-engine-fails' }]);
      expect((await listQuarantine()).length).toBe(before + 1);
      // The responder never creates its journal: the table is the infrastructure's.
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).not.toContain('tourniquet-journal-missing');
    } finally {
      await resetRespondRuntime();
      process.env.TOURNIQUET_JOURNAL_TABLE = TABLE;
    }
  });
});

describe('respond handler: permanent message errors and failing export lines', () => {
  it.each([
    ['m-null-body', 'null', '$: expected a JSON object (an EventBridge event, a finding or an S3 notification), received null'],
    ['m-records-null', '{"Records": [null]}', '$.Records[0]: expected an S3 event record'],
    [
      'm-bad-key',
      JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: FINDINGS }, object: { key: 'AWSLogs/%E0%A4%A.jsonl.gz' } } }] }),
      '$.Records[0].s3.object.key: expected a URL-encoded S3 object key, received string "AWSLogs/%E0%A4%A.jsonl.gz"',
    ],
  ])('%s is quarantined on its first delivery with the reason, not retried', async (messageId, body, reason) => {
    const before = new Set((await listQuarantine()).map((q) => q.key));
    const result = await respondHandler({ Records: [sqsRecord(messageId, body)] });
    expect(result.batchItemFailures).toEqual([]);
    const added = (await listQuarantine()).filter((q) => !before.has(q.key));
    expect(added).toHaveLength(1);
    expect(added[0]!.key).toMatch(new RegExp(`/${messageId}\\.json$`));
    expect(added[0]!.body.original).toBe(body);
    expect(added[0]!.body.reason).toContain(`sqs:${messageId}: ${reason}`);
  });

  it('an engine failure on one line of an export object: the other lines are handled, the message retried, then the line', async () => {
    const lines = await h.seed('lambda-lines');
    const ids = lines.instanceIds.slice(0, 3);
    const findings = await Promise.all(ids.map((id) => h.finding(id)));
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/02/lines.jsonl.gz';
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync(findings.map((f) => JSON.stringify(f.raw)).join('\n')) }));
    const incidentsOf = async (instanceId: string) => (await journal.listIncidents()).filter((i) => i.subjectId === instanceId);

    // The engine fails on the first line only (as it would on a throttled journal write).
    const respond = Responder.prototype.respond;
    const spy = vi.spyOn(Responder.prototype, 'respond').mockImplementation(function (this: Responder, finding, mode) {
      if (finding.id === findings[0]!.id) return Promise.reject(new Error('ProvisionedThroughputExceededException'));
      return respond.call(this, finding, mode);
    });
    try {
      const first = await respondHandler({ Records: [sqsRecord('m-lines', s3Notification(FINDINGS, key)), sqsRecord('m-after', 'null')] });
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-lines' }]);
    } finally {
      spy.mockRestore();
    }
    // Lines 2 and 3 were handled in spite of line 1: their incidents exist, evidence captured.
    expect(await incidentsOf(ids[0]!)).toHaveLength(0);
    for (const id of ids.slice(1)) {
      const [inc] = await incidentsOf(id);
      expect(inc?.status).toBe('awaiting-approval');
      expect(statuses(await journal.getSteps(inc!.incidentId))['capture-evidence']).toBe('done');
    }

    // SQS delivers the message again: line 1 is handled now; lines 2 and 3 are duplicates.
    const again = await respondHandler({ Records: [sqsRecord('m-lines', s3Notification(FINDINGS, key))] });
    expect(again.batchItemFailures).toEqual([]);
    expect((await incidentsOf(ids[0]!))[0]?.status).toBe('awaiting-approval');
    for (const id of ids) expect((await incidentsOf(id)).map((i) => i.occurrences)).toEqual([1]);
  });
});

describe('respond handler: the findings rule intake (TOURNIQUET_SEVERITY_THRESHOLD)', () => {
  it('handles an export object the way the rule admits events: a Low AI Protection finding is handled, an ordinary Low one is not', async () => {
    const seeded = await h.seed('lambda-intake');
    const [low, high] = await Promise.all(seeded.instanceIds.slice(0, 2).map((id) => h.finding(id)));
    const ordinaryLow = { ...(low!.raw as Record<string, unknown>), id: 'intake-ordinary-low', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 2 };
    const ordinaryHigh = { ...(high!.raw as Record<string, unknown>), id: 'intake-ordinary-high', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 5 };
    const sample = JSON.parse(
      readFileSync(new URL('../../samples/synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json', import.meta.url), 'utf8'),
    ) as { detail: Record<string, unknown> };
    const aiLow = { ...sample.detail, id: 'intake-ai-low', accountId: ACCOUNT, region: REGION, severity: 2 };
    const key = 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/08/03/intake.jsonl.gz';
    await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: key, Body: gzipSync([ordinaryLow, ordinaryHigh, aiLow].map((f) => JSON.stringify(f)).join('\n')) }));

    process.env.TOURNIQUET_SEVERITY_THRESHOLD = '4';
    await resetRespondRuntime();
    try {
      const result = await respondHandler({ Records: [sqsRecord('m-intake', s3Notification(FINDINGS, key))] });
      expect(result.batchItemFailures).toEqual([]);
    } finally {
      delete process.env.TOURNIQUET_SEVERITY_THRESHOLD;
      await resetRespondRuntime();
    }
    const handled = new Set((await journal.listIncidents()).map((i) => i.findingId));
    expect([handled.has('intake-ordinary-low'), handled.has('intake-ordinary-high'), handled.has('intake-ai-low')]).toEqual([false, true, true]);
  });
});

describe('respond handler: Malware Protection for S3 scan results', () => {
  const scanEvent = (bucket: string, key: string, status: string, id: string): string =>
    JSON.stringify({
      version: '0',
      id,
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
      source: 'aws.guardduty',
      account: ACCOUNT,
      time: '2026-12-03T08:00:00Z',
      region: REGION,
      resources: [],
      detail: {
        schemaVersion: '1.0',
        scanStatus: 'COMPLETED',
        resourceType: 'S3_OBJECT',
        s3ObjectDetails: { bucketName: bucket, objectKey: key },
        scanResultDetails: { scanResultStatus: status, ...(status === 'THREATS_FOUND' ? { threats: [{ name: 'Python.Pickle.Exploit' }] } : {}) },
      },
    });

  it('THREATS_FOUND opens an s3-object incident (approve mode: the evidence copy runs, the rest waits); a clean result opens none', async () => {
    const bucket = 'ml-models-lambda';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'evil.pkl', Body: Buffer.from("cos\nsystem\n(S'id'\ntR.", 'latin1') }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'clean.safetensors', Body: 'weights' }));
    const before = new Set((await journal.listIncidents()).map((i) => i.incidentId));
    const result = await respondHandler({
      Records: [sqsRecord('m-scan-clean', scanEvent(bucket, 'clean.safetensors', 'NO_THREATS_FOUND', 'scan-clean')), sqsRecord('m-scan-threat', scanEvent(bucket, 'evil.pkl', 'THREATS_FOUND', 'scan-threat'))],
    });
    expect(result.batchItemFailures).toEqual([]);
    const added = (await journal.listIncidents()).filter((i) => !before.has(i.incidentId));
    expect(added.map((i) => [i.subjectKind, i.subjectId, i.findingType])).toEqual([['s3-object', `${bucket}/evil.pkl`, 'Object:S3/MaliciousFile']]);
    // The destructive move waits behind the tag step (ordering), itself awaiting approval.
    expect(statuses(await journal.getSteps(added[0]!.incidentId))).toEqual({ 'capture-object': 'done', 'tag-object': 'awaiting-approval', 'quarantine-object': 'planned' });
    // Nothing changed on either object. Each body is read to its end: a GetObject body left unread is cut when
    // moto stops in afterAll, and the SDK's checksum stream re-raises the socket's "aborted" as an uncaught error.
    const body = async (key: string): Promise<string> => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('latin1');
    expect(await body('evil.pkl')).toBe("cos\nsystem\n(S'id'\ntR.");
    expect(await body('clean.safetensors')).toBe('weights');
  });
});
