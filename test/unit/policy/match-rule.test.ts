import { describe, expect, it } from 'vitest';
import { builtInPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import { evaluateRule, selectRule } from '../../../src/policy/match-rule.js';
import { ec2Subject, finding, otherSubject, tags } from './fixtures.js';

const policy = parsePolicy(
  [
    'version: 1', // 1
    'rules:', // 2
    '  - name: sandbox', // 3
    '    match: { accounts: ["444455556666"] }', // 4
    '    mode: observe', // 5
    '  - name: mining', // 6
    '    match:', // 7
    '      type: ["CryptoCurrency:EC2/*", "Impact:EC2/BitcoinDomainRequest.Reputation"]', // 8
    '      severity: { min: 7 }', // 9
    '      subject: [ec2-instance]', // 10
    '      ai: true', // 11
    '    playbook: ec2-instance', // 12
    '    mode: contain', // 13
    '    steps: { stop-instance: require-approval, nacl-cut: skip }', // 14
    '  - name: c2', // 15
    '    match: { type: "Backdoor:EC2/C&CActivity.B!DNS" }', // 16
    '    mode: contain', // 17
    '  - name: any-backdoor', // 18
    '    match: { type: "Backdoor:" }', // 19
    '    mode: approve', // 20
  ].join('\n'),
  'p.yaml',
);

describe('selectRule', () => {
  it('selects the first matching rule, with its playbook, mode and step overrides', () => {
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B!DNS', { severity: 8 });
    const s = selectRule(policy, f, f.subjects[0]!);
    expect(s.rule?.name).toBe('mining');
    expect(s.playbook).toBe('ec2-instance');
    expect(s.mode).toBe('contain');
    expect(s.stepOverrides).toEqual({ 'stop-instance': 'require-approval', 'nacl-cut': 'skip' });
    expect(s.why[0]).toBe('rule "sandbox" (line 3): no match: account 123456789012 matches none of "444455556666"');
    expect(s.why[1]).toContain('rule "mining" (line 6): matched: subject kind ec2-instance; type "CryptoCurrency:EC2/BitcoinTool.B!DNS" matches "CryptoCurrency:EC2/*"; severity 8 ≥ 7; AI workload (accelerator-instance');
    expect(s.why[2]).toBe('→ playbook ec2-instance, mode contain (first match wins; 2 later rule(s) not evaluated)');
  });

  it('first match wins even when a later rule also matches', () => {
    const f = finding('Backdoor:EC2/C&CActivity.B!DNS');
    const s = selectRule(policy, f, f.subjects[0]!);
    expect(s.rule?.name).toBe('c2');
    expect(s.mode).toBe('contain');
    const g = finding('Backdoor:EC2/C&CActivity.B');
    expect(selectRule(policy, g, g.subjects[0]!).rule?.name).toBe('any-backdoor');
  });

  it('an earlier rule shadows later ones: the sandbox account observes everything', () => {
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: ec2Subject({ accountId: '444455556666' }) });
    const s = selectRule(policy, f, f.subjects[0]!);
    expect(s.rule?.name).toBe('sandbox');
    expect(s.mode).toBe('observe');
  });

  it('explains every failing criterion of the rules that did not fire', () => {
    const subject = ec2Subject({ ai: false });
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { severity: 5, subject });
    const s = selectRule(policy, f, subject);
    expect(s.rule).toBeUndefined();
    expect(s.why[1]).toBe(
      'rule "mining" (line 6): no match: severity 5 is below min 7; subject is not an AI workload (rule requires ai: true)',
    );
    expect(s.why[2]).toContain('rule "c2" (line 15): no match: type "CryptoCurrency:EC2/BitcoinTool.B" matches none of "Backdoor:EC2/C&CActivity.B!DNS"');
    expect(s.why.at(-1)).toBe('no rule matched → defaults: mode approve, playbook ec2-instance for subject kind ec2-instance');
  });

  it('no rule: defaults.mode, and the playbook by subject kind (none for kinds without one)', () => {
    const key = otherSubject('access-key');
    const f = finding('UnauthorizedAccess:IAMUser/TorIPCaller', { subject: key });
    const s = selectRule(builtInPolicy(), f, key);
    expect(s).toEqual({
      playbook: 'none',
      mode: 'approve',
      stepOverrides: {},
      why: ['no rules → defaults: mode approve, playbook none (no playbook for subject kind access-key yet: record and notify only)'],
    });
  });

  it('a rule whose playbook cannot handle the subject kind does not match it', () => {
    const key = otherSubject('access-key');
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: key });
    const p = parsePolicy('version: 1\nrules:\n  - name: r\n    playbook: ec2-instance\n    mode: contain\n    match: { type: "CryptoCurrency:" }\n', 'p.yaml');
    const s = selectRule(p, f, key);
    expect(s.rule).toBeUndefined();
    expect(s.why[0]).toContain('playbook ec2-instance does not handle subject kind access-key');
  });
});

