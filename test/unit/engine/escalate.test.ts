/**
 * Merging a newly decided occurrence into its incident: only upwards (mode, steps, per-step overrides), the first
 * decided occurrence replaces the provisional decision, and a repeated merge (a delivery that stopped before marking
 * the occurrence merged) is recognised.
 */
import { describe, expect, it } from 'vitest';
import { describeEscalation, mergeOccurrence, occurrenceMode, type IncidentDecision, type OccurrenceInfo } from '../../../src/engine/escalate.js';
import type { Mode, Plan, PlanStep } from '../../../src/contracts/plan.js';
import type { Decision } from '../../../src/policy/decision.js';
import type { StepOverride } from '../../../src/policy/policy.js';

const step = (id: string, input: Record<string, string> = {}): PlanStep => ({ id, action: `a.${id}`, input, dependsOn: [], effect: 'contain', reversible: true, description: id });
const plan = (...steps: PlanStep[]): Plan => ({ playbook: 'ec2-instance', incidentKey: 'k', steps });

function decision(mode: Mode, decidedBy: string, stepOverrides: Record<string, StepOverride> = {}, extra: Partial<Decision> = {}): Decision {
  return { playbook: 'ec2-instance', requestedMode: mode, effectiveMode: mode, stepOverrides, verdicts: [], decidedBy, why: [`rule ${decidedBy}`], notify: false, policySource: 'p.yaml', ...extra };
}

const info = (findingId: string, count = 1): OccurrenceInfo => ({ findingId, findingType: `Type/${findingId}`, severity: 8, count, at: '2026-11-28T10:00:00.000Z' });
const decided = (d: Decision, findingId: string, count = 1): IncidentDecision => ({ ...d, occurrence: { findingId, severity: 8, count } });

