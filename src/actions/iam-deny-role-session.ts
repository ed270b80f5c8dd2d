/**
 * `iam.deny-role-session`: an inline deny on the role that matches only one of its sessions (`aws:userid` =
 * `<RoleId>:<session name>`), wherever its credentials are used; the role's other sessions keep working. One policy per
 * session (`tourniquet-deny-session-<session name>`), so release removes exactly this deny and nothing else of the
 * role: it deletes the policy, or puts back a prior document of the same name.
 *
 * It matches the session name, not one token: a session assumed later under the same name is denied too (an attacker
 * re-assuming under it stays out; a workload that always uses one fixed name stays out until release).
 *
 * The role id is read live (GetRole); when the finding's role id differs, the role was deleted and re-created since
 * the session was issued, and the step fails rather than deny a session id that can no longer exist. Service-linked
 * and Identity Center roles are refused (protected-roles.ts). Caveat on release: stolen copies of the session's
 * credentials work again until they expire.
 */
import { z } from 'zod';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN } from './action-support.js';
import { defineAction } from './define-action.js';
import { getRole, readRolePolicy, ROLE_NAME, type RoleRef } from './iam-role-lookup.js';
import { protectedRole } from './protected-roles.js';
import { putRolePolicy, restoreRolePolicy, sameDocument } from './role-inline-policy.js';
import { ROLE_SESSION_NAME, roleSessionDenyStatement } from './role-session-deny.js';

const InputSchema = z.strictObject({
  roleName: z.string().regex(ROLE_NAME, { error: 'an IAM role name' }),
  sessionName: z.string().regex(ROLE_SESSION_NAME, { error: 'a role session name (2–64 of A-Z a-z 0-9 _ + = , . @ -)' }),
  // The role id the finding saw (`AROA…` in the principal id), checked against the live role when given.
  roleId: z.string().regex(/^[A-Z0-9]{16,128}$/, { error: 'an IAM role id (AROA…)' }).optional(),
});

/** Input of `iam.deny-role-session`. */
export type DenyRoleSessionInput = z.infer<typeof InputSchema>;

export type DenyRoleSessionPreImage = {
  role: RoleRef;
  sessionName: string;
  policyName: string;
  /** The document of a policy of the same name before we acted, or null. */
  prior: Json | null;
};

export type DenyRoleSessionOutput = { roleName: string; policyName: string; userId: string };

export const ROLE_SESSION_DENY_SID = 'TourniquetDenyRoleSession';

/** At most 17 + 64 characters: an IAM policy name takes 128 and the same characters as a session name. */
export function sessionDenyPolicyName(sessionName: string): string {
  return `tourniquet-deny-session-${sessionName}`;
}

export function denyRoleSessionDocument(roleId: string, sessionName: string): Json {
  return { Version: '2012-10-17', Statement: [roleSessionDenyStatement(ROLE_SESSION_DENY_SID, roleId, sessionName)] };
}

/** The live role, refused when protected or when it is not the role the finding's session belongs to. */
async function liveRole(ctx: BoundActionContext, input: DenyRoleSessionInput): Promise<RoleRef> {
  const role = await getRole(ctx.aws(IAMClient), input.roleName);
  const protection = protectedRole(role.roleName, role.roleArn);
  if (protection !== undefined) throw ctx.fail(`${protection.why}; Tourniquet does not change it`);
  if (input.roleId !== undefined && role.roleId !== input.roleId) {
    throw ctx.fail(`role ${input.roleName} has id ${role.roleId}, not ${input.roleId} as in the finding: it was re-created since the session was issued, so that session no longer exists`);
  }
  return role;
}

export const denyRoleSession = defineAction({
  name: 'iam.deny-role-session',
  effect: 'contain',
  input: InputSchema,
  description:
    'Deny every action to one session of a role (aws:userid = RoleId:session-name), as an inline policy on the role. ' +
    'The role\'s other sessions keep working. After release, stolen copies of the session\'s credentials work again until they expire.',
  permissions: [
    {
      actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: [ARN.iamRole],
      why: 'Read the role id, record and put the session deny, remove it on release',
    },
  ],

  async capture(input, ctx): Promise<DenyRoleSessionPreImage> {
    const role = await liveRole(ctx, input);
    const policyName = sessionDenyPolicyName(input.sessionName);
    return { role, sessionName: input.sessionName, policyName, prior: await readRolePolicy(ctx.aws(IAMClient), role.roleName, policyName) };
  },

  async apply(_input, pre, ctx): Promise<DenyRoleSessionOutput> {
    const iam = ctx.aws(IAMClient);
    const desired = denyRoleSessionDocument(pre.role.roleId, pre.sessionName);
    const current = await readRolePolicy(iam, pre.role.roleName, pre.policyName);
    if (!sameDocument(current, desired)) await putRolePolicy(iam, pre.role.roleName, pre.policyName, desired);
    return { roleName: pre.role.roleName, policyName: pre.policyName, userId: `${pre.role.roleId}:${pre.sessionName}` };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const action = await restoreRolePolicy(ctx.aws(IAMClient), pre.role.roleName, pre.policyName, pre.prior);
    return {
      action,
      roleName: pre.role.roleName,
      policyName: pre.policyName,
      caveat: 'credentials of this session issued before release (including stolen copies) are usable again until they expire',
    };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const role = await getRole(ctx.aws(IAMClient), input.roleName);
    const policyName = sessionDenyPolicyName(input.sessionName);
    const current = await readRolePolicy(ctx.aws(IAMClient), role.roleName, policyName);
    const holds = sameDocument(current, denyRoleSessionDocument(role.roleId, input.sessionName));
    return {
      holds,
      detail: `role ${role.roleName} inline policy ${policyName}: ${current === null ? 'absent' : holds ? `denies ${role.roleId}:${input.sessionName}` : 'differs from the expected deny'}`,
    };
  },
});