describe('evaluateRule criteria', () => {
  const rule = (match: string) =>
    parsePolicy(`version: 1\nrules:\n  - name: r\n    match: ${match}\n`, 'p.yaml').rules[0]!;

  it('severity band and max', () => {
    const r = rule('{ severity: { band: [High, Critical], max: 9.5 } }');
    const at = (sev: number) => finding('Recon:EC2/Portscan', { severity: sev });
    expect(evaluateRule(r, at(8), at(8).subjects[0]!).matched).toBe(true);
    expect(evaluateRule(r, at(9.5), at(9.5).subjects[0]!).matched).toBe(true);
    expect(evaluateRule(r, at(9.8), at(9.8).subjects[0]!).reasons).toEqual(['severity 9.8 is above max 9.5']);
    expect(evaluateRule(r, at(5), at(5).subjects[0]!).reasons).toEqual(['severity band Medium is not one of High, Critical']);
  });

  it('ai: false only matches non-AI subjects', () => {
    const r = rule('{ ai: false }');
    const f = finding('Recon:EC2/Portscan');
    expect(evaluateRule(r, f, ec2Subject({ ai: false })).matched).toBe(true);
    expect(evaluateRule(r, f, ec2Subject()).reasons[0]).toContain('subject is an AI workload (accelerator-instance');
  });

  it('tags: present with a matching value; notTags: excluded values or absent keys', () => {
    const r = rule('{ tags: { team: "ml-*" }, notTags: { env: "prod*" } }');
    const f = finding('Recon:EC2/Portscan');
    expect(evaluateRule(r, f, ec2Subject({ tags: tags({ team: 'ml-vision', env: 'dev' }) })).matched).toBe(true);
    expect(evaluateRule(r, f, ec2Subject({ tags: tags({ team: 'web' }) })).reasons).toEqual(['tag "team"="web" does not match "ml-*"']);
    expect(evaluateRule(r, f, ec2Subject({ tags: [] })).reasons).toEqual(['tag "team" is absent']);
    expect(evaluateRule(r, f, ec2Subject({ tags: tags({ team: 'ml-a', env: 'production' }) })).reasons).toEqual([
      'tag "env"="production" matches excluded "prod*"',
    ]);
    const absent = rule('{ notTags: { owner: "*" } }');
    expect(evaluateRule(absent, f, ec2Subject({ tags: tags({ owner: '' }) })).matched).toBe(false);
    expect(evaluateRule(absent, f, ec2Subject({ tags: [] })).matched).toBe(true);
  });

  it('accounts and regions are globs; resourceRole defaults to TARGET', () => {
    const r = rule('{ accounts: ["1234*"], regions: ["us-*", "eu-west-1"], resourceRole: [ACTOR] }');
    const f = finding('Recon:EC2/Portscan');
    expect(evaluateRule(r, f, ec2Subject({ role: 'ACTOR' })).matched).toBe(true);
    expect(evaluateRule(r, f, ec2Subject()).reasons).toEqual(['resource role "TARGET" is not one of ACTOR']);
    expect(evaluateRule(r, f, ec2Subject({ role: 'ACTOR', region: 'ap-south-1', accountId: '999999999999' })).reasons).toEqual([
      'account 999999999999 matches none of "1234*"',
      'region "ap-south-1" matches none of "us-*", "eu-west-1"',
    ]);
  });

  it('quotes attacker-controlled values instead of printing them raw', () => {
    const r = rule('{ tags: { team: "ml" } }');
    const f = finding('Recon:EC2/Portscan');
    const reasons = evaluateRule(r, f, ec2Subject({ tags: tags({ team: 'x"\n; rm -rf /' }) })).reasons;
    expect(reasons[0]).toBe('tag "team"="x\\"\\n; rm -rf /" does not match "ml"');
  });
});
