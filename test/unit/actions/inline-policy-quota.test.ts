/**
 * The role's inline-policy quota: each contained instance puts one session deny on its role, and IAM holds 10,240
 * characters of inline policy per role. The fake IAM below refuses a PutRolePolicy past the quota the way IAM does
 * (LimitExceeded, HTTP 409: moto does not enforce this quota), and the step's error must then name the role, the
 * policy, its size and the quota, and not be retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { IAMClient, LimitExceededException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { denyInstanceSessionDocument, denyPolicyName } from '../../../src/actions/iam-deny-instance-session.js';
import { ROLE_INLINE_POLICY_QUOTA, inlinePolicySize } from '../../../src/actions/inline-policy-quota.js';
import { putRolePolicy } from '../../../src/actions/role-inline-policy.js';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { AwsCallError } from '../../../src/errors.js';
import { ACCOUNT, REGION } from './action-fixtures.js';

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());

const ROLE = { roleName: 'gpu-node-role', roleId: 'AROA3XFRBF23EXAMPLE1', roleArn: `arn:aws:iam::${ACCOUNT}:role/gpu-node-role` };
const instanceId = (i: number): string => `i-0${i.toString(16).padStart(16, '0')}`;

/** IAM's inline policies of one role, with the aggregate-size quota IAM enforces. */
function roleWithQuota(): Map<string, string> {
  const policies = new Map<string, string>();
  iam.on(PutRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
    const next = new Map(policies).set(input.PolicyName, input.PolicyDocument);
    const total = [...next.values()].reduce((sum, doc) => sum + JSON.stringify(JSON.parse(doc)).length, 0);
    if (total > ROLE_INLINE_POLICY_QUOTA) {
      throw new LimitExceededException({
        message: `Maximum policy size of ${ROLE_INLINE_POLICY_QUOTA} bytes exceeded for role ${input.RoleName}`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    policies.set(input.PolicyName, input.PolicyDocument);
    return {};
  });
  return policies;
}

describe('inline session denies and the role quota', () => {
  it('a session deny is about 420 characters, so about 24 instances of one role fit', () => {
    const size = inlinePolicySize(denyInstanceSessionDocument(ROLE, REGION, ACCOUNT, instanceId(1)));
    expect(size).toBeGreaterThan(380);
    expect(size).toBeLessThan(460);
    expect(Math.floor(ROLE_INLINE_POLICY_QUOTA / size)).toBe(24);
  });

  it('past the quota: a non-transient error naming the role, the policy, its size and the quota; nothing else changed', async () => {
    const policies = roleWithQuota();
    const client = new IAMClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    let contained = 0;
    let failure: unknown;
    for (let i = 1; i <= 30 && failure === undefined; i += 1) {
      const doc = denyInstanceSessionDocument(ROLE, REGION, ACCOUNT, instanceId(i));
      try {
        await putRolePolicy(client, ROLE.roleName, denyPolicyName(instanceId(i)), doc);
        contained += 1;
      } catch (err) {
        failure = err;
      }
    }
    expect(contained).toBe(24);
    expect(policies.size).toBe(24);
    expect(failure).toBeInstanceOf(AwsCallError);
    const err = failure as AwsCallError;
    const size = inlinePolicySize(denyInstanceSessionDocument(ROLE, REGION, ACCOUNT, instanceId(25)));
    expect(err.message).toContain(`role gpu-node-role: inline policy ${denyPolicyName(instanceId(25))} (${size} characters) does not fit`);
    expect(err.message).toContain('10,240 characters of inline policy');
    expect(err.transient).toBe(false);
    expect(isTransientAwsError(err)).toBe(false);
    expect(err.cause).toBeInstanceOf(LimitExceededException);
  });

  it('other PutRolePolicy failures pass through unchanged', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    iam.on(PutRolePolicyCommand).rejects(denied);
    const client = new IAMClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await expect(putRolePolicy(client, ROLE.roleName, 'p', {})).rejects.toBe(denied);
  });
});
