/**
 * The responder Lambda (thin): SQS batches carrying EventBridge "GuardDuty Finding" events or S3 ObjectCreated
 * notifications of the findings export (KMS-encrypted .jsonl.gz, streamed line by line). Each finding goes to the
 * engine. A record that cannot be parsed is quarantined with its reason and JSON path (and not retried: it would
 * never parse); a failure of the engine or AWS reports that SQS message as a batch item failure, so it is retried
 * and finally dead-lettered — the journal makes the retry idempotent.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FindingParseError } from '../errors.js';
import { parseRecord } from '../findings/read-input.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { readLambdaConfig } from './lambda-config.js';
import { buildLambdaRuntime, type LambdaRuntime } from './lambda-runtime.js';
import { quarantine } from './quarantine.js';
import { streamExportObject } from './s3-export-stream.js';
import { invocationRunOptions, startInvocation } from './invocation-lease.js';
import { assertPlansFinished } from '../engine/plan-finished.js';
import { inputLimitsFromEnv } from '../findings/input-limits.js';

const logger = new Logger({ serviceName: 'tourniquet' });
const metrics = new Metrics({ namespace: 'Tourniquet', serviceName: 'tourniquet' });

let runtime: Promise<LambdaRuntime> | undefined;
function getRuntime(): Promise<LambdaRuntime> {
  runtime ??= buildLambdaRuntime(readLambdaConfig(), (err) => logger.error('notification failed', { error: err as Error }));
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  if (context) logger.addContext(context);
  startInvocation(context);
  const rt = await getRuntime();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleMessage(rt, record);
    } catch (err) {
      // Logged with the message id only: finding text is attacker-controlled and stays out of log templates.
      logger.error('message failed; it will be retried, then dead-lettered', { messageId: record.messageId, error: err as Error });
      metrics.addMetric('MessagesFailed', MetricUnit.Count, 1);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  metrics.publishStoredMetrics();
  return { batchItemFailures };
}

interface S3Notification {
  Records?: Array<{ eventSource?: string; eventName?: string; s3?: { bucket?: { name?: string }; object?: { key?: string } } }>;
  Event?: string;
}

async function handleMessage(rt: LambdaRuntime, record: SQSRecord): Promise<void> {
  const source = { name: `sqs:${record.messageId}` };
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (err) {
    await quarantine(rt, record.messageId, new FindingParseError(source, '$', 'a JSON message body', `unparseable JSON (${(err as Error).message})`), record.body);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, 1);
    return;
  }
  const s3 = body as S3Notification;
  if (s3.Event === 's3:TestEvent') return;
  if (Array.isArray(s3.Records) && s3.Records.some((r) => r.eventSource === 'aws:s3')) {
    for (const r of s3.Records) {
      const bucket = r.s3?.bucket?.name;
      const key = r.s3?.object?.key;
      if (!bucket || !key || !r.eventName?.startsWith('ObjectCreated')) continue;
      await handleExportObject(rt, record.messageId, bucket, decodeURIComponent(key.replace(/\+/g, ' ')));
    }
    return;
  }
  let parsed: GuardDutyRecord;
  try {
    parsed = parseRecord(body, source);
  } catch (err) {
    if (!(err instanceof FindingParseError)) throw err;
    await quarantine(rt, record.messageId, err, record.body);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, 1);
    return;
  }
  await respondTo(rt, parsed);
}

async function handleExportObject(rt: LambdaRuntime, messageId: string, bucket: string, key: string): Promise<void> {
  let n = 0;
  for await (const item of streamExportObject(rt.s3, bucket, key, inputLimitsFromEnv(process.env))) {
    if ('error' in item) {
      await quarantine(rt, `${messageId}-line-${item.error.source.line ?? ++n}`, item.error, item.text);
      metrics.addMetric('RecordsQuarantined', MetricUnit.Count, 1);
      continue;
    }
    await respondTo(rt, item.record);
  }
}

async function respondTo(rt: LambdaRuntime, record: GuardDutyRecord): Promise<void> {
  if (record.kind !== 'finding') {
    logger.info('malware scan result received (recorded, no playbook)', { status: record.scanResultStatus });
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
