import type { SQSEvent } from 'aws-lambda';
import { ACCOUNT, REGION } from './engine-harness.js';

/** One SQS record as Lambda's event source mapping delivers it from the findings queue. */
export function sqsRecord(messageId: string, body: string): SQSEvent['Records'][number] {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'events', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:tourniquet-findings`,
    awsRegion: REGION,
  };
}
