/** SNS (e-mail) notifications: the exact PublishCommand input, with a subject SNS accepts and the approval lines. */
import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../src/notify/sns-notifier.js';
import { renderText } from '../../../src/notify/notification.js';
import { HOSTILE, notification } from './notification-fixture.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:tourniquet';

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

function published(): { TopicArn?: string; Subject?: string; Message?: string } {
  const calls = sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

describe('SnsNotifier', () => {
  it('publishes the text rendering followed by the approval-link lines to the topic', async () => {
    const lines = ['all waiting steps: approve https://example.invalid/approve?t=a1  deny https://example.invalid/approve?t=d1', 'isolate-network: approve https://example.invalid/approve?t=a2  deny https://example.invalid/approve?t=d2'];
    const seen: string[] = [];
    const n = notification();
    await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC, (x) => {
      seen.push(x.incidentId);
      return Promise.resolve(lines);
    }).notify(n);
    const input = published();
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('[tourniquet] awaiting-approval: CryptoCurrency:EC2/BitcoinTool.B!DNS on i-0123456789abcdef0');
    expect(input.Message).toBe([renderText(n), ...lines].join('\n'));
    expect(input.Message!.split('\n').slice(-2)).toEqual(lines);
    expect(input.Message).toContain('waiting for approval: isolate-network, stop-instance  (tourniquet approve inc-20250101-0001)');
    expect(seen).toEqual(['inc-20250101-0001']);
  });

  it('publishes the text alone when there are no extra lines', async () => {
    const n = notification({ waiting: [], status: 'contained' });
    await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC).notify(n);
    expect(published().Message).toBe(renderText(n));
  });

  it('keeps the subject printable ASCII, on one line, at most 100 characters, whatever the finding says', async () => {
    const n = notification({ findingType: `Trojan:EC2/Ünïcode→${HOSTILE}`, subject: { kind: 'ec2-instance', id: `i-${'x'.repeat(300)}`, ai: false, aiReasons: [] } });
    await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC).notify(n);
    const { Subject, Message } = published();
    expect(Subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(Subject).toHaveLength(100);
    expect(Subject!.startsWith('[tourniquet] awaiting-approval: Trojan:EC2/?n?code?<!channel>')).toBe(true);
    // The body keeps Unicode but loses the control characters that could forge lines or drive a terminal.
    expect(Message).toContain('Trojan:EC2/Ünïcode→<!channel>');
    // eslint-disable-next-line no-control-regex -- looking for the escape character is the point
    expect(Message).not.toMatch(/[\u001b\u2028]|\nFORGED/);
  });

  it('does not swallow an SNS error', async () => {
    sns.on(PublishCommand).rejects(new SNSServiceException({ name: 'AuthorizationErrorException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not allowed' }));
    await expect(new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC).notify(notification())).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
  });
});
