/** The Lambda learns its own account from the responder role's ARN (so it need not ask STS). */
import { describe, expect, it } from 'vitest';
import { responderAccount } from '../../../src/lambda/lambda-runtime.js';

describe('responderAccount', () => {
  it('reads the account of a role ARN in any partition, with or without a path', () => {
    expect(responderAccount('arn:aws:iam::123456789012:role/tourniquet-responder-1a2b')).toBe('123456789012');
    expect(responderAccount('arn:aws-us-gov:iam::210987654321:role/ir/Responder')).toBe('210987654321');
    expect(responderAccount('arn:aws-cn:iam::111122223333:role/x')).toBe('111122223333');
  });

  it('gives nothing for what is not a role ARN (the account is then asked of STS)', () => {
    expect(responderAccount(undefined)).toBeUndefined();
    expect(responderAccount('')).toBeUndefined();
    expect(responderAccount('arn:aws:iam::123456789012:user/alice')).toBeUndefined();
    expect(responderAccount('arn:aws:iam::12345:role/short')).toBeUndefined();
    expect(responderAccount('arn:aws:sts::123456789012:assumed-role/r/s')).toBeUndefined();
  });
});
