/**
 * Manual steps reach the incident's timeline through the occurrence path the engine uses: the first decided
 * occurrence writes one `manual-steps` event with all of them; a later occurrence that adds manual steps (same mode)
 * escalates the incident and writes an event naming only the new ones; one that adds none writes none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualStep, Plan } from '../../../src/contracts/plan.js';
import { claimOrAwait, decideClaimed, mergeIntoIncident, type OccurrenceContext } from '../../../src/engine/occurrences.js';
import type { Journal } from '../../../src/journal/journal.js';
import { decisionFixture } from '../../support/decision-fixture.js';
import { openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await openMemoryJournal();
});
afterAll(async () => {
  await journal.close();
});

const manual = (id: string): ManualStep => ({ id, title: `Do ${id}`, why: `because ${id}` });
const plan = (...m: ManualStep[]): Plan => ({ playbook: 'root-user', incidentKey: 'k', steps: [], ...(m.length > 0 ? { manualSteps: m } : {}) });

function ctx(): OccurrenceContext {
  return { journal, runnerId: 'r1', processId: 'p1', now: () => new Date(), leaseMs: 60_000, waitMs: 0, sleep: async () => {} };
}

async function occurrence(incidentId: string, findingId: string, p: Plan): Promise<void> {
  const c = ctx();
  const { record } = await claimOrAwait(c, incidentId, { findingId, severity: 8, count: 1, findingType: 'Policy:IAMUser/RootCredentialUsage', updatedAt: '2026-12-03T08:00:00.000Z' });
  const decided = await decideClaimed(c, incidentId, record, { decision: decisionFixture('approve', 'root-user'), plan: p });
  await mergeIntoIncident(c, incidentId, decided);
}

const manualEvents = async (incidentId: string) => (await journal.listEvents(incidentId)).filter((e) => e.type === 'manual-steps');

describe('manual steps on the timeline', () => {
  it('first decision: one event with every step; a new one later: an event with that one only; nothing new: no event', async () => {
    const incident = await openPlanIncident(journal, plan(manual('a'), manual('b')), 'approve');
    // openPlanIncident journals a final decision; the engine opens incidents with a provisional one.
    await journal.updateIncident(incident.incidentId, { decision: { ...decisionFixture('approve', 'root-user'), provisional: true } }, new Date(), incident.version);

    await occurrence(incident.incidentId, 'f-1', plan(manual('a'), manual('b')));
    let events = await manualEvents(incident.incidentId);
    expect(events.map((e) => e.message)).toEqual(['ACTION REQUIRED BY A HUMAN: 2 manual steps (Tourniquet does not do these): 1. Do a; 2. Do b']);
    expect(events[0]!.data).toEqual([manual('a'), manual('b')]);

    await occurrence(incident.incidentId, 'f-2', plan(manual('a'), manual('c')));
    events = await manualEvents(incident.incidentId);
    expect(events.map((e) => e.message).at(-1)).toBe('ACTION REQUIRED BY A HUMAN: 1 manual step (Tourniquet does not do it): 1. Do c');
    expect((await journal.getIncident(incident.incidentId))!.plan.manualSteps!.map((m) => m.id)).toEqual(['a', 'b', 'c']);

    await occurrence(incident.incidentId, 'f-3', plan(manual('b')));
    expect(await manualEvents(incident.incidentId)).toHaveLength(2);
  });
});