describe('mergeOccurrence', () => {
  it('observe → contain: the mode rises, the escalating decision governs, and the timeline line names the finding and why', () => {
    const current = { mode: 'observe' as Mode, plan: plan(step('tag', { type: 'ssh' }), step('isolate')), decision: decided(decision('observe', 'rule:inbound-noise'), 'ssh') };
    const m = mergeOccurrence({
      current,
      occurrence: { decision: decision('contain', 'rule:ai-gpu-cryptomining', { 'nacl-cut': 'skip' }), plan: plan(step('tag', { type: 'crypto' }), step('isolate'), step('nacl-cut')), info: info('crypto') },
      startedSteps: new Set(),
    });
    expect(m.kind).toBe('escalated');
    if (m.kind !== 'escalated') return;
    expect(m.mode).toBe('contain');
    expect(m.decision.decidedBy).toBe('rule:ai-gpu-cryptomining');
    // From observe nothing was available: the new rule's skip applies.
    expect(m.decision.stepOverrides).toEqual({ 'nacl-cut': 'skip' });
    expect(m.plan.steps.map((s) => s.id)).toEqual(['tag', 'isolate', 'nacl-cut']);
    // Not started: the escalating finding describes the incident (its tag).
    expect(m.plan.steps[0]!.input).toEqual({ type: 'crypto' });
    expect(m.escalation).toMatchObject({ from: 'observe', to: 'contain', findingId: 'crypto', addedSteps: ['nacl-cut'] });
    expect(describeEscalation(m.escalation)).toBe('escalated observe → contain by Type/crypto crypto (severity 8, count 1; rule:ai-gpu-cryptomining): added nacl-cut');
    expect(m.decision.why.at(-1)).toBe(describeEscalation(m.escalation));
    expect(m.decision.occurrence).toEqual({ findingId: 'crypto', severity: 8, count: 1 });
  });

  it('never de-escalates: a lower decision changes nothing, however often it comes', () => {
    const current = { mode: 'contain' as Mode, plan: plan(step('isolate')), decision: decided(decision('contain', 'rule:crypto'), 'crypto') };
    const m = mergeOccurrence({ current, occurrence: { decision: decision('observe', 'rule:inbound-noise'), plan: plan(step('isolate')), info: info('ssh', 9) }, startedSteps: new Set() });
    expect(m).toEqual({ kind: 'unchanged', why: "observe (rule:inbound-noise) is below the incident's contain: an incident never de-escalates" });
  });

  it('a started step keeps its definition; an escalation never takes away a step a human could already approve', () => {
    const current = { mode: 'approve' as Mode, plan: plan(step('tag', { type: 'first' }), step('nacl-cut')), decision: decided(decision('approve', 'defaults'), 'first') };
    const m = mergeOccurrence({
      current,
      occurrence: { decision: decision('contain', 'rule:c2', { 'nacl-cut': 'skip' }), plan: plan(step('tag', { type: 'c2' }), step('nacl-cut')), info: info('c2') },
      startedSteps: new Set(['tag']),
    });
    if (m.kind !== 'escalated') throw new Error(m.kind);
    expect(m.plan.steps[0]!.input).toEqual({ type: 'first' });
    expect(m.decision.stepOverrides).toEqual({ 'nacl-cut': 'require-approval' });
  });

  it('same mode: adds steps and loosens overrides (never tightens); nothing new is "unchanged"', () => {
    const current = { mode: 'contain' as Mode, plan: plan(step('isolate'), step('stop')), decision: decided(decision('contain', 'rule:a', { stop: 'require-approval', tag: 'skip' }), 'a') };
    const same = mergeOccurrence({ current, occurrence: { decision: decision('contain', 'rule:b', { stop: 'skip' }), plan: plan(step('isolate'), step('stop')), info: info('b') }, startedSteps: new Set() });
    expect(same.kind).toBe('unchanged');
    const more = mergeOccurrence({
      current,
      occurrence: { decision: decision('contain', 'rule:c', { stop: 'auto-approve', block: 'require-approval' }), plan: plan(step('isolate'), step('stop'), step('block')), info: info('c') },
      startedSteps: new Set(),
    });
    if (more.kind !== 'escalated') throw new Error(more.kind);
    expect(more.mode).toBe('contain');
    expect(more.decision.decidedBy).toBe('rule:a'); // the governing decision stays
    expect(more.decision.stepOverrides).toEqual({ stop: 'auto-approve', tag: 'skip', block: 'require-approval' });
    expect(more.escalation).toMatchObject({ from: 'contain', to: 'contain', addedSteps: ['block'], loosenedSteps: ['stop'] });
    expect(describeEscalation(more.escalation)).toMatch(/^escalated \(contain, more steps\) by Type\/c c .*added block; allowed more for stop$/);
  });

  it('the first decided occurrence replaces the provisional decision, even downwards', () => {
    const provisional: IncidentDecision = { ...decision('contain', 'rule:crypto', {}, { countsPending: true }), provisional: true };
    const m = mergeOccurrence({
      current: { mode: 'approve', plan: plan(step('isolate')), decision: provisional },
      occurrence: { decision: decision('observe', 'rule:inbound-noise'), plan: plan(step('isolate')), info: info('ssh') },
      startedSteps: new Set(),
    });
    expect(m).toMatchObject({ kind: 'initial', mode: 'observe', repeated: false, decision: { decidedBy: 'rule:inbound-noise', occurrence: { findingId: 'ssh' } } });
    if (m.kind === 'initial') expect(m.decision.provisional).toBeUndefined();
  });

  it('an uncounted contain decision stands for approve, except on an incident that already contains', () => {
    const pending = decision('contain', 'rule:crypto', {}, { countsPending: true });
    expect(occurrenceMode(pending)).toBe('approve');
    const onApprove = mergeOccurrence({ current: { mode: 'approve', plan: plan(step('isolate')), decision: decided(decision('approve', 'defaults'), 'x') }, occurrence: { decision: pending, plan: plan(step('isolate')), info: info('y') }, startedSteps: new Set() });
    expect(onApprove.kind).toBe('unchanged');
    const onContain = mergeOccurrence({
      current: { mode: 'contain', plan: plan(step('isolate')), decision: decided(decision('contain', 'rule:crypto'), 'x') },
      occurrence: { decision: pending, plan: plan(step('isolate'), step('block')), info: info('y') },
      startedSteps: new Set(),
    });
    expect(onContain).toMatchObject({ kind: 'escalated', mode: 'contain', escalation: { addedSteps: ['block'] } });
  });

  it('recognises an occurrence the incident already took in (the delivery stopped before saying so)', () => {
    const first = mergeOccurrence({
      current: { mode: 'observe', plan: plan(step('isolate')), decision: decided(decision('observe', 'rule:noise'), 'ssh') },
      occurrence: { decision: decision('contain', 'rule:crypto'), plan: plan(step('isolate')), info: info('crypto') },
      startedSteps: new Set(),
    });
    if (first.kind !== 'escalated') throw new Error(first.kind);
    const again = mergeOccurrence({
      current: { mode: first.mode, plan: first.plan, decision: first.decision },
      occurrence: { decision: decision('contain', 'rule:crypto'), plan: plan(step('isolate')), info: { ...info('crypto'), at: 'later' } },
      startedSteps: new Set(),
    });
    expect(again).toMatchObject({ kind: 'escalated', repeated: true, escalation: first.escalation });
    const initialAgain = mergeOccurrence({
      current: { mode: 'observe', plan: plan(step('isolate')), decision: decided(decision('observe', 'rule:noise'), 'ssh') },
      occurrence: { decision: decision('observe', 'rule:noise'), plan: plan(step('isolate')), info: info('ssh') },
      startedSteps: new Set(),
    });
    expect(initialAgain).toMatchObject({ kind: 'initial', repeated: true });
  });

  it('a plan without steps (no playbook) takes the escalating plan whole', () => {
    const m = mergeOccurrence({
      current: { mode: 'approve', plan: { playbook: 'none', incidentKey: 'k', steps: [] }, decision: decided(decision('approve', 'defaults'), 'a') },
      occurrence: { decision: decision('contain', 'rule:x'), plan: plan(step('isolate')), info: info('b') },
      startedSteps: new Set(),
    });
    expect(m).toMatchObject({ kind: 'escalated', plan: { playbook: 'ec2-instance' }, escalation: { addedSteps: ['isolate'] } });
  });
});

