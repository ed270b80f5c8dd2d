/**
 * The responder Lambda (from src) against moto_server when a delivery does not finish its incident:
 * (a) a first delivery that fails after journaling (the evidence bucket is missing) is reported as a batch failure,
 *     and so is every re-delivery while the cause lasts; once the bucket exists, the re-delivery resumes the plan and
 *     contains the instance (state read back); a later duplicate does nothing.
 * (b) a step held by another live invocation keeps the record failing; through a real SQS queue with a redrive
 *     policy the message ends in the dead-letter queue, never silently; once the holder's lease has passed, a
 *     delivery takes the step over and finishes.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type * as RespondModule from '../../src/lambda/respond-handler.js';
import { ACCOUNT, CONTAIN_POLICY, REGION, startHarness, type Harness } from '../support/engine-harness.js';
import { sqsRecord } from '../support/sqs-record.js';
import { setLambdaEnv } from '../support/lambda-env.js';

const TABLE = 'tourniquet-journal';
const EVIDENCE = 'tourniquet-evidence-late';

let h: Harness;
let fleet: SeededFleet;
let s3: S3Client;
let sqs: SQSClient;
let journal: Journal;
let respondHandler: typeof RespondModule.handler;
let resetRespondRuntime: typeof RespondModule.resetRuntimeForTests;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  h = await startHarness();
  const cfg = { endpoint: h.moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  sqs = new SQSClient(cfg);
  fleet = await h.seed('lambda-redelivery');
  journal = await openJournal({ tableName: TABLE, endpoint: h.moto.endpoint });
  await journal.ensureTable();
  restoreEnv = setLambdaEnv({
    AWS_ENDPOINT_URL: h.moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: TABLE,
    TOURNIQUET_EVIDENCE_BUCKET: EVIDENCE, // not created yet
    TOURNIQUET_POLICY: CONTAIN_POLICY,
  });
  ({ handler: respondHandler, resetRuntimeForTests: resetRespondRuntime } = await import('../../src/lambda/respond-handler.js'));
});

afterAll(async () => {
  await resetRespondRuntime?.();
  await journal?.close();
  restoreEnv?.();
  await h?.close();
});

async function eventFor(instanceId: string): Promise<string> {
  const finding = await h.finding(instanceId);
  return JSON.stringify({ version: '0', id: `e-${instanceId}`, 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: finding.updatedAt, region: REGION, resources: [], detail: finding.raw });
}

/** A Lambda context with 60 s left: the lease the invocation takes. */
const context = { getRemainingTimeInMillis: () => 60_000 } as never;

const incidentOf = async (instanceId: string) => (await journal.listIncidents()).find((i) => i.subjectId === instanceId);

describe('re-delivery of a delivery that did not finish', () => {
  it('fails the record while the evidence bucket is missing, resumes and contains once it exists; a duplicate then does nothing', async () => {
    const body = await eventFor(fleet.targetInstanceId);
    const event: SQSEvent = { Records: [sqsRecord('m-1', body)] };

    const first = await respondHandler(event, context);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const incident = await incidentOf(fleet.targetInstanceId);
    expect(incident).toBeDefined(); // journaled before the failure
    const [occurrence] = await journal.listOccurrences(incident!.incidentId);
    expect(occurrence?.status).toBe('merged');
    expect(occurrence?.evidenceWritten).toBeUndefined();
    // Before this fix the re-delivery was answered as a duplicate: no failure, nothing contained.
    const second = await respondHandler(event, context);
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(Object.values((await h.state(fleet)).groupsByEni).every((g) => g.includes(fleet.appSecurityGroupId))).toBe(true);

    await s3.send(new CreateBucketCommand({ Bucket: EVIDENCE }));
    const third = await respondHandler(event, context);
    expect(third.batchItemFailures).toEqual([]);
    const after = await h.state(fleet, incident!.incidentId);
    for (const groups of Object.values(after.groupsByEni)) expect(groups).not.toContain(fleet.appSecurityGroupId);
    expect(after.autoScaling?.lifecycleState).toBe('Standby');
    expect(after.instanceProfileArn).toBeUndefined();
    expect(after.httpTokens).toBe('required');
    expect(after.caseSnapshots.length).toBeGreaterThan(0);
    const resumed = await journal.getIncident(incident!.incidentId);
    expect(resumed?.status).toBe('contained');
    expect(resumed?.occurrences).toBe(1);
    expect((await journal.listOccurrences(incident!.incidentId))[0]).toMatchObject({ status: 'merged', evidenceWritten: true });

    const stepsBefore = await journal.getSteps(incident!.incidentId);
    const fourth = await respondHandler(event, context);
    expect(fourth.batchItemFailures).toEqual([]);
    expect(await journal.getSteps(incident!.incidentId)).toEqual(stepsBefore);
  });

  it('a step held by a live invocation keeps the record failing until SQS dead-letters it; after the lease, a delivery finishes the plan', async () => {
    const instanceId = fleet.instanceIds.find((i) => i !== fleet.targetInstanceId)!;
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'findings-dlq' }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const queue = (
      await sqs.send(new CreateQueueCommand({ QueueName: 'findings', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) } }))
    ).QueueUrl!;
    const body = await eventFor(instanceId);

    // Another invocation opened the incident and holds capture-evidence (its lease runs 10 more minutes).
    const first = await respondHandler({ Records: [sqsRecord('m-seed', body)] }, context);
    expect(first.batchItemFailures).toEqual([]);
    const incident = (await incidentOf(instanceId))!;
    const holder = { leaseOwner: 'tourniquet-other-invocation', leaseUntil: new Date(Date.now() + 600_000).toISOString(), leaseProcess: 'other-host#7#x' };
    await journal.transitionStep(incident.incidentId, 'enforce-imdsv2', ['done'], 'running', { ...holder, attempts: 2 }, new Date());

    // The event source mapping: receive, invoke, delete what succeeded, make failures visible again at once.
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body }));
    let invocations = 0;
    for (let i = 0; i < 4; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }));
      if (!got.Messages?.length) break;
      for (const m of got.Messages) {
        invocations++;
        const res = await respondHandler({ Records: [sqsRecord(m.MessageId!, m.Body!)] }, context);
        if (res.batchItemFailures.length === 0) await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle! }));
        else await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      }
    }
    expect(invocations).toBe(2);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual([body]);
    expect((await journal.getSteps(incident.incidentId)).find((s) => s.stepId === 'enforce-imdsv2')).toMatchObject({ status: 'running', leaseOwner: holder.leaseOwner });

    // The holder's invocation is over (its lease has passed): the re-driven message is taken over and finished.
    await journal.transitionStep(incident.incidentId, 'enforce-imdsv2', ['running'], 'running', { leaseUntil: new Date(Date.now() - 1000).toISOString() }, new Date());
    const redriven = await respondHandler({ Records: [sqsRecord('m-redrive', body)] }, context);
    expect(redriven.batchItemFailures).toEqual([]);
    const steps = await journal.getSteps(incident.incidentId);
    expect(steps.find((s) => s.stepId === 'enforce-imdsv2')).toMatchObject({ status: 'done', attempts: 3 });
    expect((await journal.getIncident(incident.incidentId))?.status).toBe('contained');
    expect((await h.state(fleet, incident.incidentId, instanceId)).httpTokens).toBe('required');
    const events = await journal.listEvents(incident.incidentId);
    expect(events.some((e) => e.type === 'step.taken-over' && e.message.startsWith('enforce-imdsv2: taken over from tourniquet-other-invocation (its lease expired)'))).toBe(true);
  });
});
