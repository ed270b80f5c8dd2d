/**
 * The responder Lambda (thin): SQS batches carrying EventBridge "GuardDuty Finding" events or S3 ObjectCreated
 * notifications of the findings export (KMS-encrypted .jsonl.gz, streamed line by line), processed with Powertools'
 * `processPartialResponse`. Each finding goes to the engine. A message or line that can never be read is
 * quarantined with its reason and JSON path (and not retried: it would never parse); a failure of the engine or AWS
 * reports that SQS message as a batch item failure, so it is retried and finally dead-lettered — the journal makes
 * the retry idempotent. One failing line of an export object does not stop its other lines.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FindingParseError, UnreadableMessageError } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { scanResultFinding } from '../findings/scan-result-finding.js';
import { respondToExportObjects } from './export-objects.js';
import { readLambdaConfig } from './lambda-config.js';
import { buildLambdaRuntime, type LambdaRuntime } from './lambda-runtime.js';
import { quarantine } from './quarantine.js';
import { streamExportObject } from './s3-export-stream.js';
import { invocationRunOptions, startInvocation } from './invocation-lease.js';
import { assertPlansFinished } from '../engine/plan-finished.js';
import { inputLimitsFromEnv } from '../findings/input-limits.js';
import { readSqsMessage, type SqsMessage } from './sqs-message.js';
import { refusedByIntake } from './lambda-intake.js';
import { assertSqsBatch } from './sqs-event-shape.js';

const logger = new Logger({ serviceName: 'tourniquet' });
const metrics = new Metrics({ namespace: 'Tourniquet', serviceName: 'tourniquet' });

let runtime: Promise<LambdaRuntime> | undefined;
function getRuntime(): Promise<LambdaRuntime> {
  runtime ??= buildLambdaRuntime(readLambdaConfig(), (err) => logger.error('notification failed', { error: err as Error }));
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  assertSqsBatch(event);
  if (context) logger.addContext(context);
  startInvocation(context);
  const rt = await getRuntime();
  // One processor per invocation: its records and failures belong to this batch only.
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(event, (record: SQSRecord) => handleRecord(rt, record), processor, {
    // One message after another: two messages about one resource do not race each other's steps.
    processInParallel: false,
    // A batch whose every message failed is reported item by item like any other, not as an invocation error.
    throwOnFullBatchFailure: false,
    ...(context ? { context } : {}),
  });
  metrics.publishStoredMetrics();
  return response;
}

/**
 * The one place where a thrown error becomes a batch item failure: SQS delivers the message again, and after the
 * queue's maxReceiveCount moves it to the dead-letter queue. Everything permanent is quarantined before this point.
 */
async function handleRecord(rt: LambdaRuntime, record: SQSRecord): Promise<void> {
  try {
    await handleMessage(rt, record);
  } catch (err) {
    // Logged with the message id only: finding text is attacker-controlled and stays out of log templates.
    logger.error('message failed; it will be retried, then dead-lettered', { messageId: record.messageId, error: err as Error });
    metrics.addMetric('MessagesFailed', MetricUnit.Count, 1);
    throw err;
  }
}

async function handleMessage(rt: LambdaRuntime, record: SQSRecord): Promise<void> {
  let message: SqsMessage;
  try {
    message = readSqsMessage(record);
  } catch (err) {
    if (!(err instanceof FindingParseError || err instanceof UnreadableMessageError)) throw err;
    // Permanent: it would fail the same way on every delivery.
    await quarantine(rt, record.messageId, err, record.body);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, 1);
    return;
  }
  if (message.kind === 's3-test-event') return;
  if (message.kind === 'record') {
    await respondTo(rt, message.record);
    return;
  }
  await respondToExportObjects(record.messageId, message.objects, {
    stream: (object) => streamExportObject(rt.s3, object.bucket, object.key, inputLimitsFromEnv(process.env)),
    respond: (finding) => respondTo(rt, finding),
    quarantine: async (id, error, text) => {
      await quarantine(rt, id, error, text);
      metrics.addMetric('RecordsQuarantined', MetricUnit.Count, 1);
    },
    onFailure: (source, error) => {
      logger.error('export record failed; the other records go on, the message will be retried', {
        messageId: record.messageId,
        line: source.line,
        error: error as Error,
      });
      metrics.addMetric('ExportRecordsFailed', MetricUnit.Count, 1);
    },
  });
}

async function respondTo(rt: LambdaRuntime, received: GuardDutyRecord): Promise<void> {
  // A scan result that found threats is handled as the object's finding; any other result touches nothing.
  const record = received.kind === 'finding' ? received : scanResultFinding(received);
  if (record === undefined) {
    logger.info('malware scan result received (no threat found: nothing to contain)', { status: received.kind === 'finding' ? '' : received.scanResultStatus });
    return;
  }
  const refused = refusedByIntake(rt.intake, record);
  if (refused !== undefined) {
    logger.info('finding not admitted (findings rule threshold)', { findingId: record.id, why: refused });
    metrics.addMetric('FindingsNotAdmitted', MetricUnit.Count, 1);
    return;
  }
  const result = await rt.responder.respond(record, undefined, invocationRunOptions());
  for (const o of result.outcomes) {
    logger.info('finding handled', {
      findingId: record.id,
      incidentId: o.incidentId,
      duplicate: o.duplicate,
      handling: o.handling,
      mode: o.decision.effectiveMode,
      decidedBy: o.decision.decidedBy,
      status: o.status,
    });
    metrics.addMetric(o.duplicate ? 'FindingsDuplicate' : 'FindingsHandled', MetricUnit.Count, 1);
    if (o.status === 'partial') metrics.addMetric('IncidentsPartial', MetricUnit.Count, 1);
  }
  // A plan still unfinished fails the record: SQS delivers it again (resuming the plan) and finally dead-letters it.
  assertPlansFinished(result);
}

/** For tests: forget the cached runtime (a new environment takes effect). */
export async function resetRuntimeForTests(): Promise<void> {
  const rt = runtime;
  runtime = undefined;
  if (rt) await (await rt).journal.close();
}
