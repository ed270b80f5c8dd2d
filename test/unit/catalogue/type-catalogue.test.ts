import { describe, expect, it } from 'vitest';
import { tryParseFindingType } from '../../../src/findings/finding-type.js';
import {
  allTypes,
  groupByResource,
  lookupType,
  searchTypes,
  usualResourceTypes,
} from '../../../src/findings/type-catalogue.js';

describe('finding-type catalogue', () => {
  it('holds the 232 current types and the 22 retired ones, each once', () => {
    const types = allTypes().map((t) => t.type);
    expect(types).toHaveLength(254);
    expect(new Set(types).size).toBe(254);
    expect(allTypes().filter((t) => t.status === 'retired').map((t) => t.type)).toEqual(
      expect.arrayContaining(['UnauthorizedAccess:EC2/TorIPCaller', 'PrivilegeEscalation:Kubernetes/PrivilegedContainer']),
    );
  });

  it('every catalogued name follows the finding-type grammar', () => {
    const unparsable = allTypes().filter((t) => tryParseFindingType(t.type) === undefined);
    expect(unparsable).toEqual([]);
  });

  it('explains an EC2 type: resource, default severity and band, data source, status, summary', () => {
    const info = lookupType('Backdoor:EC2/C&CActivity.B');
    expect(info).toMatchObject({
      type: 'Backdoor:EC2/C&CActivity.B',
      resource: 'EC2',
      defaultSeverity: 'High',
      defaultBand: 'High',
      dataSource: 'VPC flow logs',
      status: 'active',
    });
    expect(info?.summary).toMatch(/command and control/);
    expect(lookupType('CryptoCurrency:EC2/BitcoinTool.B!DNS')?.dataSource).toBe('DNS logs');
  });

  it('knows the three AI Protection types as Low, from AI Protection, on IAMUser', () => {
    for (const t of ['Impact:IAMUser/AnomalousModelInvocation', 'Impact:IAMUser/CostHarvesting', 'Impact:IAMUser/PromptInjection.Direct']) {
      expect(lookupType(t)).toMatchObject({ resource: 'IAMUser', defaultBand: 'Low', dataSource: 'AI Protection', status: 'active' });
    }
  });

  it('reports opt-in Custom Detection Rules, variable severities and retired types as such', () => {
    expect(lookupType('Exfiltration:S3/TransferDataToCloudAccount')?.status).toBe('active (opt-in)');
    const variable = lookupType('Execution:EC2/MaliciousFile');
    expect(variable?.defaultSeverity).toMatch(/Varies/);
    expect(variable?.defaultBand).toBeUndefined();
    const retired = lookupType('PrivilegeEscalation:Kubernetes/PrivilegedContainer');
    expect(retired?.status).toBe('retired');
    expect(retired?.statusNote).toMatch(/RETIRED per current docs/);
    expect(lookupType('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration')).toMatchObject({ status: 'retired', resource: 'IAMUser' });
  });

  it('looks up case-insensitively and through the documented S3Object alias', () => {
    expect(lookupType('backdoor:ec2/c&cactivity.b!dns')?.type).toBe('Backdoor:EC2/C&CActivity.B!DNS');
    expect(lookupType('S3Object:S3/MaliciousFile')?.type).toBe('Object:S3/MaliciousFile');
    expect(lookupType('Impact:EC2/NoSuchThing')).toBeUndefined();
  });

  it('searches by case-insensitive substring', () => {
    const found = searchTypes('bitcoin').map((t) => t.type);
    expect(found).toEqual(
      expect.arrayContaining([
        'CryptoCurrency:EC2/BitcoinTool.B!DNS',
        'CryptoCurrency:Lambda/BitcoinTool.B',
        'Impact:Runtime/BitcoinDomainRequest.Reputation',
        'CryptoCurrency:EC2/BitcoinTool.A',
      ]),
    );
    expect(found.every((t) => t.toLowerCase().includes('bitcoin'))).toBe(true);
  });

  it('searches by glob over the whole name, treating only * as special', () => {
    const iam = searchTypes('impact:iamuser/*').map((t) => t.type);
    expect(iam).toEqual(
      expect.arrayContaining(['Impact:IAMUser/AnomalousBehavior', 'Impact:IAMUser/CostHarvesting', 'Impact:IAMUser/PromptInjection.Direct']),
    );
    expect(iam.every((t) => t.startsWith('Impact:IAMUser/'))).toBe(true);

    const dns = searchTypes('*!DNS').map((t) => t.type);
    expect(dns).toContain('Backdoor:EC2/C&CActivity.B!DNS');
    expect(dns.every((t) => t.endsWith('!DNS'))).toBe(true);

    // `.` is literal: `C&CActivity.B` does not match `C&CActivityXB`, and the `!DNS` variants are not whole-name matches.
    expect(searchTypes('*/C&CActivity.B').map((t) => t.type).sort()).toEqual([
      'Backdoor:EC2/C&CActivity.B',
      'Backdoor:Lambda/C&CActivity.B',
      'Backdoor:Runtime/C&CActivity.B',
    ]);
    expect(searchTypes('*C&CActivity?B*')).toEqual([]);
  });

  it('groups by resource segment with the documented counts', () => {
    const groups = groupByResource(allTypes());
    expect(groups.get('Lambda')).toHaveLength(9);
    expect(groups.get('EC2')).toHaveLength(52 + 3); // + TorIPCaller, XORDDOS, BitcoinTool.A (retired)
    expect(groups.get('AI')).toBeUndefined();
  });

  it('names the usual resource.resourceType for a type', () => {
    expect(usualResourceTypes('CryptoCurrency:EC2/BitcoinTool.B!DNS')).toEqual(['Instance']);
    expect(usualResourceTypes('Impact:IAMUser/CostHarvesting')).toEqual(['AccessKey']);
    expect(usualResourceTypes('Object:S3/MaliciousFile')).toEqual(['S3Object']);
    expect(usualResourceTypes('AttackSequence:EKS/CompromisedCluster')).toEqual(['AttackSequence']);
    expect(usualResourceTypes('Impact:SES/ResourceHijacking')).toEqual([]);
  });
});
