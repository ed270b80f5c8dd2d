/**
 * Slack Block Kit message for an incident: what happened, to which (AI) workload, what was done, what waits for
 * approval (with links), how to release. Text from findings goes into `plain_text` or escaped mrkdwn only.
 */
import { stripControlCharacters } from '../safe-text.js';
import type { IncidentNotification } from './notification.js';
import type { ManualStep } from '../contracts/plan.js';
import { manualStepsHeadline } from './manual-step-lines.js';

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
  blocks.push(...manualStepBlocks(n.manualSteps ?? []));
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
  const action = (n.manualSteps?.length ?? 0) > 0 ? ' — ACTION REQUIRED BY A HUMAN' : '';
  return { text: `${e(title)} — ${e(n.status)}${action}`, blocks };
}

/** Slack's limit on a section's text. */
const SECTION_TEXT_MAX = 3000;

/**
 * Manual steps, loud and near the top: a header, then one section per step (title, why, the commands in a code
 * block). Backticks in values would close the code block, so they become quotes (IAM names cannot hold them).
 */
function manualStepBlocks(steps: readonly ManualStep[]): unknown[] {
  if (steps.length === 0) return [];
  const e = escapeMrkdwn;
  const code = (c: string): string => e(c).replace(/`/g, "'");
  const blocks: unknown[] = [
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: `:raising_hand: ${manualStepsHeadline(steps)}`.slice(0, 150), emoji: true } },
  ];
  steps.forEach((m, i) => {
    const commands = m.commands?.length ? `\n\`\`\`${m.commands.map(code).join('\n')}\`\`\`` : '';
    const text = `*${i + 1}. ${e(m.title)}*\n${e(m.why)}${commands}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: text.length > SECTION_TEXT_MAX ? `${text.slice(0, SECTION_TEXT_MAX - 1)}…` : text } });
  });
  blocks.push({ type: 'divider' });
  return blocks;
}
