import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { awsErrorCode, canonicalJson, isAwsError, parseInput, resolveInstanceId } from '../../../src/actions/action-support.js';
import { bindContext } from '../../../src/actions/define-action.js';
import { AwsCallError, StepError } from '../../../src/errors.js';
import { INSTANCE_ID, awsError, instanceSubject, makeCtx } from './action-fixtures.js';

describe('action support', () => {
  it('reads the AWS error code from SDK exceptions and from wrapped AwsCallErrors, nothing else', () => {
    expect(awsErrorCode(awsError('InvalidGroup.Duplicate'))).toBe('InvalidGroup.Duplicate');
    const wrapped = new AwsCallError('ec2', 'CreateSecurityGroup', 'InvalidGroup.Duplicate', false, 'exists', { cause: awsError('InvalidGroup.Duplicate') });
    expect(isAwsError(wrapped, 'InvalidGroup.Duplicate')).toBe(true);
    // A plain Error whose name happens to match is not an AWS answer.
    expect(awsErrorCode(Object.assign(new Error('x'), { name: 'InvalidGroup.Duplicate' }))).toBeUndefined();
    expect(awsErrorCode('InvalidGroup.Duplicate')).toBeUndefined();
  });

  it('resolves the instance from the input first, then the subject; rejects malformed ids and non-instance subjects', () => {
    const ctx = bindContext(makeCtx(), 'a');
    expect(resolveInstanceId({}, ctx)).toBe(INSTANCE_ID);
    expect(resolveInstanceId({ instanceId: 'i-0fedcba9876543210' }, ctx)).toBe('i-0fedcba9876543210');
    expect(() => resolveInstanceId({ instanceId: 'i-0123"}' }, ctx)).toThrow(StepError);
    const other = bindContext(makeCtx({ subject: { ...instanceSubject(), kind: 'access-key', details: {} } as never }), 'a');
    expect(() => resolveInstanceId({}, other)).toThrow(/the subject is string "access-key" and the input has no instanceId/);
  });

  it('parseInput names the field and the value received', () => {
    const schema = z.strictObject({ settleSeconds: z.number().max(600).optional() });
    const err = (() => {
      try {
        parseInput(schema, { settleSeconds: 9000 }, makeCtx(), 'ec2.isolate-network-interfaces');
      } catch (e) {
        return e as StepError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(StepError);
    expect(err.stepId).toBe('step-under-test');
    expect(err.message).toMatch(/ec2\.isolate-network-interfaces: invalid input .*settleSeconds: /);
  });

  it('canonicalJson ignores key order (policy documents compare equal however IAM orders them)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
