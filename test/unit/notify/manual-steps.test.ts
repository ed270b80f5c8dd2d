/**
 * Manual steps (what a human must do) in every notification: the plain text (e-mail, CLI), Slack and the SNS subject
 * say it loudly and before the rest, with the exact commands; attacker-controlled values stay inert.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualStep } from '../../../src/contracts/plan.js';
import { manualStepLines, manualStepsSummary } from '../../../src/notify/manual-step-lines.js';
import { renderText } from '../../../src/notify/notification.js';
import { renderSlackMessage } from '../../../src/notify/slack-message.js';
import { SnsNotifier } from '../../../src/notify/sns-notifier.js';
import { HOSTILE, notification } from './notification-fixture.js';

const STEPS: ManualStep[] = [
  {
    id: 'remove-sso-assignment',
    title: 'Remove the Identity Center account assignment',
    why: 'AWSReservedSSO_ roles are managed by Identity Center; Tourniquet never changes them.',
    commands: ['aws sso-admin delete-account-assignment --instance-arn <arn> --target-id 123456789012 --target-type AWS_ACCOUNT'],
  },
  { id: 'check-cloudtrail', title: 'Review CloudTrail for other changes', why: 'The session may have created other credentials.' },
];

const sns = mockClient(SNSClient);
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('manualStepLines', () => {
  it('a loud headline, then each step numbered with its id, why and commands', () => {
    expect(manualStepLines(STEPS)).toEqual([
      'ACTION REQUIRED BY A HUMAN: 2 manual steps (Tourniquet does not do these)',
      '1. Remove the Identity Center account assignment [remove-sso-assignment]',
      '   why: AWSReservedSSO_ roles are managed by Identity Center; Tourniquet never changes them.',
      '   $ aws sso-admin delete-account-assignment --instance-arn <arn> --target-id 123456789012 --target-type AWS_ACCOUNT',
      '2. Review CloudTrail for other changes [check-cloudtrail]',
      '   why: The session may have created other credentials.',
    ]);
    expect(manualStepLines([])).toEqual([]);
    expect(manualStepsSummary(STEPS.slice(0, 1))).toBe(
      'ACTION REQUIRED BY A HUMAN: 1 manual step (Tourniquet does not do it): 1. Remove the Identity Center account assignment',
    );
  });
});

describe('renderText with manual steps', () => {
  it('puts them right after the incident line, before what was done', () => {
    const lines = renderText(notification({ manualSteps: STEPS })).split('\n');
    const head = lines.indexOf('ACTION REQUIRED BY A HUMAN: 2 manual steps (Tourniquet does not do these)');
    expect(head).toBe(3); // title, incident line, a blank line
    expect(lines.slice(head, head + 4)).toEqual(manualStepLines(STEPS).slice(0, 4));
    expect(lines.findIndex((l) => l.startsWith('done:'))).toBeGreaterThan(head + 6);
  });

  it('says nothing of manual steps when there are none', () => {
    expect(renderText(notification())).not.toContain('ACTION REQUIRED');
    expect(renderText(notification({ manualSteps: [] }))).toBe(renderText(notification()));
  });

  it('keeps hostile values on their line: no forged lines, no escape sequences', () => {
    const text = renderText(notification({ manualSteps: [{ id: 'x', title: HOSTILE, why: HOSTILE, commands: [`aws iam get-role --role-name ${HOSTILE}`] }] }));
    // eslint-disable-next-line no-control-regex -- looking for the escape character is the point
    expect(text).not.toMatch(/[\u001b\u2028]|\nFORGED/);
    expect(text).toContain('   $ aws iam get-role --role-name <!channel> <https://evil.example|click> &amp; a FORGED: line [31m end');
  });
});

describe('renderSlackMessage with manual steps', () => {
  interface Block {
    type: string;
    text?: { type: string; text: string };
  }

  it('a header block and one section per step with the commands in a code block, right after the facts', () => {
    const m = renderSlackMessage(notification({ manualSteps: STEPS }));
    const blocks = m.blocks as Block[];
    const header = blocks.findIndex((b) => b.type === 'header' && b.text!.text.includes('ACTION REQUIRED'));
    expect(header).toBe(3); // header, facts, divider
    expect(blocks[header]!.text).toEqual({ type: 'plain_text', text: ':raising_hand: ACTION REQUIRED BY A HUMAN: 2 manual steps (Tourniquet does not do these)', emoji: true });
    expect(blocks[header + 1]!.text!.text).toBe(
      '*1. Remove the Identity Center account assignment*\nAWSReservedSSO_ roles are managed by Identity Center; Tourniquet never changes them.\n' +
        '```aws sso-admin delete-account-assignment --instance-arn &lt;arn&gt; --target-id 123456789012 --target-type AWS_ACCOUNT```',
    );
    expect(blocks[header + 2]!.text!.text).toBe('*2. Review CloudTrail for other changes*\nThe session may have created other credentials.');
    expect(m.text.endsWith(' — ACTION REQUIRED BY A HUMAN')).toBe(true);
  });

  it('escapes hostile values: no mention, link or code-block break-out', () => {
    const m = renderSlackMessage(notification({ manualSteps: [{ id: 'x', title: HOSTILE, why: HOSTILE, commands: [`echo ${HOSTILE}\`\`\`<!here>`] }] }));
    const sections = (m.blocks as Block[]).filter((b) => b.type === 'section' && b.text?.text.startsWith('*1.'));
    expect(sections).toHaveLength(1);
    const text = sections[0]!.text!.text;
    expect(text).not.toMatch(/<|>/);
    // Only our own code-block fences remain.
    expect(text.match(/```/g)).toHaveLength(2);
    // eslint-disable-next-line no-control-regex -- looking for the escape character is the point
    expect(text).not.toMatch(/[\u001b\u2028]|\nFORGED/);
  });

  it('keeps a very long step within the 3000-character section limit', () => {
    const m = renderSlackMessage(notification({ manualSteps: [{ id: 'x', title: 't', why: 'w'.repeat(5000) }] }));
    const section = (m.blocks as Block[]).find((b) => b.text?.text.startsWith('*1. t*'));
    expect(section!.text!.text).toHaveLength(3000);
  });

  it('adds nothing when there are no manual steps', () => {
    expect(JSON.stringify(renderSlackMessage(notification()))).not.toContain('ACTION REQUIRED');
  });
});

describe('SnsNotifier with manual steps', () => {
  it('says ACTION REQUIRED first in the subject and carries the steps in the message', async () => {
    const n = notification({ manualSteps: STEPS });
    await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:t').notify(n);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    // SNS subjects stop at 100 characters: the call to action comes first so it survives the cut.
    expect(input.Subject).toBe('[tourniquet] ACTION REQUIRED, awaiting-approval: CryptoCurrency:EC2/BitcoinTool.B!DNS on i-0123456789abcdef0'.slice(0, 100));
    expect(input.Message).toBe(renderText(n));
    expect(input.Message).toContain('   $ aws sso-admin delete-account-assignment');
  });
});
