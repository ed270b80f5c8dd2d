import { describe, expect, it } from 'vitest';
import { FindingParseError } from '../../../src/errors.js';
import { parseFindingType, tryParseFindingType } from '../../../src/findings/finding-type.js';

describe('parseFindingType: ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact', () => {
  it.each([
    ['Object:S3/MaliciousFile', 'Object', 'S3', 'MaliciousFile', undefined, undefined, false],
    ['Backdoor:EC2/C&CActivity.B!DNS', 'Backdoor', 'EC2', 'C&CActivity', 'B', 'DNS', false],
    ['Backdoor:EC2/C&CActivity.B', 'Backdoor', 'EC2', 'C&CActivity', 'B', undefined, false],
    ['AttackSequence:IAM/CompromisedCredentials', 'AttackSequence', 'IAM', 'CompromisedCredentials', undefined, undefined, false],
    [
      'Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
      'Execution',
      'Kubernetes',
      'AnomalousBehavior',
      'WorkloadDeployed',
      'PrivilegedContainer',
      false,
    ],
    ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'CryptoCurrency', 'EC2', 'BitcoinTool', 'B', 'DNS', false],
    ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom', 'UnauthorizedAccess', 'EC2', 'MaliciousIPCaller', 'Custom', undefined, true],
    ['Execution:Runtime/MaliciousFileExecuted.Custom', 'Execution', 'Runtime', 'MaliciousFileExecuted', 'Custom', undefined, true],
    ['Impact:EC2/MaliciousDomainRequest.Reputation', 'Impact', 'EC2', 'MaliciousDomainRequest', 'Reputation', undefined, false],
    ['Backdoor:EC2/DenialOfService.UdpOnTcpPorts', 'Backdoor', 'EC2', 'DenialOfService', 'UdpOnTcpPorts', undefined, false],
    ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 'UnauthorizedAccess', 'IAMUser', 'InstanceCredentialExfiltration', 'OutsideAWS', undefined, false],
    ['Impact:IAMUser/PromptInjection.Direct', 'Impact', 'IAMUser', 'PromptInjection', 'Direct', undefined, false],
    ['Execution:EC2/MaliciousFile!Snapshot', 'Execution', 'EC2', 'MaliciousFile', undefined, 'Snapshot', false],
    ['Trojan:EC2/DGADomainRequest.C!DNS', 'Trojan', 'EC2', 'DGADomainRequest', 'C', 'DNS', false],
    ['DefenseImpairment:Route53Resolver/DisableOrModifyTools', 'DefenseImpairment', 'Route53Resolver', 'DisableOrModifyTools', undefined, undefined, false],
    ['CredentialAccess:RDS/MaliciousIPCaller.FailedLogin', 'CredentialAccess', 'RDS', 'MaliciousIPCaller', 'FailedLogin', undefined, false],
  ])('%s', (raw, purpose, resource, family, mechanism, artifact, custom) => {
    const t = parseFindingType(raw);
    expect(t).toEqual({
      raw,
      threatPurpose: purpose,
      resourceTypeAffected: resource,
      family,
      ...(mechanism !== undefined ? { mechanism } : {}),
      ...(artifact !== undefined ? { artifact } : {}),
      custom,
    });
    expect('mechanism' in t).toBe(mechanism !== undefined);
    expect('artifact' in t).toBe(artifact !== undefined);
  });

  it.each([
    ['', 'empty'],
    ['CryptoCurrency', 'no colon'],
    ['CryptoCurrency:EC2', 'no slash'],
    ['CryptoCurrency:EC2/', 'empty family'],
    [':EC2/BitcoinTool', 'empty purpose'],
    ['CryptoCurrency:/BitcoinTool', 'empty resource'],
    ['Crypto Currency:EC2/BitcoinTool', 'space in purpose'],
    ['CryptoCurrency:EC2/BitcoinTool.B!', 'empty artifact'],
    ['CryptoCurrency:EC2/BitcoinTool.!DNS', 'empty mechanism'],
    ['CryptoCurrency:EC2/Bitcoin Tool', 'space in family'],
    ['CryptoCurrency:EC2/BitcoinTool\n', 'trailing newline'],
  ])('rejects %j (%s)', (raw) => {
    expect(tryParseFindingType(raw)).toBeUndefined();
    expect(() => parseFindingType(raw)).toThrow(FindingParseError);
  });

  it('names the grammar and the value received', () => {
    try {
      parseFindingType('not a type');
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(FindingParseError);
      const e = err as FindingParseError;
      expect(e.path).toBe('$');
      expect(e.expected).toContain('ThreatPurpose:ResourceTypeAffected/ThreatFamilyName');
      expect(e.received).toBe('string "not a type"');
    }
  });

  it('accepts a very long but well-formed type; rejects a long malformed one (no catastrophic backtracking)', () => {
    const family = 'A'.repeat(100_000);
    expect(parseFindingType(`Impact:EC2/${family}.B!DNS`).family).toBe(family);
    expect(tryParseFindingType(`Impact:EC2/x.${'a'.repeat(200_000)} `)).toBeUndefined();
  });

  it('returns the same frozen object for the same type', () => {
    const a = parseFindingType('Recon:EC2/Portscan');
    expect(parseFindingType('Recon:EC2/Portscan')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
