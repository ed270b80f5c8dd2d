/** Slack Block Kit rendering: attacker text never becomes markup, approval buttons carry the signed links. */
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, renderSlackMessage } from '../../../src/notify/slack-message.js';
import { HOSTILE, notification } from './notification-fixture.js';

interface TextObject {
  type: string;
  text: string;
}
interface Block {
  type: string;
  text?: TextObject;
  fields?: TextObject[];
  elements?: Array<TextObject & { url?: string; style?: string; text: TextObject | string }>;
}

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Every text object in the message, with its type (mrkdwn or plain_text), and the top-level fallback text. */
function texts(message: { text: string; blocks: unknown[] }): TextObject[] {
  const out: TextObject[] = [{ type: 'mrkdwn', text: message.text }]; // the notification fallback is mrkdwn
  for (const b of message.blocks as Block[]) {
    if (b.text) out.push(b.text);
    for (const f of b.fields ?? []) out.push(f);
    for (const el of b.elements ?? []) out.push(typeof el.text === 'string' ? { type: el.type, text: el.text } : el.text);
  }
  return out;
}

describe('escapeMrkdwn', () => {
  it('escapes &, < and > and turns control characters into spaces', () => {
    expect(escapeMrkdwn('a & b <@U123> >x')).toBe('a &amp; b &lt;@U123&gt; &gt;x');
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
    expect(escapeMrkdwn('a\nb\u001b[0m\u2028c\u0085d')).toBe('a b [0m c d');
  });
});

