/**
 * What one SQS message of the findings queue carries, read at the edge: an EventBridge "GuardDuty Finding" event (or
 * a bare finding), S3 "ObjectCreated" notifications of the findings export, or S3's test event, each also inside an
 * SNS notification (a topic between the source and the queue). A message that can
 * never be read (not JSON, not an object, a malformed S3 record, a key that is not valid URL encoding, a record
 * that is not a finding) throws `UnreadableMessageError` or `FindingParseError`: permanent errors, quarantined by
 * the handler at once instead of being retried until dead-lettered.
 */
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { FindingParseError, UnreadableMessageError, describeValue, type SourceRef } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { parseRecord } from '../findings/read-input.js';

export interface ExportObjectRef {
  readonly bucket: string;
  /** Decoded key (S3 sends it URL-encoded, spaces as `+`). */
  readonly key: string;
}

export type SqsMessage =
  | { readonly kind: 'record'; readonly record: GuardDutyRecord }
  | { readonly kind: 'export-objects'; readonly objects: readonly ExportObjectRef[] }
  | { readonly kind: 's3-test-event' };

const S3EventRecordSchema = z.object({
  eventSource: z.string(),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1).max(255) }),
    object: z.object({ key: z.string().min(1).max(4096) }),
  }),
});

// A list of findings in one message was quarantined as "received array of 2", or as advice to call parseDocument.
const ONE_PER_MESSAGE = 'one finding or event per message (a list of findings is not read here: send each finding as its own message)';

/** Reads a message body. Throws UnreadableMessageError / FindingParseError for a message that will never be read. */
export function readSqsMessage(record: Pick<SQSRecord, 'messageId' | 'body'>): SqsMessage {
  const source: SourceRef = { name: `sqs:${record.messageId}` };
  const unreadable = (path: string, expected: string, received: string, cause?: unknown): UnreadableMessageError =>
    new UnreadableMessageError(source, path, expected, received, cause === undefined ? undefined : { cause });

  let body: unknown;
  try {
    // A leading byte order mark (`aws sqs send-message --message-body file://…` of a file an editor saved with one) is
    // skipped, as the CLI skips it in files; JSON.parse refuses it.
    body = JSON.parse(typeof record.body === 'string' && record.body.startsWith('\uFEFF') ? record.body.slice(1) : record.body);
  } catch (err) {
    // Kept as a finding parse error: the text is what GuardDuty or EventBridge would have sent.
    throw new FindingParseError(source, '$', 'a JSON message body', `unparseable JSON (${(err as Error).message})`, { cause: err });
  }
  if (Array.isArray(body)) throw unreadable('$', ONE_PER_MESSAGE, `a list of ${body.length} item(s)`);
  if (body === null || typeof body !== 'object') {
    throw unreadable('$', 'a JSON object (an EventBridge event, a finding or an S3 notification)', describeValue(body));
  }
  let root = '$';
  let fields = body as Record<string, unknown>;
  // S3 → SNS → SQS (a bucket's notifications fanned out through a topic) or EventBridge → SNS → SQS, without raw
  // message delivery: SNS wraps the message, as a string, in its own envelope. One level is unwrapped.
  if (fields.Type === 'Notification' && typeof fields.TopicArn === 'string' && typeof fields.Message === 'string') {
    try {
      body = JSON.parse(fields.Message);
    } catch (err) {
      throw new FindingParseError(source, '$.Message', 'a JSON message in the SNS notification', `unparseable JSON (${(err as Error).message})`, { cause: err });
    }
    if (Array.isArray(body)) throw unreadable('$.Message', ONE_PER_MESSAGE, `a list of ${body.length} item(s)`);
    if (body === null || typeof body !== 'object') {
      throw unreadable('$.Message', 'a JSON object (an EventBridge event, a finding or an S3 notification)', describeValue(body));
    }
    root = '$.Message';
    fields = body as Record<string, unknown>;
  }
  // A GetFindings answer (`aws guardduty get-findings` output sent as is): the CLI reads it, one message is one finding.
  if (Array.isArray(fields.Findings)) throw unreadable(`${root}.Findings`, ONE_PER_MESSAGE, `a GetFindings answer listing ${fields.Findings.length} finding(s)`);
  if (fields.Event === 's3:TestEvent') return { kind: 's3-test-event' };
  if (Object.hasOwn(fields, 'Records')) return { kind: 'export-objects', objects: exportObjects(fields.Records, unreadable) };
  return { kind: 'record', record: parseRecord(body, source) };
}

function exportObjects(
  records: unknown,
  unreadable: (path: string, expected: string, received: string, cause?: unknown) => UnreadableMessageError,
): ExportObjectRef[] {
  if (!Array.isArray(records)) throw unreadable('$.Records', 'a list of S3 event records', describeValue(records));
  const objects: ExportObjectRef[] = [];
  records.forEach((r: unknown, i) => {
    const path = `$.Records[${i}]`;
    const parsed = S3EventRecordSchema.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      throw unreadable(`${path}${at}`, `an S3 event record (${issue.message})`, describeValue(valueAt(r, issue.path)));
    }
    const { eventSource, eventName, s3 } = parsed.data;
    // Other events on the queue (object removal, replication) are no findings: nothing to do.
    if (eventSource !== 'aws:s3' || !eventName.startsWith('ObjectCreated')) return;
    let key: string;
    try {
      key = decodeURIComponent(s3.object.key.replace(/\+/g, ' '));
    } catch (err) {
      throw unreadable(`${path}.s3.object.key`, 'a URL-encoded S3 object key', describeValue(s3.object.key), err);
    }
    objects.push({ bucket: s3.bucket.name, key });
  });
  return objects;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
