import { describe, expect, it } from 'vitest';
import { lambdaIntake, refusedByIntake } from '../../../src/lambda/lambda-intake.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';
import { builtInPolicy } from '../../../src/policy/load-policy.js';
import { finding } from '../policy/fixtures.js';

const BASE = { TOURNIQUET_JOURNAL_TABLE: 'journal', TOURNIQUET_EVIDENCE_BUCKET: 'evidence' };

describe('the Lambda intake (TOURNIQUET_SEVERITY_THRESHOLD, TOURNIQUET_FINDING_TYPE_PREFIXES)', () => {
  it('unset: every finding is handled', () => {
    const intake = lambdaIntake(readLambdaConfig(BASE), builtInPolicy());
    expect(intake).toBeUndefined();
    expect(refusedByIntake(intake, finding('Recon:EC2/PortProbeUnprotectedPort', { severity: 1 }))).toBeUndefined();
  });

  it('set: the rule’s logic, with the prefixes split on commas', () => {
    const config = readLambdaConfig({ ...BASE, TOURNIQUET_SEVERITY_THRESHOLD: '4', TOURNIQUET_FINDING_TYPE_PREFIXES: ' Impact:, CryptoCurrency: ,' });
    const intake = lambdaIntake(config, builtInPolicy());
    expect(intake?.findingTypePrefixes).toEqual(['Impact:', 'CryptoCurrency:']);
    expect(refusedByIntake(intake, finding('Impact:IAMUser/CostHarvesting', { severity: 2 }))).toBeUndefined();
    expect(refusedByIntake(intake, finding('CryptoCurrency:EC2/BitcoinTool.B', { severity: 2 }))).toBe(
      'severity 2 below threshold 4 and type CryptoCurrency:EC2/BitcoinTool.B not routed below it',
    );
    expect(refusedByIntake(intake, finding('Recon:EC2/PortProbeUnprotectedPort', { severity: 8 }))).toMatch(/outside the configured prefixes/);
  });

  it('a blank or out-of-range threshold is refused with the variable’s name', () => {
    expect(() => readLambdaConfig({ ...BASE, TOURNIQUET_SEVERITY_THRESHOLD: ' ' })).toThrow(/TOURNIQUET_SEVERITY_THRESHOLD: expected a number, received an empty value/);
    expect(() => readLambdaConfig({ ...BASE, TOURNIQUET_SEVERITY_THRESHOLD: '11' })).toThrow(/TOURNIQUET_SEVERITY_THRESHOLD/);
  });
});
