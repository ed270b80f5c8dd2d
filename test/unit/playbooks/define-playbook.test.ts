/**
 * definePlaybook and the one playbook list: buildPlan looks playbooks up by name, a subject of another kind gets
 * no steps, options are validated against the playbook's schema, and step ids, subject kinds and the default
 * playbook of a kind all come from the list.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../../src/actions/define-action.js';
import { NO_PLAYBOOK, defaultPlaybookIn } from '../../../src/contracts/playbook-info.js';
import { PlanError } from '../../../src/errors.js';
import type { Ec2InstanceSubject, Finding, Subject } from '../../../src/findings/model.js';
import { definePlaybook } from '../../../src/playbooks/define-playbook.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { buildPlan, defaultPlaybookFor } from '../../../src/playbooks/registry.js';

const instance: Ec2InstanceSubject = {
  kind: 'ec2-instance',
  id: 'i-0abc',
  accountId: '123456789012',
  region: 'us-east-1',
  tags: [],
  ai: { isAi: false, reasons: [] },
  details: { instanceId: 'i-0abc', networkInterfaces: [] },
};
const accessKey = { ...instance, kind: 'access-key', id: 'AKIAEXAMPLE', details: {} } as unknown as Subject;
const finding = { id: 'f1', type: { raw: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' } } as unknown as Finding;

const tag = defineAction({
  name: 'test.tag',
  effect: 'contain',
  description: 'tags',
  input: z.strictObject({ value: z.string() }),
  permissions: [],
  capture: async () => null,
  apply: async () => null,
  release: async () => null,
  verify: async () => ({ holds: true, detail: '' }),
});

const tiny = definePlaybook({
  name: 'tiny',
  subjectKinds: ['ec2-instance'],
  steps: { 'tag-it': tag },
  options: z.strictObject({ value: z.string().optional() }),
  plan: ({ subject, options, step }) => [step('tag-it', { input: { value: options.value ?? subject.id }, dependsOn: [], description: 'tag it' })],
});

describe('definePlaybook', () => {
  it('derives its step ids and actions from its steps and builds typed plans', () => {
    expect(tiny.stepIds).toEqual(['tag-it']);
    expect(tiny.actions).toEqual([tag]);
    expect(tiny.plan(finding, instance, { value: 'x' })).toEqual({
      playbook: 'tiny',
      incidentKey: '123456789012#us-east-1#ec2-instance#i-0abc',
      steps: [{ id: 'tag-it', action: 'test.tag', input: { value: 'x' }, dependsOn: [], effect: 'contain', reversible: true, description: 'tag it' }],
    });
  });

  it('validates its options: an unknown key or a bad value is a PlanError naming it', () => {
    expect(() => tiny.plan(finding, instance, { valeu: 'x' })).toThrow(PlanError);
    expect(() => tiny.plan(finding, instance, { value: 3 })).toThrow(/playbook tiny: invalid options: value: /);
  });

  it('gives a subject of another kind no steps', () => {
    expect(tiny.plan(finding, accessKey)).toMatchObject({ playbook: NO_PLAYBOOK, steps: [] });
  });
});

describe('the playbook list', () => {
  it('buildPlan looks the playbook up by name and passes it its own options', () => {
    const plan = buildPlan('ec2-instance', finding, instance, { 'ec2-instance': { isolationSettleSeconds: 7 }, other: { x: 1 } });
    expect(plan.playbook).toBe('ec2-instance');
    expect(plan.steps.find((s) => s.id === 'isolate-network')?.input).toMatchObject({ settleSeconds: 7 });
  });

  it('an unknown playbook, or one that does not handle the subject, records only', () => {
    expect(buildPlan('no-such-playbook', finding, instance)).toMatchObject({ playbook: NO_PLAYBOOK, steps: [] });
    expect(buildPlan('ec2-instance', finding, accessKey)).toMatchObject({ playbook: NO_PLAYBOOK, steps: [] });
  });

  it('names each playbook once; the default for a kind is the first that handles it, else none', () => {
    const names = PLAYBOOKS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.at(-1)).toBe(NO_PLAYBOOK);
    expect(defaultPlaybookFor(instance)).toBe('ec2-instance');
    expect(defaultPlaybookFor(accessKey)).toBe(NO_PLAYBOOK);
    expect(defaultPlaybookIn([tiny, ...PLAYBOOKS], 'ec2-instance')).toBe('tiny');
  });
});
