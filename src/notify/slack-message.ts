/**
 * Slack Block Kit message for an incident: what happened, to which (AI) workload, what was done, what waits for
 * approval (with links), how to release. Text from findings goes into `plain_text` or escaped mrkdwn only.
 */
import { stripControlCharacters } from '../safe-text.js';
import type { IncidentNotification } from './notification.js';

export interface SlackLinks {
  /** Step id (or `*`) → approve/deny URLs. */
  readonly approvals?: ReadonlyArray<{ stepId: string; approveUrl: string; denyUrl: string }>;
}

/** Slack mrkdwn escaping (&, <, >) plus control characters. */
export function escapeMrkdwn(s: string): string {
  return stripControlCharacters(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderSlackMessage(n: IncidentNotification, links: SlackLinks = {}): { text: string; blocks: unknown[] } {
  const e = escapeMrkdwn;
  const clean = stripControlCharacters;
  const title = `${n.status === 'contained' ? ':lock:' : n.status === 'partial' ? ':warning:' : ':rotating_light:'} ${clean(n.findingType)} on ${n.subject.kind} ${clean(n.subject.id)}`;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${n.severity}` },
        { type: 'mrkdwn', text: `*Account / Region*\n${e(n.accountId)} / ${e(n.region)}` },
        { type: 'mrkdwn', text: `*Incident*\n\`${e(n.incidentId)}\` — ${e(n.status)}` },
        { type: 'mrkdwn', text: `*Mode*\n${e(n.mode)} (${e(n.decidedBy)})` },
      ],
    },
  ];
  if (n.subject.ai) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*AI workload*: ${e(n.subject.aiReasons.join('; '))}` } });
  }
  if (n.done.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Done*: ${n.done.map((s) => `\`${e(s)}\``).join(', ')}` } });
  if (n.failed.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*FAILED*: ${e(n.failed.join(', '))}` } });
  for (const note of n.notes) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: e(note) }] });
  if (n.waiting.length) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Waiting for approval*: ${n.waiting.map((s) => `\`${e(s)}\``).join(', ')}` } });
    for (const l of links.approvals ?? []) {
      blocks.push({
        type: 'actions',
        elements: [
          { type: 'button', style: 'primary', text: { type: 'plain_text', text: `Approve ${l.stepId === '*' ? 'all containment' : l.stepId}`.slice(0, 75) }, url: l.approveUrl },
          { type: 'button', style: 'danger', text: { type: 'plain_text', text: `Deny ${l.stepId === '*' ? 'all' : l.stepId}`.slice(0, 75) }, url: l.denyUrl },
        ],
      });
    }
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Release: \`${e(n.releaseHint)}\`` }] });
  // The top-level text is what push notifications show, and Slack reads it as mrkdwn: escaped like the sections.
  return { text: `${e(title)} — ${e(n.status)}`, blocks };
}
