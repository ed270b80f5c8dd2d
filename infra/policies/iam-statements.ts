/**
 * CrossGuard: IAM least privilege. In any IAM policy (managed, role/user/group inline, Role.inlinePolicies) no
 * Allow statement uses Action `*` / `*:*` or NotAction, and none allows a mutating action (anything but
 * Get/List/Describe/… reads) on Resource `*` without a Condition.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';
import { isReadOnlyAction } from '../iam/generate-policy.js';
import { T, asArray, policyStatements, prop, strings } from './resource-view.js';
import type { ResourceView, Statement } from './resource-view.js';

const POLICY_TYPES: ReadonlySet<string> = new Set([T.iamPolicy, T.rolePolicy, T.userPolicy, T.groupPolicy]);

export function statementViolations(statement: Statement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const label = statement.Sid ?? '(no Sid)';
  const problems: string[] = [];
  if (statement.NotAction !== undefined) problems.push(`statement ${label} uses NotAction in an Allow`);
  const actions = strings(statement.Action);
  if (actions.some((a) => a === '*' || a === '*:*')) problems.push(`statement ${label} allows Action "*"`);
  const onEverything = strings(statement.Resource).includes('*') || statement.NotResource !== undefined;
  const mutating = actions.filter((a) => a !== '*' && a !== '*:*' && !isReadOnlyAction(a));
  if (onEverything && mutating.length > 0 && statement.Condition === undefined) {
    problems.push(`statement ${label} allows mutating action(s) ${mutating.join(', ')} on Resource "*" without a condition`);
  }
  return problems;
}

/** Every problem in the IAM policy documents a resource carries (none for other resource types). */
export function iamResourceViolations(resource: ResourceView): string[] {
  const documents: unknown[] = [];
  if (POLICY_TYPES.has(resource.type)) documents.push(prop(resource, 'policy'));
  else if (resource.type === T.role) documents.push(...asArray(prop(resource, 'inlinePolicies')).map((p) => (p as { policy?: unknown }).policy));
  const problems: string[] = [];
  for (const doc of documents) {
    if (doc === undefined) continue;
    const statements = policyStatements(doc);
    if (statements === undefined) {
      problems.push('policy is not a readable JSON document');
      continue;
    }
    for (const s of statements) problems.push(...statementViolations(s));
  }
  return problems;
}

export const iamLeastPrivilege: ResourceValidationPolicy = {
  name: 'tourniquet-iam-least-privilege',
  description: 'No IAM Allow with Action "*" or NotAction; no mutating action on Resource "*" without a condition.',
  enforcementLevel: 'mandatory',
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!POLICY_TYPES.has(args.type) && args.type !== T.role) args.notApplicable('only IAM policies and roles');
    for (const problem of iamResourceViolations(args)) report(`${args.name}: ${problem}`);
  },
};
