/**
 * The responder Lambda is fed by its queue. Invoked with anything else (an EventBridge rule targeting the function
 * directly, `aws lambda invoke` with a finding, a test event of the wrong template), it fails the invocation with one
 * line saying what it takes and what it received, instead of Powertools' "Unexpected batch type" or a TypeError.
 */
import type { SQSEvent } from 'aws-lambda';
import { UnreadableMessageError, describeValue } from '../errors.js';

export function assertSqsBatch(event: unknown): asserts event is SQSEvent {
  const records = event !== null && typeof event === 'object' ? (event as { Records?: unknown }).Records : undefined;
  const expected = 'an SQS batch ({"Records": [...]}): the responder reads its findings queue (EventBridge → SQS → Lambda); send a finding through the queue';
  if (!Array.isArray(records)) throw new UnreadableMessageError({ name: 'invocation' }, '$.Records', expected, `${describeValue(records)} (the event is ${describeValue(event)})`);
  records.forEach((r: unknown, i) => {
    if (r === null || typeof r !== 'object' || typeof (r as { messageId?: unknown }).messageId !== 'string') {
      throw new UnreadableMessageError({ name: 'invocation' }, `$.Records[${i}]`, 'an SQS message with a messageId', describeValue(r));
    }
  });
}
