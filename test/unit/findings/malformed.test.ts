import { describe, expect, it } from 'vitest';
import { FindingParseError } from '../../../src/errors.js';
import type { Finding } from '../../../src/findings/model.js';
import { parseDocument, parseRecord } from '../../../src/findings/read-input.js';
import { errorOf as thrownBy } from '../../support/errors.js';
import { cliFinding, event, finding, instanceDetails, type JsonObj } from './finding-fixtures.js';

const src = { name: 'bad.json' };

/** The error parseRecord throws for `value`. */
const errorOf = (value: unknown): FindingParseError => thrownBy(() => parseRecord(value, src), FindingParseError);

function without(obj: JsonObj, key: string): JsonObj {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

describe('truncated and invalid JSON', () => {
  it('reports a truncated document at $ with its position', () => {
    const text = JSON.stringify(event(finding()), null, 2);
    const b = parseDocument(text.slice(0, 300), src);
    expect(b.records).toEqual([]);
    expect(b.rejected).toHaveLength(1);
    const e = b.rejected[0]!;
    expect(e.path).toBe('$');
    expect(e.expected).toBe('valid JSON');
    expect(e.received).toMatch(/^truncated JSON: input ends at line \d+, column \d+ \(offset 300\)/);
  });

  it('reports the line, column and offset of a syntax error in the middle', () => {
    const text = '{\n  "detail-type": "GuardDuty Finding",\n  "detail": {"id": }\n}';
    const e = parseDocument(text, src).rejected[0]!;
    expect(e.path).toBe('$');
    const offset = text.indexOf('}');
    expect(e.received).toBe(`invalid JSON at line 3, column 20 (offset ${offset}): Unexpected token '}'; text there: "}\\n}"`);
  });

  it('reports positions V8 gives itself (e.g. a trailing comma)', () => {
    const e = parseDocument('{"a": 1,}', src).rejected[0]!;
    expect(e.received).toBe('invalid JSON at line 1, column 9 (offset 8): Expected double-quoted property name in JSON at position 8; text there: "}"');
  });
});

describe('wrong types, with the exact JSON path', () => {
  it.each([
    ['severity "high"', { severity: 'high' }, '$.detail.severity', 'string "high"'],
    ['severity out of range', { severity: 11 }, '$.detail.severity', 'number 11'],
    ['type not a string', { type: 42 }, '$.detail.type', 'number 42'],
    ['type not in the grammar', { type: 'BitcoinTool' }, '$.detail.type', 'string "BitcoinTool"'],
    ['count negative', { service: { count: -1 } }, '$.detail.service.count', 'number -1'],
    ['archived a string', { service: { archived: 'no' } }, '$.detail.service.archived', 'string "no"'],
    ['createdAt an object', { createdAt: {} }, '$.detail.createdAt', 'object {}'],
    ['resource an array', { resource: [] }, '$.detail.resource', 'array of 0'],
  ])('%s', (_label, overrides, path, received) => {
    const e = errorOf(event(finding(overrides)));
    expect(e.path).toBe(path);
    expect(e.received).toBe(received);
    expect(e.source).toEqual(src);
  });

  it('networkInterfaces not an array', () => {
    const e = errorOf(event(finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ networkInterfaces: { networkInterfaceId: 'eni-1' } }) })));
    expect(e.path).toBe('$.detail.resource.instanceDetails.networkInterfaces');
    expect(e.expected).toBe('an array');
    expect(e.received).toBe('object {"networkInterfaceId"}');
  });

  it('securityGroups not an array', () => {
    const d = instanceDetails();
    (d['networkInterfaces'] as JsonObj[])[0]!['securityGroups'] = 'sg-1';
    const e = errorOf(event(finding({}, { resourceType: 'Instance', instanceDetails: d })));
    expect(e.path).toBe('$.detail.resource.instanceDetails.networkInterfaces[0].securityGroups');
    expect(e.message).toBe('bad.json: $.detail.resource.instanceDetails.networkInterfaces[0].securityGroups: expected an array, received string "sg-1"');
  });

  it('a security group whose groupId is not a string (a missing one is allowed: optional in the API model)', () => {
    const d = instanceDetails({ networkInterfaces: [{ networkInterfaceId: 'eni-1' }, { networkInterfaceId: 'eni-2', securityGroups: [{ groupId: 7 }] }] });
    const e = errorOf(finding({}, { resourceType: 'Instance', instanceDetails: d }));
    expect(e.path).toBe('$.resource.instanceDetails.networkInterfaces[1].securityGroups[0].groupId');
    expect(e.received).toBe('number 7');
  });

  it('a nested epoch timestamp that is not a number or string', () => {
    const e = errorOf(finding({ type: 'Impact:S3/MaliciousIPCaller' }, { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'b', createdAt: true }] }));
    expect(e.path).toBe('$.resource.s3BucketDetails[0].createdAt');
  });

  it('a tag value that is a number', () => {
    const e = errorOf(finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ tags: [{ key: 'a', value: 'b' }, { key: 'n', value: 3 }] }) }));
    expect(e.path).toBe('$.resource.instanceDetails.tags[1].value');
    expect(e.received).toBe('number 3');
  });
});

