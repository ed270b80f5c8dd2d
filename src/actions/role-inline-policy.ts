/**
 * Put / restore one named inline policy on a role, keeping the prior document as the pre-image so release can put
 * it back exactly (or delete the policy when there was none).
 */
import { DeleteRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import { canonicalJson, isAwsError } from './action-support.js';
import { readRolePolicy } from './iam-role-lookup.js';
import { inlinePolicyQuotaError } from './inline-policy-quota.js';

export async function putRolePolicy(iam: IAMClient, roleName: string, policyName: string, document: Json): Promise<void> {
  try {
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
  } catch (err) {
    throw inlinePolicyQuotaError(err, roleName, policyName, document) ?? err;
  }
}

/** Restores the prior state of the policy: the prior document, or no policy. Returns what it did. */
export async function restoreRolePolicy(
  iam: IAMClient,
  roleName: string,
  policyName: string,
  prior: Json | null,
): Promise<'deleted' | 'restored' | 'unchanged'> {
  const current = await readRolePolicy(iam, roleName, policyName);
  if (prior === null) {
    if (current === null) return 'unchanged';
    try {
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err; // deleted concurrently
    }
    return 'deleted';
  }
  if (current !== null && canonicalJson(current) === canonicalJson(prior)) return 'unchanged';
  await putRolePolicy(iam, roleName, policyName, prior);
  return 'restored';
}

export function sameDocument(a: Json | null, b: Json | null): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
