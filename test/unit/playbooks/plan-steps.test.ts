/**
 * Typed plan steps: the effect and reversibility come from the action, a step may raise the effect but never lower
 * it, and the input is journaled as plain JSON.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../../src/actions/define-action.js';
import { PlanError } from '../../../src/errors.js';
import { stepBuilder } from '../../../src/playbooks/plan-steps.js';

const verify = async () => ({ holds: true, detail: '' });
const fence = defineAction({
  name: 'test.fence',
  effect: 'contain',
  description: 'reversible containment',
  input: z.strictObject({ instanceId: z.string().optional(), seconds: z.number().optional() }),
  permissions: [],
  capture: async () => null,
  apply: async () => null,
  release: async () => null,
  verify,
});
const stop = defineAction({
  name: 'test.stop',
  effect: 'destructive',
  description: 'hard to undo',
  input: z.strictObject({}),
  permissions: [],
  capture: async () => null,
  apply: async () => null,
  verify,
});

const step = stepBuilder('test-playbook', { fence, stop });

describe('typed plan steps', () => {
  it('take the action name, effect and reversibility from the action, and journal the input as JSON', () => {
    const s = step('fence', { input: { instanceId: 'i-1', seconds: undefined }, dependsOn: [], after: ['stop'], description: 'fence it' });
    expect(s).toEqual({ id: 'fence', action: 'test.fence', input: { instanceId: 'i-1' }, dependsOn: [], after: ['stop'], effect: 'contain', reversible: true, description: 'fence it' });
    expect(step('stop', { input: {}, dependsOn: ['fence'], requiresSuccessOf: ['fence'], description: 'stop it' })).toMatchObject({ effect: 'destructive', reversible: false, requiresSuccessOf: ['fence'] });
  });

  it('may raise the effect (a contain action that must wait like a destructive one)', () => {
    expect(step('fence', { input: {}, dependsOn: [], effect: 'destructive', description: 'fence, but only with approval' }).effect).toBe('destructive');
  });

  it('may never lower it: a destructive action labelled contain is a PlanError', () => {
    expect(() => step('stop', { input: {}, dependsOn: [], effect: 'contain', description: 'sneaky' })).toThrow(PlanError);
    expect(() => step('stop', { input: {}, dependsOn: [], effect: 'contain', description: 'sneaky' })).toThrow(
      /playbook test-playbook: step stop declares effect contain, lower than its action test\.stop \(destructive\)/,
    );
    expect(() => step('fence', { input: {}, dependsOn: [], effect: 'read', description: 'sneaky' })).toThrow(PlanError);
  });

  it('refuses a step id the playbook did not declare (from untyped code)', () => {
    const untyped = step as unknown as (id: string, spec: object) => unknown;
    expect(() => untyped('nope', { input: {}, dependsOn: [], description: '' })).toThrow(/step "nope" is not one of its declared steps/);
    expect(() => untyped('toString', { input: {}, dependsOn: [], description: '' })).toThrow(PlanError);
  });
});
