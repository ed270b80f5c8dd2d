/**
 * Every finding AWS has emitted parses: optional members of the API model may be missing (real findings of 2017 have
 * network interfaces without `networkInterfaceId`), timestamps come in ISO-like forms, and sample findings whose
 * `additionalInfo.sample` was stripped still carry the sample generator's placeholders.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../../src/findings/index.js';
import type { Finding } from '../../../src/findings/model.js';
import { normalizeIsoTimestamp } from '../../../src/findings/timestamps.js';
import { finding, instanceDetails } from './finding-fixtures.js';

function parseOne(value: unknown): Finding {
  const out = parseDocument(JSON.stringify(value), { name: 'test.json' });
  expect(out.rejected).toEqual([]);
  const f = out.records[0];
  if (f?.kind !== 'finding') throw new Error('expected one finding');
  return f;
}

describe('optional members of the API model', () => {
  it('keeps a network interface without networkInterfaceId (a 2017 finding) and says so', () => {
    const eni = { subnetId: 'subnet-0aaa', vpcId: 'vpc-0aaa', privateIpAddress: '10.0.0.5', securityGroups: [{ groupName: 'default' }] };
    const f = parseOne(finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ networkInterfaces: [eni] }) }));
    const subject = f.subjects[0];
    if (subject?.kind !== 'ec2-instance') throw new Error('expected the instance');
    expect(subject.details.networkInterfaces).toEqual([
      { subnetId: 'subnet-0aaa', vpcId: 'vpc-0aaa', privateIpAddress: '10.0.0.5', securityGroups: [{ groupName: 'default' }], ipv6Addresses: [] },
    ]);
    expect(f.notes).toEqual([
      '$.resource.instanceDetails.networkInterfaces[0].securityGroups[0]: security group "default" has no groupId: kept by name only',
      '$.resource.instanceDetails.networkInterfaces[0]: network interface has no networkInterfaceId: kept without it',
    ]);
  });

  it('leaves out a tag without a key and a model without a modelId, with a note each', () => {
    const f = parseOne(
      finding({ type: 'Impact:IAMUser/AnomalousModelInvocation' }, {
        resourceType: 'AccessKey',
        accessKeyDetails: { accessKeyId: 'AKIAEXAMPLEKEY000001', principalId: 'AIDAEXAMPLE', userName: 'alice', userType: 'IAMUser' },
        modelDetails: [{ modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/x' }, { modelId: 'anthropic.claude-v2' }],
      }),
    );
    expect(f.notes).toEqual(['$.resource.modelDetails[0]: model has no modelId: left out']);
    expect(f.subjects.filter((s) => s.kind === 'bedrock-model').map((s) => s.id)).toEqual(['anthropic.claude-v2']);
    const tagged = parseOne(finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ tags: [{ value: 'orphan' }, { key: 'team', value: 'ml' }] }) }));
    expect(tagged.subjects[0]?.tags).toEqual([{ key: 'team', value: 'ml' }]);
    expect(tagged.notes).toEqual(['$.resource.instanceDetails.tags[0]: tag has no key: left out']);
  });

  it('has no notes when nothing is missing', () => {
    expect(parseOne(finding()).notes).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('normalizes a space-separated, zone-less timestamp to ISO 8601 in UTC', () => {
    const f = parseOne(finding({ createdAt: '2025-02-25 20:40:06.765', updatedAt: '2025-02-25T21:40:06.765+01:00' }));
    expect(f.createdAt).toBe('2025-02-25T20:40:06.765Z');
    expect(f.updatedAt).toBe('2025-02-25T20:40:06.765Z');
  });

  it('rejects what is not a date and time, with the path', () => {
    const out = parseDocument(JSON.stringify(finding({ createdAt: '2025-02-30 10:00:00' })), { name: 'test.json' });
    expect(out.rejected.map((r) => [r.path, r.received])).toEqual([['$.createdAt', 'string "2025-02-30 10:00:00"']]);
  });

  it.each([
    ['2026-08-01T10:23:57Z', '2026-08-01T10:23:57Z'],
    ['2026-08-01T10:23:57.123000+00:00', '2026-08-01T10:23:57.123Z'],
    ['2026-08-01T10:23:57+0130', '2026-08-01T08:53:57.000Z'],
    ['2026-08-01 10:23', '2026-08-01T10:23:00.000Z'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['2026-08-01T10:23:57.123456789-05', '2026-08-01T15:23:57.123Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeIsoTimestamp(input)).toBe(expected);
  });

  it.each(['yesterday', '2026-08-01', '2026-13-01T00:00:00Z', '2026-02-29T00:00:00Z', '2026-08-01T24:00:00Z'])('refuses %s', (input) => {
    expect(normalizeIsoTimestamp(input)).toBeUndefined();
  });
});

describe('sample findings without the sample flag', () => {
  it('treats the sample generator placeholder instance i-99999999 as a sample', () => {
    const f = parseOne(finding({ service: { count: 1 } }, { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceId: 'i-99999999' }) }));
    expect(f.sample).toBe(true);
    expect(f.notes).toEqual(['$.service.additionalInfo: treated as a sample finding: ec2-instance "i-99999999" is a sample-generator placeholder']);
  });

  it('treats GeneratedFinding… credentials as a sample', () => {
    const f = parseOne(
      finding({ type: 'UnauthorizedAccess:IAMUser/TorIPCaller' }, {
        resourceType: 'AccessKey',
        accessKeyDetails: { accessKeyId: 'GeneratedFindingAccessKeyId', principalId: 'GeneratedFindingPrincipalId', userName: 'GeneratedFindingUserName', userType: 'IAMUser' },
      }),
    );
    expect(f.sample).toBe(true);
  });

  it('does not treat a real instance as a sample', () => {
    expect(parseOne(finding()).sample).toBe(false);
  });
});
