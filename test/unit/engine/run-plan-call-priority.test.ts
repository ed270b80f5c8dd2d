/**
 * The engine runs each step's calls at the priority of its effect (src/aws/call-priority.ts), so the rate limiter
 * can let containment go ahead of evidence reads: a read or evidence step's capture and apply run `low`, a contain
 * or destructive step's `high`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import { currentCallPriority } from '../../../src/aws/call-priority.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { EffectClass, Plan, PlanStep } from '../../../src/contracts/plan.js';
import type { Journal } from '../../../src/journal/journal.js';
import { memoryEvidence } from '../../support/memory-evidence.js';
import { PLAN_SUBJECT, openMemoryJournal, openPlanIncident } from '../../support/memory-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await openMemoryJournal();
});
afterAll(async () => {
  await journal?.close();
});

function step(id: string, effect: EffectClass, dependsOn: string[] = []): PlanStep {
  return { id, action: `fake.${id}`, input: { id }, dependsOn, effect, reversible: true, description: id };
}

describe('runPlan sets the call priority of each step', () => {
  it('read and evidence steps call at low priority, contain and destructive steps at high', async () => {
    const seen: string[] = [];
    const getAction = (name: string): AnyAction => {
      const id = name.slice('fake.'.length);
      return {
        name,
        effect: 'read',
        reversible: true,
        description: id,
        permissions: [],
        parseInput: (raw) => raw,
        capture: async () => {
          await Promise.resolve();
          seen.push(`${id} capture ${currentCallPriority()}`);
          return {};
        },
        apply: async () => {
          await new Promise((r) => setTimeout(r, 1));
          seen.push(`${id} apply ${currentCallPriority()}`);
          return {};
        },
      };
    };
    const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('evidence', 'read'), step('snap', 'evidence', ['evidence']), step('fence', 'contain', ['snap']), step('stop', 'destructive', ['fence'])] };
    const incident = await openPlanIncident(journal, plan, 'contain');
    await runPlan(
      { journal, getAction, retry: { baseDelayMs: 1, maxDelayMs: 2 }, isTransient: () => false, calls: new CallCollector(), now: () => new Date(), runnerId: 'test', actor: 'test' },
      { incidentId: incident.incidentId, plan, mode: 'contain', overrides: { stop: 'auto-approve' }, subject: PLAN_SUBJECT, clients: () => Promise.resolve({} as AwsClients), evidence: memoryEvidence() },
    );
    expect(seen).toEqual(['evidence capture low', 'evidence apply low', 'snap capture low', 'snap apply low', 'fence capture high', 'fence apply high', 'stop capture high', 'stop apply high']);
  });
});
