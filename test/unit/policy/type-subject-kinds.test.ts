import { describe, expect, it } from 'vitest';
import { SUBJECT_KINDS } from '../../../src/findings/subject-kinds.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { subjectKindsOfTypes } from '../../../src/policy/type-subject-kinds.js';

describe('subject kinds of a rule\'s type patterns', () => {
  it('an EC2 type yields the instance and scanned artefacts only; open or unknown segments yield every kind', () => {
    expect(subjectKindsOfTypes(['CryptoCurrency:EC2/'])).toEqual(['ec2-instance', 'ebs-snapshot', 'ec2-image', 'recovery-point']);
    expect(subjectKindsOfTypes(['Impact:Runtime/CryptoMinerExecuted'])).toContain('ecs-task');
    expect(subjectKindsOfTypes(['CryptoCurrency:*/x'])).toEqual(SUBJECT_KINDS);
    expect(subjectKindsOfTypes(['AttackSequence:EC2/CompromisedInstanceGroup'])).toContain('ec2-instance');
    expect(subjectKindsOfTypes(['Custom:SES/x'])).toEqual(SUBJECT_KINDS);
  });

  it('a type-only rule with options resolves to its one playbook; one that may reach two playbooks must name it', () => {
    const rule = (type: string) => `version: 1\nrules:\n  - name: r\n    match: { type: ["${type}"] }\n    options: { isolationSettleSeconds: 1 }\n`;
    expect(parsePolicy(rule('CryptoCurrency:EC2/'), 'p.yaml').rules[0]!.options?.playbook).toBe('ec2-instance');
    expect(() => parsePolicy(rule('Impact:Runtime/'), 'p.yaml')).toThrow(/this rule can run ec2-instance, iam-user, iam-role-session, ecs-task: name it with "playbook:"/);
  });
});