describe('mergeOccurrence and manual steps', () => {
  const manual = (id: string, title = id) => ({ id, title, why: `why ${id}` });
  const withManual = (p: Plan, ...m: ReturnType<typeof manual>[]): Plan => ({ ...p, manualSteps: m });

  it('the first decided occurrence keeps the provisional plan’s manual steps and adds its own', () => {
    const current = { mode: 'approve' as Mode, plan: withManual(plan(), manual('a')), decision: { ...decision('approve', 'defaults'), provisional: true as const } };
    const m = mergeOccurrence({ current, occurrence: { decision: decision('approve', 'defaults'), plan: withManual(plan(), manual('a', 'A2'), manual('b')), info: info('x') }, startedSteps: new Set() });
    if (m.kind !== 'initial') throw new Error(m.kind);
    expect(m.plan.manualSteps).toEqual([manual('a', 'A2'), manual('b')]);
  });

  it('same mode: a new manual step alone escalates the incident and is named on the timeline; none dropped', () => {
    const current = { mode: 'approve' as Mode, plan: withManual(plan(step('isolate')), manual('a')), decision: decided(decision('approve', 'rule:a'), 'a') };
    const m = mergeOccurrence({ current, occurrence: { decision: decision('approve', 'rule:b'), plan: withManual(plan(step('isolate')), manual('b')), info: info('b') }, startedSteps: new Set() });
    if (m.kind !== 'escalated') throw new Error(m.kind);
    expect(m.plan.manualSteps!.map((x) => x.id)).toEqual(['a', 'b']);
    expect(m.escalation.addedManualSteps).toEqual(['b']);
    expect(describeEscalation(m.escalation)).toMatch(/: MANUAL STEPS added b$/);
    const again = mergeOccurrence({ current: { ...current, plan: m.plan }, occurrence: { decision: decision('approve', 'rule:b'), plan: withManual(plan(step('isolate')), manual('b')), info: info('c') }, startedSteps: new Set() });
    expect(again.kind).toBe('unchanged');
  });

  it('plans without manual steps stay without the key', () => {
    const current = { mode: 'observe' as Mode, plan: plan(step('tag')), decision: decided(decision('observe', 'rule:a'), 'a') };
    const m = mergeOccurrence({ current, occurrence: { decision: decision('contain', 'rule:b'), plan: plan(step('tag'), step('isolate')), info: info('b') }, startedSteps: new Set() });
    if (m.kind !== 'escalated') throw new Error(m.kind);
    expect('manualSteps' in m.plan).toBe(false);
    expect('addedManualSteps' in m.escalation).toBe(false);
  });
});
