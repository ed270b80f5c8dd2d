import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { admitFinding, aiFindingTypes, findingIntake } from '../../../src/policy/finding-intake.js';
import { builtInPolicy, loadPolicy, parsePolicy } from '../../../src/policy/load-policy.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/tourniquet.yaml', import.meta.url));
const admitted = (intake: ReturnType<typeof findingIntake>, type: string, severity: number): boolean => admitFinding(intake, { type, severity }).admitted;

describe('finding intake (the findings rule and the Lambda share it)', () => {
  it('admits every AI Protection type at Low severity, and the Bedrock/SageMaker types of the catalogue', () => {
    const intake = findingIntake(builtInPolicy(), { severityThreshold: 4 });
    for (const type of ['Impact:IAMUser/AnomalousModelInvocation', 'Impact:IAMUser/CostHarvesting', 'Impact:IAMUser/PromptInjection.Direct']) {
      expect(admitted(intake, type, 2)).toBe(true);
    }
    expect(aiFindingTypes()).toEqual(expect.arrayContaining(['DefenseEvasion:IAMUser/BedrockLoggingDisabled', 'Execution:SageMaker/CommandAndScriptingInterpreter']));
    expect(admitted(intake, 'DefenseEvasion:IAMUser/BedrockLoggingDisabled', 1)).toBe(true);
  });

  it('drops an ordinary Low finding and passes an ordinary one at or above the threshold', () => {
    const intake = findingIntake(builtInPolicy(), { severityThreshold: 4 });
    expect(admitFinding(intake, { type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2 })).toEqual({
      admitted: false,
      why: 'severity 2 below threshold 4 and type Recon:EC2/PortProbeUnprotectedPort not routed below it',
    });
    expect(admitted(intake, 'Recon:EC2/PortProbeUnprotectedPort', 3.99)).toBe(false);
    expect(admitted(intake, 'Recon:EC2/PortProbeUnprotectedPort', 4)).toBe(true);
    expect(admitted(intake, 'CryptoCurrency:EC2/BitcoinTool.B!DNS', 8)).toBe(true);
  });

  it('admits the types an acting policy rule routes, at any severity or down to the rule floor', () => {
    const policy = parsePolicy(
      [
        'version: 1',
        'rules:',
        '  - name: mining',
        '    match: { type: ["CryptoCurrency:EC2/"], subject: [ec2-instance] }',
        '    mode: contain',
        '  - name: c2-medium-up',
        '    match: { type: ["Backdoor:EC2/C&CActivity*"], severity: { band: [Low, High] } }',
        '    mode: approve',
        '  - name: noise',
        '    match: { type: ["UnauthorizedAccess:EC2/SSHBruteForce"] }',
        '    mode: observe',
        '  - name: high-only',
        '    match: { type: ["Trojan:EC2/*"], severity: { min: 7 } }',
        '    mode: contain',
        '  - name: keys',
        '    match: { type: ["Stealth:IAMUser/*"], subject: [access-key] }',
        '    mode: contain',
      ].join('\n'),
      'intake.yaml',
    );
    const intake = findingIntake(policy, { severityThreshold: 4 });
    expect(admitted(intake, 'CryptoCurrency:EC2/BitcoinTool.B', 1)).toBe(true);
    expect(admitFinding(intake, { type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 1 }).why).toBe('routed by policy rule(s) mining');
    // The band floor is the lowest band's (Low = 1).
    expect(admitted(intake, 'Backdoor:EC2/C&CActivity.B!DNS', 1)).toBe(true);
    // Observe-only rules add nothing; a rule whose floor is above the threshold adds nothing.
    expect(admitted(intake, 'UnauthorizedAccess:EC2/SSHBruteForce', 2)).toBe(false);
    expect(admitted(intake, 'Trojan:EC2/DGADomainRequest.B', 3)).toBe(false);
    // A rule whose subject kinds have no playbook (`none`) routes nothing yet.
    expect(intake.branches.some((b) => b.types.includes('Stealth:IAMUser/*'))).toBe(false);
  });

  it('a rule floor below the threshold admits from that floor only', () => {
    const policy = parsePolicy(
      'version: 1\nrules:\n  - name: c2\n    match: { type: ["Backdoor:EC2/"], severity: { min: 5 } }\n    mode: contain\n',
      'floor.yaml',
    );
    const intake = findingIntake(policy, { severityThreshold: 7 });
    expect(admitted(intake, 'Backdoor:EC2/Spambot', 5)).toBe(true);
    expect(admitted(intake, 'Backdoor:EC2/Spambot', 4.9)).toBe(false);
    expect(intake.branches.at(-1)).toEqual({ types: ['Backdoor:EC2/'], minSeverity: 5, why: 'routed by policy rule(s) c2' });
  });

  it('type prefixes restrict everything, AI types included', () => {
    const intake = findingIntake(builtInPolicy(), { severityThreshold: 4, findingTypePrefixes: ['CryptoCurrency:'] });
    expect(admitted(intake, 'Impact:IAMUser/AnomalousModelInvocation', 9)).toBe(false);
    expect(admitted(intake, 'CryptoCurrency:EC2/BitcoinTool.B', 5)).toBe(true);
    expect(admitted(intake, 'CryptoCurrency:EC2/BitcoinTool.B', 3)).toBe(false);
  });

  it('the example policy: AI identity findings and the AI-fleet rules pass at their floors', async () => {
    const intake = findingIntake(await loadPolicy(EXAMPLE), { severityThreshold: 4 });
    expect(admitted(intake, 'Impact:IAMUser/CostHarvesting', 2)).toBe(true);
    // ai-gpu-cryptomining has severity min 7 ≥ 4: nothing below the threshold.
    expect(admitted(intake, 'CryptoCurrency:EC2/BitcoinTool.B', 3)).toBe(false);
    // The identity rules' AI types are in the AI branch already; only their other pattern makes a branch.
    expect(intake.branches.slice(1).map((b) => b.types)).toEqual([['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.*']]);
    expect(admitted(intake, 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 2)).toBe(true);
  });
});
