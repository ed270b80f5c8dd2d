/**
 * IAM holds at most 10,240 characters of inline policy per role (all its inline policies together, whitespace not
 * counted; the quota cannot be raised). Each contained instance puts one session deny (about 420 characters) on its
 * role, so about 24 instances sharing one role can be contained at once. Past that, PutRolePolicy fails with
 * LimitExceeded; this turns it into an error that names the role, the policy, its size and the quota, and is never
 * retried (waiting does not free the space: releasing incidents on the role, or the role-wide revocation, does).
 */
import { AwsCallError } from '../errors.js';
import { awsErrorCode } from './action-support.js';

export const ROLE_INLINE_POLICY_QUOTA = 10_240;

/** Characters of a policy document as IAM counts them (no whitespace). */
export function inlinePolicySize(document: unknown): number {
  return JSON.stringify(document).length;
}

/** The clear, non-transient error for a LimitExceeded from PutRolePolicy; undefined for any other error. */
export function inlinePolicyQuotaError(err: unknown, roleName: string, policyName: string, document: unknown): AwsCallError | undefined {
  const code = awsErrorCode(err);
  if (code !== 'LimitExceeded' && code !== 'LimitExceededException') return undefined;
  return new AwsCallError(
    'iam',
    'PutRolePolicy',
    code,
    false,
    `role ${roleName}: inline policy ${policyName} (${inlinePolicySize(document)} characters) does not fit: a role holds at most ` +
      `${ROLE_INLINE_POLICY_QUOTA.toLocaleString('en-US')} characters of inline policy in all (IAM quota, not adjustable), and every ` +
      'contained instance of this role adds one. Release incidents on this role, or contain the whole role with ' +
      'revoke-role-sessions, then retry the step',
    { cause: err },
  );
}
