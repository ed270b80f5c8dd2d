import { describe, expect, it } from 'vitest';
import { buildDecision, decide } from '../../../src/policy/decision.js';
import { evaluateGuardrails } from '../../../src/policy/guardrails.js';
import { builtInPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import { selectRule } from '../../../src/policy/match-rule.js';
import { ec2Subject, finding, otherSubject, tags } from './fixtures.js';

describe('Decision', () => {
  const policy = parsePolicy(
    [
      'version: 1',
      'rules:',
      '  - name: mining',
      '    match: { type: "CryptoCurrency:" }',
      '    mode: contain',
      '    steps: { stop-instance: auto-approve, nacl-cut: skip }',
    ].join('\n'),
    'p.yaml',
  );

  it('keeps auto-approve only while the effective mode is contain', () => {
    const s = ec2Subject();
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: s });
    const selection = selectRule(policy, f, s);
    const ok = buildDecision(policy, selection, evaluateGuardrails({ finding: f, subject: s, selection, policy, responderPrincipalArns: [], budget: { used: 0 }, breakerHits: 1 }));
    expect(ok.stepOverrides).toEqual({ 'stop-instance': 'auto-approve', 'nacl-cut': 'skip' });

    const fallback = buildDecision(
      policy,
      selection,
      evaluateGuardrails({ finding: f, subject: s, selection, policy, responderPrincipalArns: [], budget: { used: 5 }, breakerHits: 1 }),
    );
    expect(fallback.effectiveMode).toBe('approve');
    expect(fallback.stepOverrides).toEqual({ 'nacl-cut': 'skip' });
    expect(fallback.notify).toBe(true);
    expect(fallback.why).toContain('auto-approve ignored for stop-instance: effective mode is approve');
    expect(fallback.why.at(-1)).toBe('effective mode approve, lowered from contain (decided by guardrail:budget)');
  });

  it('is JSON-serializable (the engine journals it) and explains itself', () => {
    const s = ec2Subject({ tags: tags({ 'tourniquet:exempt': 'true' }) });
    const d = decide({ policy, finding: finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: s }), subject: s, responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.effectiveMode).toBe('observe');
    expect(d.countsPending).toBeUndefined();
    expect(d.why).toEqual([
      'rule "mining" (line 3): matched: type "CryptoCurrency:EC2/BitcoinTool.B" matches "CryptoCurrency:"',
      '→ playbook ec2-instance, mode contain',
      'guardrail exempt-tag (block): subject carries the exemption tag tourniquet:exempt="true"',
      'auto-approve ignored for stop-instance: effective mode is observe',
      'effective mode observe, lowered from contain (decided by guardrail:exempt-tag)',
    ]);
  });

  it('marks a contain decision without counts as pending', () => {
    const s = ec2Subject();
    const d = decide({ policy, finding: finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: s }), subject: s, responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    expect(d.countsPending).toBe(true);
  });

  it('non-EC2 subjects get the none playbook from the defaults', () => {
    const key = otherSubject('access-key');
    const d = decide({ policy: builtInPolicy(), finding: finding('UnauthorizedAccess:IAMUser/TorIPCaller', { subject: key }), subject: key, responderPrincipalArns: [], budget: undefined, breakerHits: undefined });
    expect(d).toMatchObject({ playbook: 'none', requestedMode: 'approve', effectiveMode: 'approve', decidedBy: 'defaults', policySource: '<built-in>' });
    expect(d.rule).toBeUndefined();
  });
});
