/**
 * Executor-test pieces: a fake action (the fields every fake shares, phases given by the test), the run's deps with a
 * fast retry and a fixed runner, and a run input on PLAN_SUBJECT with no AWS clients.
 */
import type { AnyAction } from '../../src/actions/action.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Mode, Plan } from '../../src/contracts/plan.js';
import { CallCollector } from '../../src/engine/call-collector.js';
import type { RunPlanDeps, RunPlanInput } from '../../src/engine/run-plan.js';
import type { EvidenceWriter } from '../../src/evidence/evidence-writer.js';
import type { Journal } from '../../src/journal/journal.js';
import { memoryEvidence } from './memory-evidence.js';
import { PLAN_SUBJECT } from './memory-journal.js';

/** A reversible `contain` action named `name` whose phases the test gives (verify holds unless given). */
export function fakeAction(name: string, phases: Pick<AnyAction, 'capture' | 'apply'> & Partial<Pick<AnyAction, 'effect' | 'verify'>>): AnyAction {
  return {
    name,
    effect: 'contain',
    reversible: true,
    description: name,
    permissions: [],
    parseInput: (raw) => raw,
    verify: async () => ({ holds: true, detail: 'ok' }),
    ...phases,
  };
}

export function planDeps(journal: Journal, getAction: (name: string) => AnyAction, over: Partial<RunPlanDeps> = {}): RunPlanDeps {
  return {
    journal,
    getAction,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    isTransient: () => false,
    calls: new CallCollector(),
    now: () => new Date(),
    runnerId: 'me',
    processId: 'host#1#me',
    actor: 'test',
    ...over,
  };
}

export function planInput(incidentId: string, plan: Plan, over: { mode?: Mode; evidence?: EvidenceWriter } = {}): RunPlanInput {
  return {
    incidentId,
    plan,
    mode: over.mode ?? 'contain',
    overrides: {},
    subject: PLAN_SUBJECT,
    clients: () => Promise.resolve({} as AwsClients),
    evidence: over.evidence ?? memoryEvidence(),
  };
}
