/** The findings queue's messages, read at the edge: what is permanent is a typed error naming the path and value. */
import { describe, expect, it } from 'vitest';
import { FindingParseError, UnreadableMessageError } from '../../../src/errors.js';
import { readSqsMessage } from '../../../src/lambda/sqs-message.js';
import { event, finding } from '../findings/finding-fixtures.js';

const read = (body: string) => readSqsMessage({ messageId: 'm-1', body });
const errorOf = (body: string): Error => {
  try {
    read(body);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
};
const s3Record = (key: unknown, extra: Record<string, unknown> = {}) => ({
  eventSource: 'aws:s3',
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: 'findings-bucket' }, object: { key } },
  ...extra,
});

describe('readSqsMessage', () => {
  const sns = (message: string) => JSON.stringify({ Type: 'Notification', MessageId: 'n-1', TopicArn: 'arn:aws:sns:us-east-1:111122223333:findings', Message: message, Timestamp: '2026-08-01T10:23:57.000Z' });

  it('reads what an SNS topic between the source and the queue wraps: a finding event, S3 notifications, S3 test event', () => {
    const m = read(sns(JSON.stringify(event(finding()))));
    expect(m.kind === 'record' && m.record.kind).toBe('finding');
    expect(read(sns(JSON.stringify({ Records: [s3Record('AWSLogs/a+b.jsonl.gz')] })))).toEqual({ kind: 'export-objects', objects: [{ bucket: 'findings-bucket', key: 'AWSLogs/a b.jsonl.gz' }] });
    expect(read(sns('{"Service":"Amazon S3","Event":"s3:TestEvent"}'))).toEqual({ kind: 's3-test-event' });
  });

  it('an SNS notification whose message is not JSON or not an object is unreadable at $.Message (quarantined, not retried)', () => {
    const notJson = errorOf(sns('not json'));
    expect(notJson).toBeInstanceOf(FindingParseError);
    expect(notJson.message).toMatch(/^sqs:m-1: \$\.Message: expected a JSON message in the SNS notification, received unparseable JSON/);
    const scalar = errorOf(sns('42'));
    expect(scalar).toBeInstanceOf(UnreadableMessageError);
    expect(scalar.message).toBe('sqs:m-1: $.Message: expected a JSON object (an EventBridge event, a finding or an S3 notification), received number 42');
  });

  it('reads an EventBridge finding event', () => {
    const m = read(JSON.stringify(event(finding())));
    expect(m.kind).toBe('record');
    expect(m.kind === 'record' && m.record.kind).toBe('finding');
  });

  it('reads a body that starts with a byte order mark as the same message (it was quarantined as unparseable JSON)', () => {
    const body = JSON.stringify(event(finding()));
    const m = read(`\uFEFF${body}`);
    expect(m).toEqual(read(body));
    expect(m.kind).toBe('record');
    // Only a leading one: elsewhere it is not JSON.
    expect(errorOf(`{\uFEFF}`)).toBeInstanceOf(FindingParseError);
  });

  it('reads S3 notifications: keys decoded (+ is a space), other events ignored', () => {
    const m = read(
      JSON.stringify({
        Records: [
          s3Record('AWSLogs/export+0001%3A.jsonl.gz'),
          s3Record('gone.jsonl.gz', { eventName: 'ObjectRemoved:Delete' }),
          s3Record('x', { eventSource: 'aws:sqs' }),
        ],
      }),
    );
    expect(m).toEqual({ kind: 'export-objects', objects: [{ bucket: 'findings-bucket', key: 'AWSLogs/export 0001:.jsonl.gz' }] });
    expect(read(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }))).toEqual({ kind: 's3-test-event' });
  });

  it.each([
    ['null', 'sqs:m-1: $: expected a JSON object (an EventBridge event, a finding or an S3 notification), received null'],
    ['42', 'sqs:m-1: $: expected a JSON object (an EventBridge event, a finding or an S3 notification), received number 42'],
    ['[]', 'sqs:m-1: $: expected one finding or event per message (a list of findings is not read here: send each finding as its own message), received a list of 0 item(s)'],
    ['{"Records": [null]}', 'sqs:m-1: $.Records[0]: expected an S3 event record (Invalid input: expected object, received null), received null'],
    ['{"Records": "x"}', 'sqs:m-1: $.Records: expected a list of S3 event records, received string "x"'],
  ])('a body of %s is unreadable, with the path and the value received', (body, message) => {
    const err = errorOf(body);
    expect(err).toBeInstanceOf(UnreadableMessageError);
    expect(err.message).toBe(message);
  });

  it('an S3 key that is not valid URL encoding is unreadable, keeping the decoder error as cause', () => {
    const err = errorOf(JSON.stringify({ Records: [s3Record('ok.gz'), s3Record('bad%E0%A4%A.jsonl.gz')] }));
    expect(err).toBeInstanceOf(UnreadableMessageError);
    expect(err.message).toBe('sqs:m-1: $.Records[1].s3.object.key: expected a URL-encoded S3 object key, received string "bad%E0%A4%A.jsonl.gz"');
    expect(err.cause).toBeInstanceOf(URIError);
  });

  it('an S3 record missing its key names the field', () => {
    const err = errorOf(JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }] }));
    expect(err).toBeInstanceOf(UnreadableMessageError);
    expect(err.message).toMatch(/^sqs:m-1: \$\.Records\[0\]\.s3\.object\.key: expected an S3 event record \(.+\), received nothing \(missing\)$/);
  });

  it('a list of findings (a JSON array, a GetFindings answer, either inside SNS) is unreadable at its path, saying one per message (was "received array of 2", or advice to call parseDocument)', () => {
    const one = event(finding());
    const expected = 'expected one finding or event per message (a list of findings is not read here: send each finding as its own message)';
    for (const [body, at, received] of [
      [JSON.stringify([one, one]), '$', 'a list of 2 item(s)'],
      [JSON.stringify({ Findings: [finding(), finding()] }), '$.Findings', 'a GetFindings answer listing 2 finding(s)'],
      [sns(JSON.stringify([one])), '$.Message', 'a list of 1 item(s)'],
      [sns(JSON.stringify({ Findings: [finding()] })), '$.Message.Findings', 'a GetFindings answer listing 1 finding(s)'],
    ] as const) {
      const err = errorOf(body);
      // UnreadableMessageError: the handler quarantines it with this reason and path, not retried.
      expect(err).toBeInstanceOf(UnreadableMessageError);
      expect(err).toMatchObject({ path: at, message: `sqs:m-1: ${at}: ${expected}, received ${received}` });
    }
  });

  it('a body that is not JSON, or a record that is not a finding, is a finding parse error', () => {
    expect(errorOf('GuardDuty <not json>')).toBeInstanceOf(FindingParseError);
    const err = errorOf('{"detail-type": "GuardDuty Finding", "detail": {}}');
    expect(err).toBeInstanceOf(FindingParseError);
    expect(err.message).toMatch(/^sqs:m-1: \$/);
  });
});
