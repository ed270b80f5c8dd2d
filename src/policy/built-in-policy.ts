/**
 * The policy used when no file is given, and the defaults every file inherits: approve everything (AWS's own
 * managed incident response defaults containment to "approval required"), with the guardrails on.
 */
import type { Guardrails, Policy } from './policy.js';

/**
 * Principals that are never contained, whatever the file says (a file's list adds to these). Patterns use `arn:*:`
 * so they hold in every partition, and are matched against ARNs with and without their IAM path, because GuardDuty
 * reports session ARNs (`…:assumed-role/Name/session`) that drop the path.
 */
export const BUILT_IN_PROTECTED_PRINCIPALS: ReadonlyArray<{ readonly pattern: string; readonly why: string }> = [
  {
    pattern: 'arn:*:iam::*:role/aws-service-role/*',
    why: 'service-linked role (managed by an AWS service; its sessions cannot be revoked)',
  },
  {
    pattern: 'arn:*:iam::*:role/AWSServiceRoleFor*',
    why: 'service-linked role (managed by an AWS service; its sessions cannot be revoked)',
  },
  {
    pattern: 'arn:*:iam::*:role/AWSReservedSSO_*',
    why: 'IAM Identity Center role (managed by Identity Center; change the permission set instead)',
  },
  {
    pattern: 'arn:*:iam::*:role/OrganizationAccountAccessRole',
    why: 'AWS Organizations administrator role (break-glass access to the account)',
  },
  {
    pattern: 'arn:*:iam::*:role/AWSControlTowerExecution',
    why: 'Control Tower administrator role (break-glass access to the account)',
  },
  {
    pattern: 'arn:*:iam::*:role/AWSCloudFormationStackSetExecutionRole',
    why: 'StackSets administrator role (deploys the guardrails themselves)',
  },
];

export const DEFAULT_GUARDRAILS: Guardrails = deepFreeze({
  exemptTag: { key: 'tourniquet:exempt', value: 'true' },
  protectedPrincipals: BUILT_IN_PROTECTED_PRINCIPALS.map((p) => p.pattern),
  protectedAccounts: [],
  budget: { perAccountPerHour: 5 },
  breaker: { findings: 10, withinMinutes: 15 },
  ignoreSamples: true,
  actOnArchived: false,
});

export const BUILT_IN_SOURCE = '<built-in>';

/** Approve everything; every guardrail at its default. */
export function builtInPolicy(): Policy {
  return deepFreeze({
    version: 1,
    source: BUILT_IN_SOURCE,
    defaults: { mode: 'approve' },
    guardrails: {
      ...DEFAULT_GUARDRAILS,
      exemptTag: { ...DEFAULT_GUARDRAILS.exemptTag },
      protectedPrincipals: [...DEFAULT_GUARDRAILS.protectedPrincipals],
      protectedAccounts: [],
      budget: { ...DEFAULT_GUARDRAILS.budget },
      breaker: { ...DEFAULT_GUARDRAILS.breaker },
    },
    rules: [],
    warnings: [],
  });
}

/** Policies are shared by every decision; freezing them keeps one decision from changing the next. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
