/**
 * IAM's limits on one role's policies, checked together: each managed policy at most 6,144 characters, at most 10
 * managed policies attached (the default quota), and at most 10,240 characters of inline policy in all.
 */
import { MANAGED_POLICY_MAX_CHARS, MAX_POLICIES_PER_ROLE, ROLE_INLINE_POLICY_MAX_CHARS, policySize } from './pack-policies.js';
import type { PolicyDocument } from './pack-policies.js';

export interface RolePolicies {
  readonly role: string;
  readonly managed: readonly PolicyDocument[];
  readonly inline: readonly PolicyDocument[];
}

export interface RolePolicyFigures {
  readonly role: string;
  readonly managedCount: number;
  readonly managedSizes: number[];
  readonly inlineChars: number;
}

export function rolePolicyFigures(r: RolePolicies): RolePolicyFigures {
  return {
    role: r.role,
    managedCount: r.managed.length,
    managedSizes: r.managed.map(policySize),
    inlineChars: r.inline.reduce((sum, doc) => sum + policySize(doc), 0),
  };
}

/** Every limit the role's policies break, as sentences; empty when they fit. */
export function roleLimitViolations(r: RolePolicies): string[] {
  const f = rolePolicyFigures(r);
  const problems: string[] = [];
  if (f.managedCount > MAX_POLICIES_PER_ROLE) problems.push(`${r.role}: ${f.managedCount} managed policies; a role takes ${MAX_POLICIES_PER_ROLE}`);
  f.managedSizes.forEach((size, i) => {
    if (size > MANAGED_POLICY_MAX_CHARS) problems.push(`${r.role}: managed policy ${i + 1} is ${size} characters; at most ${MANAGED_POLICY_MAX_CHARS}`);
  });
  if (f.inlineChars > ROLE_INLINE_POLICY_MAX_CHARS) {
    problems.push(`${r.role}: ${f.inlineChars} characters of inline policy; at most ${ROLE_INLINE_POLICY_MAX_CHARS}`);
  }
  return problems;
}
