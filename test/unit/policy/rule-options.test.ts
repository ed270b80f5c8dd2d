/**
 * A rule's `options:`: checked against the options schema of the playbook the rule runs, errors with the file's
 * lines; carried by the decision; applied over the responder's own options when the plan is built.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { buildPlan } from '../../../src/playbooks/registry.js';
import { decide } from '../../../src/policy/decision.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import type { PolicyIssue } from '../../../src/policy/policy.js';
import { policyToYaml } from '../../../src/policy/policy-to-yaml.js';
import { ec2Subject, finding, otherSubject } from './fixtures.js';

function issuesOf(text: string): readonly PolicyIssue[] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

const rule = (options: string[], match = '{ subject: [ec2-instance] }', extra: string[] = []) =>
  ['version: 1', 'rules:', '  - name: r', `    match: ${match}`, ...extra, '    options:', ...options.map((o) => `      ${o}`), ''].join('\n');

describe('rule options in the policy file', () => {
  it('are parsed with the playbook they are for, printed by policy show, and read back the same', () => {
    const p = parsePolicy(rule(['isolationSettleSeconds: 5', 'autoScalingMethod: detach']), 'p.yaml');
    expect(p.rules[0]!.options).toEqual({ playbook: 'ec2-instance', values: { isolationSettleSeconds: 5, autoScalingMethod: 'detach' } });
    expect(p.warnings).toEqual([]);
    const again = parsePolicy(policyToYaml(p), 'shown.yaml');
    expect(again.rules[0]!.options).toEqual(p.rules[0]!.options);
  });

  it('a misspelled key is an error on its line, naming the allowed keys (and the closest one)', () => {
    const issues = issuesOf(rule(['isolationSettleSecs: 5'])); // line 6
    expect(issues).toEqual([
      {
        path: 'rules[0].options',
        line: 6,
        message: 'unknown key "isolationSettleSecs" (did you mean "isolationSettleSeconds"?); allowed: isolationSettleSeconds, replacementProfileArn, autoScalingMethod, blocklist',
      },
    ]);
  });

  it('a bad value is an error on its line with the value received; every problem is reported at once', () => {
    const issues = issuesOf(
      rule(['isolationSettleSeconds: 9000', 'replacementProfileArn: arn:aws:iam::123456789012:role/forensics', 'blocklist: { bucket: lists, key: k, detectorId: d1, threatIntelSetId: s1, acountId: "1" }']),
    );
    expect(issues).toEqual([
      { path: 'rules[0].options.isolationSettleSeconds', line: 6, message: 'expected a number of seconds from 0 to 600, received number 9000' },
      { path: 'rules[0].options.replacementProfileArn', line: 7, message: 'expected an instance-profile ARN, received string "arn:aws:iam::123456789012:role/forensics"' },
      { path: 'rules[0].options.blocklist', line: 8, message: expect.stringMatching(/^unknown key "acountId" \(did you mean "accountId"\?\); allowed: bucket, key, detectorId, threatIntelSetId, accountId, region$/) },
    ]);
  });

  it('are checked against the playbook the rule runs: named, or the one its subject kinds default to', () => {
    // No subject criterion: the kinds its types can produce decide (an EC2 type: instances and scanned artefacts),
    // so the options are ec2-instance's (src/policy/type-subject-kinds.ts); an open type would need the playbook named.
    expect(parsePolicy(rule(['isolationSettleSeconds: 1'], '{ type: "CryptoCurrency:EC2/" }'), 'p.yaml').rules[0]!.options?.playbook).toBe('ec2-instance');
    expect(parsePolicy(rule(['isolationSettleSeconds: 1'], '{ subject: [ec2-instance] }', ['    playbook: ec2-instance']), 'p.yaml').rules[0]!.options?.playbook).toBe('ec2-instance');
    // Kinds without a playbook of their own: none, which takes no options.
    expect(issuesOf(rule(['isolationSettleSeconds: 1'], '{ subject: [access-key] }'))).toEqual([
      { path: 'rules[0].options', line: 5, message: "the rule's playbook is none (record and notify only), which takes no options" },
    ]);
  });

  it('of an unknown playbook are not checked: the playbook itself is an error (a typo would leave the rule recording only)', () => {
    expect(issuesOf(rule(['anything: 1'], '{ subject: [iam-user] }', ['    playbook: iam-usr']))).toEqual([
      { path: 'rules[0].playbook', line: 5, message: expect.stringMatching(/^unknown playbook "iam-usr" \(did you mean "iam-user"\?\); known: ec2-instance, /) },
    ]);
  });

  it('must be a mapping', () => {
    expect(issuesOf('version: 1\nrules:\n  - name: r\n    options: [1]\n')[0]).toMatchObject({ path: 'rules[0].options', line: 4 });
  });
});

describe('rule options at decision and plan time', () => {
  const policy = parsePolicy(rule(['isolationSettleSeconds: 5'], '{ type: "CryptoCurrency:EC2/", subject: [ec2-instance] }', ['    mode: contain']), 'p.yaml');
  const f = finding('CryptoCurrency:EC2/BitcoinTool.B!DNS');

  it('the decision carries them for the playbook they were checked against, and only for it', () => {
    const forInstance = decide({ policy, finding: f, subject: ec2Subject(), responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    expect(forInstance.playbookOptions).toEqual({ isolationSettleSeconds: 5 });
    const forKey = decide({ policy, finding: f, subject: otherSubject('access-key'), responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    expect(forKey.playbook).toBe('none');
    expect(forKey.playbookOptions).toBeUndefined();
  });

  it('override the responder options key by key when the plan is built', () => {
    const subject = ec2Subject();
    const decision = decide({ policy, finding: f, subject, responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    const responder = { 'ec2-instance': { isolationSettleSeconds: 3, replacementProfileArn: 'arn:aws:iam::123456789012:instance-profile/forensics' } };
    const plan = buildPlan(decision.playbook, f, subject, responder, decision.playbookOptions);
    const input = (id: string) => plan.steps.find((s) => s.id === id)?.input;
    expect(input('isolate-network')).toMatchObject({ settleSeconds: 5 });
    expect(input('replace-instance-profile')).toMatchObject({ replacementProfileArn: 'arn:aws:iam::123456789012:instance-profile/forensics' });
    // Without the rule's, the responder's apply.
    expect(buildPlan(decision.playbook, f, subject, responder).steps.find((s) => s.id === 'isolate-network')?.input).toMatchObject({ settleSeconds: 3 });
  });
});
