/**
 * A read of the steps that began before one of this run's steps finished shows that step still running. The run must
 * not take it for the last word (nothing in flight, a step "held", nothing to wait for: stop) and leave the steps
 * after it unrun. The journal here answers each read 150 ms late, with what it held when asked. Real embedded journal.
 */
import { describe, expect, it } from 'vitest';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { EvidenceWriter } from '../../../src/evidence/evidence-writer.js';
import type { Journal } from '../../../src/journal/journal.js';
import { openMemoryJournal, openPlanIncident, PLAN_SUBJECT } from '../../support/memory-journal.js';

const evidence: EvidenceWriter = { location: 'memory://', put: async (name) => ({ seq: 0, name, sha256: '', bytes: 0, recordedAt: '', chain: '' }) };
const step = (id: string, more: Partial<PlanStep> = {}): PlanStep => ({ id, action: `fake.${id}`, input: {}, dependsOn: [], effect: 'contain', reversible: true, description: id, ...more });
// `leave` makes its change at once (which wakes the scheduler) and reads it back quickly; `after` waits for it.
const plan: Plan = { playbook: 'p', incidentKey: 'k', steps: [step('leave'), step('dereg', { afterChangeOf: ['leave'] }), step('after', { dependsOn: ['leave', 'dereg'] })] };

function lateReads(journal: Journal): Journal {
  return new Proxy(journal, {
    get(target, prop, recv) {
      if (prop === 'getSteps') {
        return async (id: string) => {
          const held = await target.getSteps(id);
          await new Promise((r) => setTimeout(r, 150));
          return held;
        };
      }
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
}

describe('a read of the steps that is older than a finish', () => {
  it('is read again: the steps after the one that finished meanwhile run', async () => {
    const journal = await openMemoryJournal();
    try {
      const incident = await openPlanIncident(journal, plan);
      const applied: string[] = [];
      const getAction = (name: string): AnyAction => ({
        name,
        effect: 'contain',
        reversible: true,
        description: name,
        permissions: [],
        parseInput: (raw) => raw,
        capture: async () => ({}),
        apply: async () => {
          applied.push(name);
          return {};
        },
        verify: async () => ({ holds: true, detail: 'ok' }),
      });
      const result = await runPlan(
        { journal: lateReads(journal), getAction, retry: { baseDelayMs: 1, maxDelayMs: 2 }, isTransient: () => false, calls: new CallCollector(), now: () => new Date(), runnerId: 'me', processId: 'host#1#me', actor: 'test' },
        { incidentId: incident.incidentId, plan, mode: 'contain', overrides: {}, subject: PLAN_SUBJECT, clients: () => Promise.resolve({} as AwsClients), evidence },
      );
      expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({ leave: 'done', dereg: 'done', after: 'done' });
      expect(result.status).toBe('contained');
      expect(applied).toContain('fake.after');
    } finally {
      await journal.close();
    }
  });
});
