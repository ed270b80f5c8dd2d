import { describe, expect, it } from 'vitest';
import { awsBucketFor } from '../../../src/engine/aws-rate-limits.js';

// Figures from https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html ("Request token bucket
// sizes and refill rates"), quoted in src/engine/aws-rate-limits.ts.
describe('awsBucketFor: AWS EC2 request throttling, per API', () => {
  it('non-mutating actions: 100 tokens, 20 a second, a bucket per API', () => {
    expect(awsBucketFor('ec2', 'DescribeImages', {})).toEqual({ bucket: 'ec2:DescribeImages', spec: { burst: 100, ratePerSecond: 20 } });
    expect(awsBucketFor('ec2', 'DescribeInstances', { Filters: [{ Name: 'instance-id', Values: ['i-1'] }] })).toEqual({ bucket: 'ec2:DescribeInstances', spec: { burst: 100, ratePerSecond: 20 } });
  });

  it('unfiltered and unpaginated non-mutating actions: 50 tokens, 10 a second (ids alone count as unfiltered)', () => {
    expect(awsBucketFor('ec2', 'DescribeInstances', { InstanceIds: ['i-1'] })).toEqual({ bucket: 'ec2:DescribeInstances:unfiltered', spec: { burst: 50, ratePerSecond: 10 } });
    expect(awsBucketFor('ec2', 'DescribeVolumes', { Filters: [] })).toEqual({ bucket: 'ec2:DescribeVolumes:unfiltered', spec: { burst: 50, ratePerSecond: 10 } });
    expect(awsBucketFor('ec2', 'DescribeSnapshots', { MaxResults: 5 }).spec).toEqual({ burst: 100, ratePerSecond: 20 });
  });

  it('mutating and resource-intensive actions: 50 tokens, 5 a second', () => {
    expect(awsBucketFor('ec2', 'ModifyInstanceAttribute')).toEqual({ bucket: 'ec2:ModifyInstanceAttribute', spec: { burst: 50, ratePerSecond: 5 } });
    expect(awsBucketFor('ec2', 'RevokeSecurityGroupIngress')).toEqual({ bucket: 'ec2:RevokeSecurityGroupIngress', spec: { burst: 50, ratePerSecond: 5 } });
  });

  it('uncategorized actions keep their own figures', () => {
    expect(awsBucketFor('ec2', 'CreateTags').spec).toEqual({ burst: 100, ratePerSecond: 10 });
    expect(awsBucketFor('ec2', 'ModifyNetworkInterfaceAttribute').spec).toEqual({ burst: 100, ratePerSecond: 5 });
    expect(awsBucketFor('ec2', 'CreateSnapshots').spec).toEqual({ burst: 100, ratePerSecond: 5 });
    expect(awsBucketFor('ec2', 'StartInstances').spec).toEqual({ burst: 5, ratePerSecond: 2 });
  });

  it('CloudTrail LookupEvents: 2 a second; IAM: one global bucket per account (assumed 20 / 10 a second)', () => {
    expect(awsBucketFor('cloudtrail', 'LookupEvents')).toEqual({ bucket: 'cloudtrail', spec: { burst: 2, ratePerSecond: 2 } });
    expect(awsBucketFor('iam', 'PutUserPolicy')).toEqual({ bucket: 'iam', spec: { burst: 20, ratePerSecond: 10 }, global: true });
  });
});