describe('missing required fields', () => {
  it.each(['id', 'type', 'accountId', 'region', 'arn', 'severity', 'createdAt', 'updatedAt', 'resource'])('%s', (key) => {
    const e = errorOf(event(without(finding(), key)));
    expect(e.path).toBe(`$.detail.${key}`);
    expect(e.received).toBe('nothing (missing)');
  });

  it('resource.resourceType', () => {
    const e = errorOf(finding({}, { instanceDetails: instanceDetails() }));
    expect(e.path).toBe('$.resource.resourceType');
  });

  it('the detail object of the routed resource (IAM type without accessKeyDetails)', () => {
    const e = errorOf(finding({ type: 'Recon:IAMUser/TorIPCaller' }, { resourceType: 'AccessKey', instanceDetails: instanceDetails() }));
    expect(e.path).toBe('$.resource.accessKeyDetails');
    expect(e.expected).toBe('an object');
  });

  it('an EC2 type without instanceDetails', () => {
    const e = errorOf(finding({}, { resourceType: 'Instance', accessKeyDetails: { accessKeyId: 'AKIA1' } }));
    expect(e.path).toBe('$.resource.instanceDetails');
  });

  it('an event without detail', () => {
    const e = errorOf(without(event(finding()), 'detail'));
    expect(e.path).toBe('$.detail');
  });

  it('not an object at all', () => {
    expect(errorOf('a string').path).toBe('$');
    expect(errorOf(null).received).toBe('null');
  });
});

describe('unknown resource types', () => {
  it('with no usable details: typed error at $.resource.resourceType naming what was received', () => {
    const e = errorOf(finding({ type: 'Impact:SES/ResourceHijacking' }, { resourceType: 'SESIdentity' }));
    expect(e.path).toBe('$.resource.resourceType');
    expect(e.received).toBe('string "SESIdentity"');
    expect(e.expected).toContain('Instance, AccessKey, S3Bucket');
  });

  it('with usable details: subjects from what is present', () => {
    const f = parseRecord(finding({ type: 'Impact:SES/ResourceHijacking' }, { resourceType: 'SESIdentity', accessKeyDetails: { accessKeyId: 'AKIAX', userName: 'mailer', userType: 'IAMUser' } }), src) as Finding;
    expect(f.subjects.map((s) => [s.kind, s.id])).toEqual([
      ['access-key', 'AKIAX'],
      ['iam-user', 'mailer'],
    ]);
  });
});

describe('hostile values', () => {
  it('accepts very long strings and caps them in error messages', () => {
    const long = 'x'.repeat(1_000_000);
    const f = parseRecord(finding({ title: long, description: long }), src) as Finding;
    expect(f.title).toHaveLength(1_000_000);
    const e = errorOf(finding({ severity: long }));
    expect(e.received.length).toBeLessThan(150);
    expect(e.received).toContain('(1000000 chars)');
    expect(e.message.length).toBeLessThan(300);
  });

  it('caps a long JSON syntax error excerpt', () => {
    const text = `{"title": "${'y'.repeat(100_000)}" "x"}`;
    const e = parseDocument(text, src).rejected[0]!;
    expect(e.received.length).toBeLessThan(250);
  });

  it('__proto__ and constructor keys stay data and pollute nothing', () => {
    const text = `{"__proto__": {"polluted": true, "type": "Impact:EC2/Evil"}, "constructor": {"prototype": {"polluted": true}},
      ${JSON.stringify(finding()).slice(1)}`;
    const b = parseDocument(text, src);
    expect(b.rejected).toEqual([]);
    const f = b.records[0] as Finding;
    expect(f.type.raw).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(f.raw)).toBe(Object.prototype);
    expect(Object.hasOwn(f.raw as object, '__proto__')).toBe(true);
  });

  it('__proto__ inside PascalCase input is defined as an own key of raw, not a prototype', () => {
    const text = `{"Findings": [{"__proto__": {"Type": "Impact:EC2/Evil", "polluted": true}, "Id": "p1", "Type": "Recon:EC2/Portscan", "AccountId": "111122223333", "Region": "us-east-1", "Arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/p1", "Severity": 5, "CreatedAt": "2026-08-01T00:00:00Z", "UpdatedAt": "2026-08-01T00:00:00Z", "Resource": {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-1", "Tags": [{"Key": "__proto__", "Value": "x"}]}}}]}`;
    const b = parseDocument(text, src);
    expect(b.rejected).toEqual([]);
    const f = b.records[0] as Finding;
    expect(f.type.raw).toBe('Recon:EC2/Portscan');
    expect(Object.getPrototypeOf(f.raw)).toBe(Object.prototype);
    expect(Object.hasOwn(f.raw as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(f.subjects[0]!.tags).toEqual([{ key: '__proto__', value: 'x' }]);
  });

  it('a tag key "__proto__" with an AI-looking value is data', () => {
    const f = parseRecord(finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ tags: [{ key: '__proto__', value: 'ai' }, { key: 'constructor', value: 'x' }] }) }), src) as Finding;
    expect(f.subjects[0]!.tags).toEqual([
      { key: '__proto__', value: 'ai' },
      { key: 'constructor', value: 'x' },
    ]);
    expect(f.subjects[0]!.ai.isAi).toBe(false);
  });

  it('null nested objects are absent, not errors', () => {
    const f = parseRecord(
      finding({ service: null }, { resourceType: 'Instance', instanceDetails: instanceDetails({ iamInstanceProfile: null, networkInterfaces: null, tags: null, platform: null }) }),
      src,
    ) as Finding;
    expect(f.count).toBe(1);
    expect(f.subjects[0]!.details).toMatchObject({ networkInterfaces: [], iamInstanceProfile: undefined });
  });

  it('rejects PascalCase nesting deeper than the limit instead of overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { A: deep };
    const e = errorOf({ Id: 'x', Type: 'Recon:EC2/Portscan', Resource: deep });
    expect(e.path).toBe('$.Resource.A.A.A.A.A.A.A…');
    expect(e.expected).toMatch(/nested at most 256 levels/);
  });
});

