import { describe, expect, it } from 'vitest';
import { gateStep } from '../../../src/engine/step-gate.js';
import type { EffectClass, PlanStep } from '../../../src/contracts/plan.js';

const step = (effect: EffectClass): PlanStep => ({ id: 's', action: 'a', input: {}, dependsOn: [], effect, reversible: true, description: '' });

describe('gateStep (modes contract)', () => {
  it('observe holds every step, whatever its effect', () => {
    for (const e of ['read', 'evidence', 'contain', 'notify', 'destructive'] as const) {
      expect(gateStep(step(e), 'observe', undefined, false).kind).toBe('hold');
      expect(gateStep(step(e), 'observe', 'auto-approve', true).kind).toBe('hold');
    }
  });
  it('approve runs reads and evidence; contain and destructive wait', () => {
    expect(gateStep(step('read'), 'approve', undefined, false).kind).toBe('run');
    expect(gateStep(step('evidence'), 'approve', undefined, false).kind).toBe('run');
    expect(gateStep(step('contain'), 'approve', undefined, false).kind).toBe('wait-approval');
    expect(gateStep(step('destructive'), 'approve', 'auto-approve', false).kind).toBe('wait-approval');
    expect(gateStep(step('contain'), 'approve', undefined, true).kind).toBe('run');
  });
  it('contain runs contain steps; destructive waits unless auto-approved', () => {
    expect(gateStep(step('contain'), 'contain', undefined, false).kind).toBe('run');
    expect(gateStep(step('contain'), 'contain', 'require-approval', false).kind).toBe('wait-approval');
    expect(gateStep(step('destructive'), 'contain', undefined, false).kind).toBe('wait-approval');
    expect(gateStep(step('destructive'), 'contain', 'auto-approve', false).kind).toBe('run');
  });
  it('skip overrides everything', () => {
    expect(gateStep(step('read'), 'contain', 'skip', true).kind).toBe('skip');
  });
});
