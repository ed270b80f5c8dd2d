import { describe, expect, it } from 'vitest';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { partitionOf } from '../../../src/aws/partition.js';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { wrapAwsError } from '../../../src/aws/wrap-aws-error.js';
import { AwsCallError, ConflictError } from '../../../src/errors.js';

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s → %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

function awsError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new EC2ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });
}

describe('isTransientAwsError', () => {
  it.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'ProvisionedThroughputExceededException', 'RequestThrottled'])(
    'throttling: %s',
    (name) => {
      expect(isTransientAwsError(awsError(name, 400))).toBe(true);
    },
  );

  it('server faults and 5xx', () => {
    expect(isTransientAwsError(awsError('InternalError', 500, 'server'))).toBe(true);
    expect(isTransientAwsError(awsError('Whatever', 503))).toBe(true);
    expect(isTransientAwsError(awsError('Odd', 400, 'server'))).toBe(true);
    expect(isTransientAwsError(awsError('TooMany', 429))).toBe(true);
  });

  it('network failures', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']) {
      expect(isTransientAwsError(Object.assign(new Error(`connect ${code}`), { code }))).toBe(true);
    }
    expect(isTransientAwsError(new Error('socket hang up'))).toBe(true);
    expect(isTransientAwsError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransientAwsError(Object.assign(new Error('n'), { name: 'NetworkingError' }))).toBe(true);
    // Wrapped one level down.
    expect(isTransientAwsError(new Error('outer', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('permanent failures', () => {
    expect(isTransientAwsError(awsError('AccessDenied', 403))).toBe(false);
    expect(isTransientAwsError(awsError('InvalidGroup.NotFound', 400))).toBe(false);
    expect(isTransientAwsError(awsError('ConditionalCheckFailedException', 400))).toBe(false);
    expect(isTransientAwsError(new Error('boom'))).toBe(false);
    expect(isTransientAwsError('a string')).toBe(false);
    expect(isTransientAwsError(undefined)).toBe(false);
    expect(isTransientAwsError(Object.assign(new Error('dns'), { code: 'ENOTFOUND' }))).toBe(false);
  });

  it('trusts the flag of an AwsCallError', () => {
    expect(isTransientAwsError(new AwsCallError('ec2', 'X', 'Y', true, 'm'))).toBe(true);
    expect(isTransientAwsError(new AwsCallError('ec2', 'X', 'Throttling', false, 'm'))).toBe(false);
  });
});

describe('wrapAwsError', () => {
  it('names the call, keeps the cause and the transient flag', () => {
    const cause = awsError('RequestLimitExceeded', 503);
    const wrapped = wrapAwsError('ec2', 'ModifyNetworkInterfaceAttribute', cause);
    expect(wrapped).toBeInstanceOf(AwsCallError);
    expect(wrapped).toMatchObject({ service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', awsCode: 'RequestLimitExceeded', transient: true, cause });
    expect(wrapped.message).toBe('ec2.ModifyNetworkInterfaceAttribute failed (RequestLimitExceeded, transient): RequestLimitExceeded');
  });

  it('passes Tourniquet errors through and names network codes', () => {
    const conflict = new ConflictError('x');
    expect(wrapAwsError('s3', 'PutObject', conflict)).toBe(conflict);
    expect(wrapAwsError('s3', 'PutObject', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toMatchObject({ awsCode: 'ECONNRESET', transient: true });
  });
});