describe('timestamps are ISO 8601, finding ids bounded', () => {
  it.each([
    ['updatedAt "yesterday"', { updatedAt: 'yesterday' }, '$.detail.updatedAt', 'string "yesterday"'],
    ['createdAt a bare date', { createdAt: '2026-08-01' }, '$.detail.createdAt', 'string "2026-08-01"'],
    ['createdAt an impossible date', { createdAt: '2026-02-30T10:00:00Z' }, '$.detail.createdAt', 'string "2026-02-30T10:00:00Z"'],
    ['createdAt hour 25', { createdAt: '2026-08-01T25:00:00Z' }, '$.detail.createdAt', 'string "2026-08-01T25:00:00Z"'],
    ['eventLastSeen a sentence', { service: { eventLastSeen: 'last tuesday' } }, '$.detail.service.eventLastSeen', 'string "last tuesday"'],
  ])('rejects %s with its path', (_label, overrides, path, received) => {
    const e = errorOf(event(finding(overrides)));
    expect(e.path).toBe(path);
    expect(e.expected).toBe('a timestamp (ISO-8601 string or epoch seconds)');
    expect(e.received).toBe(received);
  });

  it('rejects a nested timestamp that is not ISO 8601 (PascalCase path)', () => {
    const cli = cliFinding();
    const inst = ((cli['Resource'] as JsonObj)['InstanceDetails'] as JsonObj);
    inst['LaunchTime'] = 'soon';
    const e = errorOf(cli);
    expect(e.path).toBe('$.Resource.InstanceDetails.LaunchTime');
    expect(e.received).toBe('string "soon"');
  });

  it.each([
    ['2026-08-01T10:23:57Z', '2026-08-01T10:23:57Z'],
    ['2026-08-01T10:23:57.123Z', '2026-08-01T10:23:57.123Z'],
    ['2026-08-01T10:23:57.123000+00:00', '2026-08-01T10:23:57.123Z'],
    ['2026-08-01T10:23:57-0500', '2026-08-01T15:23:57.000Z'],
    ['2026-08-01 10:23:57Z', '2026-08-01T10:23:57.000Z'],
    ['2026-08-01T10:23Z', '2026-08-01T10:23:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
  ])('accepts %s as %s (ISO 8601 in UTC; GuardDuty\'s own form kept as received)', (ts, expected) => {
    const f = parseRecord(finding({ updatedAt: ts }), src) as Finding;
    expect(f.updatedAt).toBe(expected);
  });

  it('rejects a 100,000-character finding id, naming its length, and accepts 512 bytes', () => {
    const e = errorOf(event(finding({ id: 'a'.repeat(100_000) })));
    expect(e.path).toBe('$.detail.id');
    expect(e.expected).toBe('a non-empty string of at most 512 bytes');
    expect(e.received).toBe(`string "${'a'.repeat(80)}… (100000 chars)"`);
    expect((parseRecord(finding({ id: 'b'.repeat(512) }), src) as Finding).id).toHaveLength(512);
    expect(errorOf(finding({ id: 'é'.repeat(257) })).path).toBe('$.id');
  });
});
