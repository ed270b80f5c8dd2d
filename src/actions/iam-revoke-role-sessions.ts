/**
 * `iam.revoke-role-sessions`: the console's "Revoke active sessions" (AWSRevokeOlderSessions-style inline
 * policy): deny `*` to every session of the role whose token was issued before now (`ctx.now()`, rounded up to the
 * next second). Destructive: it hits EVERY session of the role — for an instance role, the whole fleet, until each
 * instance's IMDS credentials are refreshed. Remove or replace the instance profile first, or IMDS simply hands the
 * compromised instance new credentials. Service-linked roles cannot be revoked this way, and Identity Center roles
 * are not changed in IAM (see protected-roles.ts): both are refused. `roleName` alone (no instance) revokes any role.
 *
 * Reversible with a caveat: release deletes the policy (or restores a prior document of the same name), and then
 * every unexpired token issued before the cut-off — stolen ones included — is valid again. Wait out the role's
 * maximum session duration before releasing when credentials were exfiltrated.
 */
import { z } from 'zod';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { readRolePolicy, resolveInstanceRole, type RoleTarget } from './iam-role-lookup.js';
import { protectedRole } from './protected-roles.js';
import { putRolePolicy, restoreRolePolicy } from './role-inline-policy.js';

const SID = 'TourniquetRevokeOlderSessions';

/**
 * One inline policy per case (`tourniquet-revoke-<caseId>`), so a re-run of this case keeps its first cut-off, two
 * incidents on the same role each keep and release their own, and the console's own `AWSRevokeOlderSessions`
 * policy is never overwritten.
 */
export function revokePolicyName(caseId: string): string {
  return `tourniquet-revoke-${caseId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 128);
}

export const REVOKE_RELEASE_CAVEAT =
  'deleting the revocation makes every unexpired token issued before the cut-off valid again, including stolen ones';

const InputSchema = z.strictObject({
  roleName: z.string().optional(),
  instanceId: z.string().optional(),
  instanceProfileArn: z.string().optional(),
});

/** Input of `iam.revoke-role-sessions`. Give `roleName`, or let the role be resolved from the instance. */
export type RevokeRoleSessionsInput = z.infer<typeof InputSchema>;

export type RevokeRoleSessionsPreImage =
  | { role: null; reason: string }
  | { role: { roleName: string; roleArn: string; source: string }; policyName: string; prior: Json | null };

export type RevokeRoleSessionsOutput = { applied: boolean; roleName: string | null; cutoff: string | null; reason?: string };

/**
 * Release of a revocation policy (this action's, and the notebook-session deny's): the role's inline policy of that
 * name put back as it was, or deleted; with the caveat that tokens cut off become valid again until they expire.
 */
export async function releaseRevocationPolicy(
  pre: { role: null; reason: string } | { role: { roleName: string }; policyName: string; prior: Json | null },
  ctx: BoundActionContext,
): Promise<Json> {
  if (pre.role === null) return { action: 'none', reason: pre.reason };
  const action = await restoreRolePolicy(ctx.aws(IAMClient), pre.role.roleName, pre.policyName, pre.prior);
  return { action, roleName: pre.role.roleName, policyName: pre.policyName, caveat: REVOKE_RELEASE_CAVEAT };
}

/** ISO-8601 without milliseconds, rounded UP to the next second so no session issued before `now` slips through. */
export function revocationCutoff(now: Date): string {
  const ms = now.getTime();
  const up = ms % 1000 === 0 ? ms : ms - (ms % 1000) + 1000;
  return new Date(up).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function revokeOlderSessionsDocument(cutoff: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }],
  };
}

function cutoffOf(doc: Json | null): string | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const statements = doc.Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  for (const s of list) {
    if (s === null || typeof s !== 'object' || Array.isArray(s) || s.Sid !== SID) continue;
    const cond = s.Condition;
    if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) continue;
    const dl = cond.DateLessThan;
    if (dl === null || typeof dl !== 'object' || Array.isArray(dl)) continue;
    const t = dl['aws:TokenIssueTime'];
    if (typeof t === 'string') return t;
  }
  return null;
}

/** With `roleName` no instance is needed; otherwise the role is the instance's (see resolveInstanceRole). */
async function resolveRole(ctx: BoundActionContext, input: RevokeRoleSessionsInput): Promise<RoleTarget | undefined> {
  const instanceId = input.roleName !== undefined && input.instanceId === undefined ? undefined : resolveInstanceId(input, ctx);
  return resolveInstanceRole(ctx, input, instanceId);
}

export const revokeRoleSessions = defineAction({
  name: 'iam.revoke-role-sessions',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Revoke every session of the role issued before now (inline deny on aws:TokenIssueTime). Hits ALL sessions of ' +
    'the role (for an instance role: the whole fleet). Run after the instance profile is removed. Release deletes ' +
    'the deny, which makes unexpired tokens issued before the cut-off (including stolen ones) valid again.',
  permissions: [
    {
      actions: ['ec2:DescribeIamInstanceProfileAssociations'],
      resources: ['*'],
      why: 'Find the instance profile (Describe calls do not support resource-level permissions)',
    },
    { actions: ['iam:GetInstanceProfile'], resources: [ARN.iamInstanceProfile], why: 'Find the role in the instance profile' },
    {
      actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: [ARN.iamRole],
      why: 'Record and put the revocation policy, remove it on release',
    },
  ],

  async capture(input, ctx): Promise<RevokeRoleSessionsPreImage> {
    const target = await resolveRole(ctx, input);
    if (target === undefined) return { role: null, reason: 'the instance has no instance profile' };
    const protection = protectedRole(target.role.roleName, target.role.roleArn);
    if (protection !== undefined) throw ctx.fail(`${protection.why}; Tourniquet does not change it`);
    return {
      role: { roleName: target.role.roleName, roleArn: target.role.roleArn, source: target.source },
      policyName: revokePolicyName(ctx.caseId),
      prior: await readRolePolicy(ctx.aws(IAMClient), target.role.roleName, revokePolicyName(ctx.caseId)),
    };
  },

  async apply(_input, pre, ctx): Promise<RevokeRoleSessionsOutput> {
    if (pre.role === null) return { applied: false, roleName: null, cutoff: null, reason: pre.reason };
    const iam = ctx.aws(IAMClient);
    const current = await readRolePolicy(iam, pre.role.roleName, pre.policyName);
    const existing = cutoffOf(current);
    if (existing !== null) {
      // An earlier run of this step already revoked. Moving the cut-off later would also cut sessions legitimately
      // issued since (e.g. the fleet's refreshed credentials), so keep it.
      return { applied: true, roleName: pre.role.roleName, cutoff: existing };
    }
    const cutoff = revocationCutoff(ctx.now());
    await putRolePolicy(iam, pre.role.roleName, pre.policyName, revokeOlderSessionsDocument(cutoff));
    return { applied: true, roleName: pre.role.roleName, cutoff };
  },

  release: (_input, pre, _output, ctx) => releaseRevocationPolicy(pre, ctx),

  async verify(input, ctx): Promise<VerifyResult> {
    const target = await resolveRole(ctx, input);
    if (target === undefined) return { holds: true, detail: 'no instance profile: no role to revoke' };
    const role = target.role;
    const current = await readRolePolicy(ctx.aws(IAMClient), role.roleName, revokePolicyName(ctx.caseId));
    const cutoff = cutoffOf(current);
    return {
      holds: cutoff !== null,
      detail: cutoff === null ? `role ${role.roleName} has no revocation policy` : `role ${role.roleName} denies tokens issued before ${cutoff}`,
    };
  },
});
