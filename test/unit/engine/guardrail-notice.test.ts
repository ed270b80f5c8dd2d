import { describe, expect, it } from 'vitest';
import { FindingMarksInFlight, guardrailNotice } from '../../../src/engine/guardrail-notice.js';
import type { Finding } from '../../../src/findings/model.js';
import type { Plan, PlanStep } from '../../../src/contracts/plan.js';
import type { Decision } from '../../../src/policy/decision.js';
import type { GuardrailVerdict } from '../../../src/policy/guardrails.js';

const step = (id: string, effect: PlanStep['effect']): PlanStep => ({ id, action: `x.${id}`, input: {}, dependsOn: [], effect, reversible: true, description: id });
const plan: Plan = {
  playbook: 'ec2-instance',
  incidentKey: 'k',
  steps: [step('capture', 'read'), step('snapshot', 'evidence'), step('isolate', 'contain'), step('tag', 'contain'), step('stop', 'destructive')],
};

function decision(over: Partial<Decision> & { verdicts: GuardrailVerdict[] }): Decision {
  return { playbook: 'ec2-instance', requestedMode: 'contain', effectiveMode: 'observe', stepOverrides: {}, decidedBy: 'guardrail:exempt-tag', why: [], notify: true, policySource: 't', ...over };
}
const exempt: GuardrailVerdict = { guardrail: 'exempt-tag', outcome: 'block', reason: 'tagged' };
const budget: GuardrailVerdict = { guardrail: 'budget', outcome: 'downgrade', reason: 'spent' };

describe('guardrailNotice', () => {
  it('an observe block lists every step contain would have run (not the destructive ones, which wait anyway)', () => {
    const n = guardrailNotice(decision({ verdicts: [exempt] }), plan)!;
    expect(n.notDone).toEqual(['capture', 'snapshot', 'isolate', 'tag']);
    expect(n.lines).toEqual(['guardrail exempt-tag lowered the mode from contain to observe: nothing was changed', 'not done: capture, snapshot, isolate, tag']);
  });

  it('an approve fallback lists the containment steps that now wait; skipped steps are not listed', () => {
    const n = guardrailNotice(decision({ verdicts: [budget], effectiveMode: 'approve', decidedBy: 'guardrail:budget', stepOverrides: { tag: 'skip' } }), plan)!;
    expect(n.notDone).toEqual(['isolate']);
    expect(n.lines).toContain('not run automatically (they wait for approval): isolate');
  });

  it('marks a drill first', () => {
    expect(guardrailNotice(decision({ verdicts: [exempt] }), plan, { drill: true })!.lines[0]).toMatch(/^DRILL: /);
  });

  it('no notice when nothing lowered the mode, or the decision says not to notify (sample/archived)', () => {
    expect(guardrailNotice(decision({ verdicts: [], effectiveMode: 'contain', decidedBy: 'rule:r', notify: false }), plan)).toBeUndefined();
    expect(guardrailNotice(decision({ verdicts: [{ guardrail: 'sample', outcome: 'block', reason: 's' }, exempt], notify: false }), plan)).toBeUndefined();
  });
});

describe('FindingMarksInFlight', () => {
  const drill = { id: 'f1', title: '[DRILL] x', raw: { service: { additionalInfo: { tourniquetDrill: true } } } } as unknown as Finding;
  it('holds marks while a finding is handled, counting concurrent holders', () => {
    const marks = new FindingMarksInFlight();
    const a = marks.hold(drill);
    const b = marks.hold(drill);
    expect(marks.of('f1')).toEqual({ drill: true });
    a();
    expect(marks.of('f1')).toEqual({ drill: true });
    b();
    expect(marks.of('f1')).toBeUndefined();
    marks.hold({ id: 'f2', raw: {} } as unknown as Finding);
    expect(marks.of('f2')).toEqual({ drill: false });
  });
});
