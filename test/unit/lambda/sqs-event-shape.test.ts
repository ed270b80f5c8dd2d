/** The responder Lambda invoked with something other than an SQS batch: one line saying what it takes, before any work. */
import { describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { UnreadableMessageError } from '../../../src/errors.js';
import { handler } from '../../../src/lambda/respond-handler.js';
import { event, finding } from '../findings/finding-fixtures.js';

const failureOf = async (e: unknown): Promise<Error> => {
  try {
    await handler(e as SQSEvent);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the invocation to fail');
};

describe('respond handler invoked without an SQS batch', () => {
  it.each([
    ['an EventBridge finding event (a rule targeting the function directly)', event(finding()), /^invocation: \$\.Records: expected an SQS batch .*, received nothing \(missing\) \(the event is object \{"version", "id", "detail-type", "source", "account", …\}\)$/],
    ['an empty event', {}, /^invocation: \$\.Records: expected an SQS batch .*, received nothing \(missing\) \(the event is object \{\}\)$/],
    ['null', null, /^invocation: \$\.Records: expected an SQS batch .*, received nothing \(missing\) \(the event is null\)$/],
    ['Records that is not a list', { Records: 'x' }, /^invocation: \$\.Records: expected an SQS batch .*, received string "x"/],
    ['a null record', { Records: [null] }, /^invocation: \$\.Records\[0\]: expected an SQS message with a messageId, received null$/],
  ])('%s fails the invocation with one line naming what it takes (was "Unexpected batch type" or a TypeError)', async (_name, e, line) => {
    const err = await failureOf(e);
    expect(err).toBeInstanceOf(UnreadableMessageError);
    expect(err.message).toMatch(line);
  });
});
