/** One incident notification for the notifier tests (values invented). */
import type { IncidentNotification } from '../../../src/notify/notification.js';

export function notification(overrides: Partial<IncidentNotification> = {}): IncidentNotification {
  return {
    incidentId: 'inc-20250101-0001',
    status: 'awaiting-approval',
    reason: 'new',
    findingType: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    severity: 8,
    accountId: '123456789012',
    region: 'us-east-1',
    subject: { kind: 'ec2-instance', id: 'i-0123456789abcdef0', ai: true, aiReasons: ['GPU instance type p4d.24xlarge'] },
    mode: 'approve',
    decidedBy: 'defaults',
    done: ['capture-evidence', 'snapshot-volumes'],
    waiting: ['isolate-network', 'stop-instance'],
    failed: [],
    notes: [],
    releaseHint: 'tourniquet release inc-20250101-0001 --reason "…"',
    ...overrides,
  };
}

/** Attacker-controlled text: a Slack mention, a link, an entity, a forged line and a terminal escape. */
export const HOSTILE = '<!channel> <https://evil.example|click> &amp; a\nFORGED: line\u001b[31m\u2028end';
