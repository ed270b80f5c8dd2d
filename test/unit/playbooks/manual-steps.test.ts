/**
 * A playbook's manual steps: `manualSteps()` gets the plan's arguments and steps, its result is journaled with the
 * plan (absent when empty, so plans without any are unchanged), and a duplicate id is a PlanError.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../../src/actions/define-action.js';
import { PlanError } from '../../../src/errors.js';
import type { Ec2InstanceSubject, Finding } from '../../../src/findings/model.js';
import { definePlaybook } from '../../../src/playbooks/define-playbook.js';

const instance: Ec2InstanceSubject = {
  kind: 'ec2-instance',
  id: 'i-0abc',
  accountId: '123456789012',
  region: 'us-east-1',
  tags: [],
  ai: { isAi: false, reasons: [] },
  details: { instanceId: 'i-0abc', networkInterfaces: [] },
};
const finding = { id: 'f1', type: { raw: 'Backdoor:EC2/C&CActivity.B' } } as unknown as Finding;

const tag = defineAction({
  name: 'test.manual-tag',
  effect: 'contain',
  description: 'tags',
  input: z.strictObject({ value: z.string() }),
  permissions: [],
  capture: async () => null,
  apply: async () => null,
  release: async () => null,
  verify: async () => ({ holds: true, detail: '' }),
});

const withManual = definePlaybook({
  name: 'with-manual',
  subjectKinds: ['ec2-instance'],
  steps: { 'tag-it': tag },
  options: z.strictObject({ skipTag: z.boolean().optional() }),
  plan: ({ subject, options, step }) => (options.skipTag ? [] : [step('tag-it', { input: { value: subject.id }, dependsOn: [], description: 'tag it' })]),
  manualSteps: ({ subject, steps }) => [
    { id: 'inspect', title: `Log in to ${subject.id} and look`, why: steps.length === 0 ? 'nothing was tagged' : 'the tag is not enough', commands: [`aws ec2 describe-instances --instance-ids ${subject.id}`] },
  ],
});

describe('definePlaybook manualSteps', () => {
  it('puts what manualSteps() returns on the plan, after the steps it saw', () => {
    expect(withManual.plan(finding, instance, {})).toEqual({
      playbook: 'with-manual',
      incidentKey: '123456789012#us-east-1#ec2-instance#i-0abc',
      steps: [expect.objectContaining({ id: 'tag-it' })],
      manualSteps: [{ id: 'inspect', title: 'Log in to i-0abc and look', why: 'the tag is not enough', commands: ['aws ec2 describe-instances --instance-ids i-0abc'] }],
    });
    expect(withManual.plan(finding, instance, { skipTag: true }).manualSteps![0]!.why).toBe('nothing was tagged');
  });

  it('leaves the key out when a playbook has none (plans journaled before stay equal)', () => {
    const none = definePlaybook({ name: 'no-manual', subjectKinds: ['ec2-instance'], steps: {}, options: z.strictObject({}), plan: () => [], manualSteps: () => [] });
    expect(Object.keys(none.plan(finding, instance))).toEqual(['playbook', 'incidentKey', 'steps']);
  });

  it('refuses a manual step id listed twice', () => {
    const twice = definePlaybook({
      name: 'twice',
      subjectKinds: ['ec2-instance'],
      steps: {},
      options: z.strictObject({}),
      plan: () => [],
      manualSteps: () => [
        { id: 'a', title: 'x', why: 'y' },
        { id: 'a', title: 'z', why: 'w' },
      ],
    });
    expect(() => twice.plan(finding, instance)).toThrow(PlanError);
    expect(() => twice.plan(finding, instance)).toThrow('manual step "a" is listed twice');
  });
});
