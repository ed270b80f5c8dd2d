import { describe, expect, it } from 'vitest';
import { toPascalPath } from '../../../src/findings/json-path.js';
import { camelKey, isPascalCaseFinding, NestingTooDeepError, pascalToCamel } from '../../../src/findings/pascal-case.js';
import { cliFinding } from './finding-fixtures.js';

describe('PascalCase → camelCase (AWS CLI / SDK member names → wire names)', () => {
  it.each([
    ['Ipv6Addresses', 'ipv6Addresses'],
    ['EksClusterDetails', 'eksClusterDetails'],
    ['RdsDbInstanceDetails', 'rdsDbInstanceDetails'],
    ['RdsDbUserDetails', 'rdsDbUserDetails'],
    ['S3BucketDetails', 's3BucketDetails'],
    ['S3ObjectDetails', 's3ObjectDetails'],
    ['ApiCallDetails', 'apiCallDetails'],
    ['AwsApiCallAction', 'awsApiCallAction'],
    ['IpAddressV4', 'ipAddressV4'],
    ['ETag', 'eTag'],
    ['HostIPC', 'hostIPC'],
    ['SourceIps', 'sourceIPs'],
    ['TaskCreatedAt', 'createdAt'],
    ['LoginAttributes', 'LoginAttributes'],
    ['KubernetesResourcesTypes', 'type'],
    ['Latitude', 'lat'],
    ['alreadyCamel', 'alreadyCamel'],
    ['__proto__', '__proto__'],
  ])('%s → %s', (pascal, camel) => {
    expect(camelKey(pascal)).toBe(camel);
  });

  it('parent-dependent names', () => {
    expect(camelKey('Code', 'ProductCodes')).toBe('productCodeId');
    expect(camelKey('ProductType', 'ProductCodes')).toBe('productCodeType');
    expect(camelKey('Name', 'Account')).toBe('account');
    expect(camelKey('Name', 'User')).toBe('name');
    expect(camelKey('IamInstanceProfile', 'Ec2Instance')).toBe('IamInstanceProfile');
    expect(camelKey('IamInstanceProfile', 'InstanceDetails')).toBe('iamInstanceProfile');
  });

  it('maps a whole finding, keeps map keys and values verbatim, tags stay {key, value}, never mutates the input', () => {
    const input = cliFinding();
    const before = structuredClone(input);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking an untyped JSON tree in a test
    const out = pascalToCamel(input) as Record<string, any>;
    expect(input).toEqual(before);
    expect(Object.keys(out).sort()).toEqual(['accountId', 'arn', 'createdAt', 'id', 'partition', 'region', 'resource', 'schemaVersion', 'service', 'severity', 'title', 'type', 'updatedAt']);
    expect(out['resource'].instanceDetails.tags).toEqual([{ key: 'ai-workload', value: 'training' }]);
    expect(out['service'].action.awsApiCallAction.affectedResources).toEqual({ 'AWS::S3::Bucket': 'b1' });
    expect(out['service'].additionalInfo).toEqual({ value: '{"sample":true}', type: 'default' });
  });

  it('anomaly profile maps keep two levels of keys verbatim', () => {
    const out = pascalToCamel({ Detection: { Anomaly: { Profiles: { SomeGroup: { 'modelInvocation.Tokens': [{ ProfileType: 'VOLUME', Observations: { Number: [1] } }] } } } } });
    expect(out).toEqual({ detection: { anomaly: { profiles: { SomeGroup: { 'modelInvocation.Tokens': [{ profileType: 'VOLUME', observations: { number: [1] } }] } } } } });
  });

  it('SDK Date values become ISO strings', () => {
    expect(pascalToCamel({ CreatedAt: new Date('2017-12-18T15:58:11.551Z') })).toEqual({ createdAt: '2017-12-18T15:58:11.551Z' });
  });

  it('defines __proto__ as an own property, never as a prototype', () => {
    const input = JSON.parse('{"__proto__": {"Polluted": true}, "Id": "x"}') as object;
    const out = pascalToCamel(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(out['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('stops at hostile nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(() => pascalToCamel(deep)).toThrow(NestingTooDeepError);
  });

  it('recognizes PascalCase findings', () => {
    expect(isPascalCaseFinding(cliFinding())).toBe(true);
    expect(isPascalCaseFinding({ id: 'x', type: 't', Resource: {} })).toBe(false);
    expect(isPascalCaseFinding({ foo: 1 })).toBe(false);
  });

  it('renders camelCase paths back in member names', () => {
    expect(toPascalPath('.resource.instanceDetails.networkInterfaces[0].securityGroups')).toBe('.Resource.InstanceDetails.NetworkInterfaces[0].SecurityGroups');
    expect(toPascalPath('.service.action.kubernetesApiCallAction.sourceIPs')).toBe('.Service.Action.KubernetesApiCallAction.SourceIps');
    expect(toPascalPath('.resource.ecsClusterDetails.taskDetails.createdAt')).toBe('.Resource.EcsClusterDetails.TaskDetails.TaskCreatedAt');
    expect(toPascalPath('.resource.s3BucketDetails[2].createdAt')).toBe('.Resource.S3BucketDetails[2].CreatedAt');
  });
});
