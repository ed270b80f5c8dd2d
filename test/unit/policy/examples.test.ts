import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/policy/decision.js';
import { builtInPolicy, loadPolicy } from '../../../src/policy/load-policy.js';
import { selectRule } from '../../../src/policy/match-rule.js';
import { defaultPlaybookIn } from '../../../src/contracts/playbook-info.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { ec2Subject, finding, otherSubject } from './fixtures.js';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
const RESPONDER = ['arn:aws:sts::123456789012:assumed-role/TourniquetResponder/s'];

describe('bundled examples', () => {
  it('examples/tourniquet.yaml loads without warnings and routes the AI-critical cases to contain', async () => {
    const policy = await loadPolicy(example('tourniquet.yaml'));
    expect(policy.warnings).toEqual([]);
    expect(policy.defaults.mode).toBe('approve');

    const gpu = ec2Subject();
    const mining = decide({
      policy,
      finding: finding('CryptoCurrency:EC2/BitcoinTool.B!DNS', { severity: 8, subject: gpu }),
      subject: gpu,
      responderPrincipalArns: RESPONDER,
      budget: { used: 0 },
      breakerHits: 1,
    });
    expect(mining).toMatchObject({
      rule: 'ai-gpu-cryptomining',
      playbook: 'ec2-instance',
      requestedMode: 'contain',
      effectiveMode: 'contain',
      stepOverrides: { 'stop-instance': 'require-approval', 'nacl-cut': 'skip' },
      decidedBy: 'rule:ai-gpu-cryptomining',
      notify: false,
      policySource: example('tourniquet.yaml'),
    });

    const c2 = selectRule(policy, finding('Backdoor:EC2/C&CActivity.B!DNS', { subject: gpu }), gpu);
    expect([c2.rule?.name, c2.mode]).toEqual(['ai-command-and-control', 'contain']);

    // Not an AI instance → falls through to approve.
    const web = ec2Subject({ ai: false });
    expect(selectRule(policy, finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: web }), web).mode).toBe('approve');
    // Sandbox account → observe, even for mining.
    const sandbox = ec2Subject({ accountId: '444455556666' });
    expect(selectRule(policy, finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: sandbox }), sandbox).rule?.name).toBe('sandbox-accounts');
    // Inbound brute force against the instance → observe.
    const victim = ec2Subject({ role: 'TARGET' });
    expect(selectRule(policy, finding('UnauthorizedAccess:EC2/SSHBruteForce', { severity: 2, subject: victim }), victim).mode).toBe('observe');
  });

  it('examples/tourniquet.yaml contains AI principals at severity ≥ 5 and asks for approval below', async () => {
    const policy = await loadPolicy(example('tourniquet.yaml'));
    const aiReason = { isAi: true, reasons: [{ code: 'ai-protection-type' as const, detail: 'finding type Impact:IAMUser/AnomalousModelInvocation' }] };
    const user = otherSubject('iam-user', { id: 'ci-deploy-user', ai: aiReason });
    const session = otherSubject('iam-role-session', { id: 'gpu-role/i-0abc', ai: aiReason });
    for (const subject of [user, session]) {
      const high = selectRule(policy, finding('Impact:IAMUser/AnomalousModelInvocation', { severity: 5, subject }), subject);
      expect([high.rule?.name, high.mode, high.playbook]).toEqual(['ai-identity-contain', 'contain', defaultPlaybookIn(PLAYBOOKS, subject.kind)]);
      expect(high.playbook).not.toBe('none');
      const low = selectRule(policy, finding('Impact:IAMUser/CostHarvesting', { severity: 2, subject }), subject);
      expect([low.rule?.name, low.mode]).toEqual(['ai-identity-approve', 'approve']);
    }
    // Not AI (no AI reason) → not these rules; the access key subject is not matched either.
    const plain = otherSubject('iam-user', { id: 'someone' });
    expect(selectRule(policy, finding('DefenseEvasion:IAMUser/BedrockLoggingDisabled', { severity: 6, subject: plain }), plain).rule).toBeUndefined();
    const key = otherSubject('access-key', { ai: aiReason });
    expect(selectRule(policy, finding('Impact:IAMUser/AnomalousModelInvocation', { severity: 8, subject: key }), key).rule).toBeUndefined();
  });

  it('examples/tourniquet.observe.yaml observes everything', async () => {
    const policy = await loadPolicy(example('tourniquet.observe.yaml'));
    expect(policy.warnings).toEqual([]);
    expect(policy.rules).toEqual([]);
    const s = ec2Subject();
    expect(selectRule(policy, finding('CryptoCurrency:EC2/BitcoinTool.B', { subject: s }), s).mode).toBe('observe');
    expect(policy.guardrails).toEqual(builtInPolicy().guardrails);
  });
});
