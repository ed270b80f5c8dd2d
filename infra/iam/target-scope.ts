/**
 * Where a role may act, said once per role instead of in every ARN.
 *
 * - `DenyOutsideTargetRegions`: the action permissions' ARNs carry `*` for the Region; this Deny refuses every call
 *   of those regional services (`ec2:*`, `autoscaling:*` …) whose `aws:RequestedRegion` is not a target Region.
 *   Every request carries `aws:RequestedRegion`, so the Deny never misses for want of the key.
 * - `DenyOutsideTargetAccounts` (only when the actions work in several accounts): their ARNs carry `*` for the
 *   account, and this Deny refuses the actions that name a resource when `aws:ResourceAccount` is not a target
 *   account. Wildcard-only actions (Describe*, List*) have no resource and so no such key; they are left out, and
 *   they only read.
 *
 * Allow statements alone would need the 17 Regions (or 40 accounts) in every one of them; these cost one list each.
 */
import type { IamPermission } from '../../src/actions/action.js';
import { actionStatements } from './generate-policy.js';
import type { ExpandContext, PolicyStatement } from './generate-policy.js';
import { mergeSameActions } from './pack-policies.js';

/** The services whose permissions name a `${Region}` ARN: the ones the Region Deny covers (`svc:*`). */
export function regionalServices(permissions: readonly IamPermission[]): string[] {
  const services = permissions
    .filter((p) => p.resources.some((r) => r.includes('${Region}')))
    .flatMap((p) => p.actions.map((a) => a.slice(0, a.indexOf(':'))));
  return [...new Set(services)].sort();
}

export function targetScopeStatements(permissions: readonly IamPermission[], ctx: ExpandContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const services = regionalServices(permissions);
  if (services.length > 0) {
    statements.push({
      Sid: 'DenyOutsideTargetRegions',
      Effect: 'Deny',
      Action: services.map((s) => `${s}:*`),
      Resource: ['*'],
      Condition: { StringNotEquals: { 'aws:RequestedRegion': oneOrMany(ctx.regions) } },
    });
  }
  if (ctx.accounts.length > 1) {
    const actions = permissions.filter((p) => p.resources.some((r) => r.includes('${Account}'))).flatMap((p) => p.actions);
    if (actions.length > 0) {
      statements.push({
        Sid: 'DenyOutsideTargetAccounts',
        Effect: 'Deny',
        Action: [...new Set(actions)].sort(),
        Resource: ['*'],
        Condition: { StringNotEquals: { 'aws:ResourceAccount': oneOrMany(ctx.accounts) } },
      });
    }
  }
  return statements;
}

/** A role's action permissions: the Allow statements plus the Deny statements that keep them to the targets. */
export function rolePermissionStatements(permissions: readonly IamPermission[], ctx: ExpandContext): PolicyStatement[] {
  return [...mergeSameActions(actionStatements(permissions, ctx)), ...targetScopeStatements(permissions, ctx)];
}

function oneOrMany(values: readonly string[]): string | string[] {
  const list = [...new Set(values)];
  return list.length === 1 ? list[0]! : list;
}
