import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PolicyError } from '../../../src/errors.js';
import { BUILT_IN_PROTECTED_PRINCIPALS } from '../../../src/policy/built-in-policy.js';
import { builtInPolicy, loadPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import type { Policy, PolicyIssue } from '../../../src/policy/policy.js';
import { policyToYaml } from '../../../src/policy/policy-to-yaml.js';

/** Parses and returns the PolicyError's issues (fails the test if the text is valid). */
function issuesOf(text: string): readonly PolicyIssue[] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

const BUILT_IN = BUILT_IN_PROTECTED_PRINCIPALS.map((p) => p.pattern);

describe('builtInPolicy', () => {
  it('approves everything, with every guardrail at its default', () => {
    const p = builtInPolicy();
    expect(p.defaults.mode).toBe('approve');
    expect(p.rules).toEqual([]);
    expect(p.guardrails).toEqual({
      exemptTag: { key: 'tourniquet:exempt', value: 'true' },
      protectedPrincipals: BUILT_IN,
      protectedAccounts: [],
      budget: { perAccountPerHour: 5 },
      breaker: { findings: 10, withinMinutes: 15 },
      ignoreSamples: true,
      actOnArchived: false,
    });
    expect(p.guardrails.protectedPrincipals).toEqual(
      expect.arrayContaining([
        'arn:*:iam::*:role/aws-service-role/*',
        'arn:*:iam::*:role/AWSReservedSSO_*',
        'arn:*:iam::*:role/OrganizationAccountAccessRole',
      ]),
    );
    expect(Object.isFrozen(p.guardrails.protectedPrincipals)).toBe(true);
  });
});

describe('parsePolicy: valid files', () => {
  it('fills defaults, keeps rule order and lines, and normalizes single values to lists', () => {
    const p = parsePolicy(
      [
        'version: 1', // 1
        'rules:', // 2
        '  - name: first', // 3
        '    match:', // 4
        '      type: "Backdoor:EC2/"', // 5
        '      severity: { band: high }', // 6
        '  - name: second', // 7
        '    mode: observe', // 8
      ].join('\n'),
      'p.yaml',
    );
    expect(p.source).toBe('p.yaml');
    expect(p.defaults.mode).toBe('approve');
    expect(p.rules.map((r) => [r.name, r.line, r.mode])).toEqual([
      ['first', 3, 'approve'],
      ['second', 7, 'observe'],
    ]);
    expect(p.rules[0]!.match).toEqual({ type: ['Backdoor:EC2/'], severity: { band: ['High'] }, ai: 'any', tags: [], notTags: [] });
    expect(p.guardrails.budget.perAccountPerHour).toBe(5);
  });

  it('adds the file protected principals to the built-in ones (a file cannot drop them)', () => {
    const p = parsePolicy(
      'version: 1\nguardrails:\n  protectedPrincipals: ["arn:aws:iam::*:role/BreakGlass", "arn:*:iam::*:role/AWSReservedSSO_*"]\n',
      'p.yaml',
    );
    expect(p.guardrails.protectedPrincipals).toEqual([...BUILT_IN, 'arn:aws:iam::*:role/BreakGlass']);
  });

  it('turns tags maps into criteria and keeps step overrides', () => {
    const p = parsePolicy(
      [
        'version: 1',
        'rules:',
        '  - name: r',
        '    match: { subject: ec2-instance, tags: { team: "ml-*" }, notTags: { env: "prod*" } }',
        '    playbook: ec2-instance',
        '    steps: { stop-instance: require-approval, nacl-cut: skip }',
      ].join('\n'),
      'p.yaml',
    );
    const r = p.rules[0]!;
    expect(r.match.tags).toEqual([{ key: 'team', value: 'ml-*' }]);
    expect(r.match.notTags).toEqual([{ key: 'env', value: 'prod*' }]);
    expect(r.steps).toEqual({ 'stop-instance': 'require-approval', 'nacl-cut': 'skip' });
    expect(p.warnings).toEqual([]);
  });

  it('round-trips through policy show (policyToYaml)', () => {
    const original = parsePolicy(
      [
        'version: 1',
        'defaults: { mode: observe }',
        'guardrails: { protectedAccounts: ["111122223333"], budget: { perAccountPerHour: 2 }, actOnArchived: true }',
        'rules:',
        '  - name: c2',
        '    description: cut C2',
        '    match:',
        '      type: ["Backdoor:EC2/C&CActivity*", "Trojan:EC2/"]',
        '      severity: { min: 7, max: 10, band: [High, Critical] }',
        '      subject: [ec2-instance]',
        '      ai: true',
        '      tags: { team: "ml-*" }',
        '      notTags: { env: "*" }',
        '      accounts: ["1111*"]',
        '      regions: ["us-*"]',
        '      resourceRole: [ACTOR]',
        '    playbook: ec2-instance',
        '    mode: contain',
        '    steps: { stop-instance: auto-approve }',
      ].join('\n'),
      'p.yaml',
    );
    const again = parsePolicy(policyToYaml(original), 'p.yaml');
    const strip = (p: Policy) => ({ ...p, warnings: [], rules: p.rules.map(({ line: _line, ...r }) => r) });
    expect(strip(again)).toEqual(strip(original));
    expect(parsePolicy(policyToYaml(builtInPolicy()), '<built-in>')).toEqual(builtInPolicy());
  });

  it('freezes the policy so one decision cannot change the next', () => {
    const p = parsePolicy('version: 1\nrules:\n  - name: r\n    match: { type: "Recon:" }\n', 'p.yaml');
    expect(Object.isFrozen(p.rules[0]!.match.type)).toBe(true);
  });
});

describe('parsePolicy: errors carry line numbers', () => {
  it('reports a typo key at its line, with a suggestion', () => {
    const issues = issuesOf(['version: 1', 'guardrails:', '  budget: { perAccountPerHour: 3 }', '  protectedPrincipal: []'].join('\n'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 4, path: 'guardrails.protectedPrincipal' });
    expect(issues[0]!.message).toContain('unknown key "protectedPrincipal" (did you mean "protectedPrincipals"?)');
  });

  it('reports a wrong mode with the value received', () => {
    const issues = issuesOf(['version: 1', 'rules:', '  - name: r', '    mode: contian'].join('\n'));
    expect(issues).toEqual([
      {
        path: 'rules[0].mode',
        line: 4,
        message: 'expected one of "observe", "approve", "contain", received string "contian"',
      },
    ]);
  });

  it('reports bad severities: out of range, wrong type, bad band, min > max', () => {
    const issues = issuesOf(
      [
        'version: 1', // 1
        'rules:', // 2
        '  - name: a', // 3
        '    match:', // 4
        '      severity: { min: 11 }', // 5
        '  - name: b', // 6
        '    match:', // 7
        '      severity:', // 8
        '        min: "high"', // 9
        '        band: [Severe]', // 10
        '  - name: c', // 11
        '    match: { severity: { min: 8, max: 7 } }', // 12
        '  - name: d', // 13
        '    match: { severity: {} }', // 14
      ].join('\n'),
    );
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [5, 'rules[0].match.severity.min'],
      [9, 'rules[1].match.severity.min'],
      [10, 'rules[1].match.severity.band[0]'],
      [12, 'rules[2].match.severity'],
      [14, 'rules[3].match.severity'],
    ]);
    expect(issues[0]!.message).toBe('expected a number from 1 to 10, received number 11');
    expect(issues[1]!.message).toContain('received string "high"');
    expect(issues[3]!.message).toContain('min is greater than max');
    expect(issues[4]!.message).toContain('at least one of min, max, band');
  });

  it('lists every problem at once, sorted by line', () => {
    const issues = issuesOf(
      [
        'version: 2', // 1
        'defaults: { mode: auto }', // 2
        'guardrails:', // 3
        '  ignoreSamples: false', // 4
        '  breaker: { findings: 0, withinMinutes: 15 }', // 5
        'rules:', // 6
        '  - name: x', // 7
        '    match: { subjects: [ec2-instance], ai: yes, accounts: ["12345"] }', // 8
        '    steps: { Stop_Instance: skip, nacl-cut: never }', // 9
        '  - name: x', // 10
        '  - nam: y', // 11
      ].join('\n'),
    );
    expect(issues.map((i) => i.line)).toEqual([...issues.map((i) => i.line)].sort((a, b) => a! - b!));
    expect(issues.map((i) => i.path)).toEqual([
      'version',
      'defaults.mode',
      'guardrails.ignoreSamples',
      'guardrails.breaker.findings',
      expect.stringMatching(/^rules\[0\]\.match\./),
      expect.stringMatching(/^rules\[0\]\.match\./),
      expect.stringMatching(/^rules\[0\]\.match\./),
      expect.stringMatching(/^rules\[0\]\.steps\./),
      expect.stringMatching(/^rules\[0\]\.steps\./),
      'rules[1].name',
      expect.stringMatching(/^rules\[2\]\.nam/),
      expect.stringMatching(/^rules\[2\]\.nam/),
    ]);
    const byPath = new Map(issues.map((i) => [i.path, i]));
    expect(byPath.get('guardrails.ignoreSamples')!.message).toContain('sample findings never mutate');
    expect(byPath.get('rules[0].match.subjects')!.message).toContain('did you mean "subject"');
    expect(byPath.get('rules[0].match.ai')!.message).toBe('expected true, false or "any", received string "yes"');
    expect(byPath.get('rules[0].match.accounts[0]')!.message).toContain('12-digit account id');
    expect(byPath.get('rules[0].steps.Stop_Instance')).toMatchObject({ line: 9 });
    expect(byPath.get('rules[1].name')!.message).toContain('duplicate rule name "x"');
    expect(byPath.get('rules[2].name')!.message).toContain('missing');
  });

  it('reports YAML syntax errors, duplicate keys, empty files and missing version with lines', () => {
    expect(issuesOf('version: 1\nrules:\n  - name: x\n    match: { type: [a }\n')[0]).toMatchObject({ path: '(yaml)', line: 4 });
    const dup = issuesOf('version: 1\ndefaults: { mode: observe }\ndefaults: { mode: contain }\n');
    expect(dup[0]).toMatchObject({ path: '(yaml)', line: 3 });
    expect(dup[0]!.message).toContain('unique');
    expect(issuesOf('')[0]).toMatchObject({ path: '(root)', line: 1 });
    expect(issuesOf('# only a comment\n')[0]!.message).toContain('empty');
    expect(issuesOf('defaults: { mode: observe }\n')[0]).toMatchObject({ path: 'version', message: expect.stringContaining('missing') });
    // Two documents: said in the user's terms (it was the library's advice to call YAML.parseAllDocuments()).
    expect(issuesOf('version: 1\n---\nversion: 1\n')[0]).toEqual({ path: '(yaml)', line: 2, message: 'a second YAML document ("---") starts here: a policy file holds one document' });
    expect(issuesOf('- version: 1\n')[0]!.message).toContain('expected object');
  });

  it('rejects a __proto__ tag key instead of dropping it silently', () => {
    const issues = issuesOf('version: 1\nrules:\n  - name: r\n    match:\n      tags: { __proto__: x }\n');
    expect(issues[0]).toMatchObject({ line: 5, path: 'rules[0].match.tags.__proto__' });
  });

  it('loadPolicy reports an unreadable file as a PolicyError', async () => {
    await expect(loadPolicy('/nonexistent/tourniquet.yaml')).rejects.toMatchObject({
      name: 'PolicyError',
      issues: [{ path: '(file)', message: expect.stringContaining('ENOENT') }],
    });
  });

  it('loadPolicy reads a file and records it as the source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tq-policy-'));
    const file = join(dir, 'tourniquet.yaml');
    await writeFile(file, 'version: 1\ndefaults: { mode: observe }\n');
    const p = await loadPolicy(file);
    expect(p.source).toBe(file);
    expect(p.defaults.mode).toBe('observe');
  });
});