describe('renderSlackMessage', () => {
  it('never lets finding text become a mention, a link or a forged line, in any field', () => {
    const n = notification({
      findingType: `Backdoor:EC2/${HOSTILE}`,
      subject: { kind: 'ec2-instance', id: HOSTILE, ai: true, aiReasons: [HOSTILE] },
      decidedBy: HOSTILE,
      done: [HOSTILE],
      waiting: [HOSTILE],
      failed: [HOSTILE],
      notes: [HOSTILE],
      releaseHint: HOSTILE,
      accountId: HOSTILE,
      region: HOSTILE,
      incidentId: HOSTILE,
    });
    const all = texts(renderSlackMessage(n));
    expect(all.length).toBeGreaterThan(10);
    for (const t of all) {
      // Our own templates use newlines; the hostile text's must be gone.
      // eslint-disable-next-line no-control-regex -- looking for the escape character is the point
      expect(t.text, `${t.type}: ${t.text}`).not.toMatch(/[\u001b\u2028]|\nFORGED/);
      if (t.type === 'mrkdwn') {
        expect(t.text, t.text).not.toContain('<');
        expect(t.text, t.text).not.toContain('>');
        expect(t.text, t.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
    }
    // The hostile text is still shown (escaped), not dropped.
    expect(all.some((t) => t.type === 'mrkdwn' && t.text.includes('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;amp; a FORGED: line'))).toBe(true);
  });

  it('has a header of at most 150 characters (the Block Kit limit), without control characters', () => {
    const m = renderSlackMessage(notification({ subject: { kind: 'ec2-instance', id: `i-\u001b[2J${'9'.repeat(400)}\n`, ai: false, aiReasons: [] } }));
    const header = (m.blocks[0] as Block).text!;
    expect((m.blocks[0] as Block).type).toBe('header');
    expect(header.type).toBe('plain_text');
    expect(header.text.length).toBe(150);
    expect(header.text).not.toMatch(CONTROL);
    expect(header.text.startsWith(':rotating_light: CryptoCurrency:EC2/BitcoinTool.B!DNS on ec2-instance i- [2J999')).toBe(true);
    expect(renderSlackMessage(notification()).blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: CryptoCurrency:EC2/BitcoinTool.B!DNS on ec2-instance i-0123456789abcdef0', emoji: true },
    });
  });

  it('picks the header icon from the status', () => {
    const icon = (status: 'contained' | 'partial' | 'observed') => (renderSlackMessage(notification({ status })).blocks[0] as Block).text!.text.split(' ')[0];
    expect([icon('contained'), icon('partial'), icon('observed')]).toEqual([':lock:', ':warning:', ':rotating_light:']);
  });

  it('puts one approve/deny button pair per link when steps wait, with the signed URLs', () => {
    const approvals = ['*', 'isolate-network', 'stop-instance'].map((stepId) => ({
      stepId,
      approveUrl: `https://example.invalid/approve?t=approve-${stepId}`,
      denyUrl: `https://example.invalid/approve?t=deny-${stepId}`,
    }));
    const m = renderSlackMessage(notification(), { approvals });
    const actions = (m.blocks as Block[]).filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(3);
    expect(actions.map((a) => a.elements!.map((e) => [(e.text as TextObject).text, e.style, e.url]))).toEqual([
      [
        ['Approve all containment', 'primary', 'https://example.invalid/approve?t=approve-*'],
        ['Deny all', 'danger', 'https://example.invalid/approve?t=deny-*'],
      ],
      [
        ['Approve isolate-network', 'primary', 'https://example.invalid/approve?t=approve-isolate-network'],
        ['Deny isolate-network', 'danger', 'https://example.invalid/approve?t=deny-isolate-network'],
      ],
      [
        ['Approve stop-instance', 'primary', 'https://example.invalid/approve?t=approve-stop-instance'],
        ['Deny stop-instance', 'danger', 'https://example.invalid/approve?t=deny-stop-instance'],
      ],
    ]);
    const waiting = (m.blocks as Block[]).find((b) => b.text?.text.startsWith('*Waiting for approval*'));
    expect(waiting?.text?.text).toBe('*Waiting for approval*: `isolate-network`, `stop-instance`');
    // Buttons follow the waiting section.
    expect((m.blocks as Block[]).indexOf(actions[0]!)).toBe((m.blocks as Block[]).indexOf(waiting!) + 1);
  });

  it('shows no buttons and no waiting section when nothing waits, even if links are given', () => {
    const m = renderSlackMessage(notification({ waiting: [], status: 'contained' }), {
      approvals: [{ stepId: '*', approveUrl: 'https://example.invalid/a', denyUrl: 'https://example.invalid/d' }],
    });
    expect((m.blocks as Block[]).filter((b) => b.type === 'actions')).toEqual([]);
    expect(JSON.stringify(m)).not.toContain('Waiting for approval');
  });

  it('keeps button labels within the 75-character limit', () => {
    const stepId = 's'.repeat(200);
    const m = renderSlackMessage(notification({ waiting: [stepId] }), { approvals: [{ stepId, approveUrl: 'https://example.invalid/a', denyUrl: 'https://example.invalid/d' }] });
    const labels = (m.blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => (e.text as TextObject).text));
    expect(labels.map((l) => l.length)).toEqual([75, 75]);
  });

  it('lists what was done, what failed, the notes, the AI reasons and the release command', () => {
    const m = renderSlackMessage(notification({ failed: ['deny-instance-session'], notes: ['budget exhausted: approve'] }));
    const all = texts(m).map((t) => t.text);
    expect(all).toContain('*Done*: `capture-evidence`, `snapshot-volumes`');
    expect(all).toContain('*FAILED*: deny-instance-session');
    expect(all).toContain('budget exhausted: approve');
    expect(all).toContain('*AI workload*: GPU instance type p4d.24xlarge');
    expect(all).toContain('*Severity*\n8');
    expect(all).toContain('Release: `tourniquet release inc-20250101-0001 --reason "…"`');
    expect(m.text).toBe(':rotating_light: CryptoCurrency:EC2/BitcoinTool.B!DNS on ec2-instance i-0123456789abcdef0 — awaiting-approval');
  });

  it('omits the AI section for a workload that is not AI', () => {
    const m = renderSlackMessage(notification({ subject: { kind: 'ec2-instance', id: 'i-1', ai: false, aiReasons: [] } }));
    expect(JSON.stringify(m)).not.toContain('AI workload');
  });
});
