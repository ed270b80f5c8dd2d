/**
 * Journal setup for executor tests: an in-memory embedded journal (dynalite) with its table, a throw-away EC2
 * subject, and an incident to run a plan in (a fresh incident key each time, so tests in one file never share one).
 */
import { randomUUID } from 'node:crypto';
import type { Subject } from '../../src/findings/model.js';
import type { IncidentRecord, Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type { Mode, Plan } from '../../src/contracts/plan.js';
import { decisionFixture } from './decision-fixture.js';

export const PLAN_SUBJECT = {
  kind: 'ec2-instance',
  id: 'i-1',
  accountId: '111111111111',
  region: 'us-east-1',
  tags: [],
  ai: { isAi: false, reasons: [] },
  details: { instanceId: 'i-1', networkInterfaces: [] },
} as Subject;

/** An in-memory journal whose table exists; close it after the tests. */
export async function openMemoryJournal(): Promise<Journal> {
  const journal = await openJournal({});
  await journal.ensureTable();
  return journal;
}

/** Opens a new incident for `plan` on PLAN_SUBJECT (its own key). */
export async function openPlanIncident(journal: Journal, plan: Plan, mode: Mode = 'contain', now = new Date()): Promise<IncidentRecord> {
  const s = PLAN_SUBJECT;
  const { incident } = await journal.openIncident(
    {
      incidentKey: `k-${randomUUID()}`,
      accountId: s.accountId,
      region: s.region,
      subjectKind: s.kind,
      subjectId: s.id,
      findingId: 'f',
      findingType: 't',
      severity: 8,
      mode,
      playbook: plan.playbook,
      plan,
      decision: decisionFixture(mode, plan.playbook),
      subject: s as never,
    },
    now,
  );
  return incident;
}