describe('parsePolicy: warnings (valid, but probably not what was meant)', () => {
  const warningsOf = (text: string) => parsePolicy(text, 'p.yaml').warnings;

  it('warns (does not fail) on unknown step ids, at the key line', () => {
    const w = warningsOf(
      ['version: 1', 'rules:', '  - name: r', '    match: { subject: ec2-instance }', '    steps:', '      nacl-cutt: skip'].join('\n'),
    );
    expect(w).toEqual([
      {
        path: 'rules[0].steps.nacl-cutt',
        line: 6,
        message: expect.stringContaining('unknown step id "nacl-cutt" for playbook ec2-instance'),
      },
    ]);
  });

  it('accepts unknown step ids when the caller knows more playbooks', () => {
    const p = parsePolicy(
      'version: 1\nrules:\n  - name: r\n    playbook: iam-user\n    steps: { disable-keys: skip }\n',
      'p.yaml',
      { knownPlaybooks: [{ name: 'iam-user', subjectKinds: ['iam-user'], stepIds: ['disable-keys'], options: z.strictObject({}) }] },
    );
    expect(p.warnings).toEqual([]);
  });

  it('warns on type patterns that match no known finding type (typos)', () => {
    const w = warningsOf('version: 1\nrules:\n  - name: r\n    match:\n      type: ["CryptoCurreny:EC2/*", "CryptoCurrency:EC2", "Backdoor:EC2/C&CActivity.B!DNS"]\n');
    expect(w.map((x) => x.path)).toEqual(['rules[0].match.type[0]', 'rules[0].match.type[1]']);
    expect(w[0]!.line).toBe(5);
  });

  it('warns on auto-approve outside contain, contain without a type, contain with no playbook, unreachable rules', () => {
    const w = warningsOf(
      [
        'version: 1', // 1
        'rules:', // 2
        '  - name: a', // 3
        '    match: { type: "Recon:" }', // 4
        '    steps: { stop-instance: auto-approve }', // 5
        '  - name: b', // 6
        '    match: { subject: ec2-instance }', // 7
        '    mode: contain', // 8
        '  - name: c', // 9
        '    match: { subject: access-key, type: "UnauthorizedAccess:IAMUser/" }', // 10
        '    mode: contain', // 11
        '  - name: everything', // 12
        '  - name: never', // 13
      ].join('\n'),
    );
    expect(w.map((x) => [x.line, x.message.slice(0, 30)])).toEqual([
      [5, 'auto-approve has an effect onl'],
      [8, 'contain without a "type" crite'],
      [11, 'mode contain has no effect her'],
      [13, 'rule "never" is never reached:'],
    ]);
  });

  it('warns when a rule names a playbook that cannot handle its subject kinds', () => {
    const w = warningsOf('version: 1\nrules:\n  - name: r\n    match: { subject: [ec2-instance, access-key] }\n    playbook: ec2-instance\n');
    expect(w[0]!.message).toContain('never applies to access-key');
  });
});
