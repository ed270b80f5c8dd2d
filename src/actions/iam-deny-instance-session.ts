/**
 * `iam.deny-instance-session`: an inline deny on the instance's role that matches only this instance's
 * credentials, wherever they are used: the role session named after the instance (`aws:userid` =
 * `<RoleId>:<instance-id>`, EC2 names role sessions after the instance) and requests signed with credentials
 * delivered to this instance (`ec2:SourceInstanceARN`). The rest of the fleet using the role is unaffected.
 *
 * Release deletes the policy (or puts back a prior document of the same name). Caveat: stolen copies of this
 * instance's credentials become usable again after release until they expire. Release is still correct here: it
 * is a deliberate decision to return the instance to service; rotate the role's trust or wait out the session
 * lifetime first if the credentials were exfiltrated.
 */
import { z } from 'zod';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import {
  INSTANCE_PROFILE_ARN,
  partitionOfArn,
  readRolePolicy,
  resolveInstanceRole,
  sharedActiveProfileAssociation,
  sharedRolePolicy,
  sharedRolesOfProfile,
} from './iam-role-lookup.js';
import { putRolePolicy, restoreRolePolicy, sameDocument } from './role-inline-policy.js';
import { roleSessionDenyStatement } from './role-session-deny.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // The instance's role, when known (else resolved from the profile).
  roleName: z.string().optional(),
  // The instance's profile, when known (else the finding's, else the current association).
  instanceProfileArn: z.string().optional(),
});

/** Input of `iam.deny-instance-session`. */
export type DenyInstanceSessionInput = z.infer<typeof InputSchema>;

export type DenyInstanceSessionPreImage =
  | { instanceId: string; role: null }
  | {
      instanceId: string;
      role: { roleName: string; roleId: string; roleArn: string; source: string };
      policyName: string;
      /** The document of a policy of the same name before we acted, or null. */
      prior: Json | null;
    };

export type DenyInstanceSessionOutput = { applied: boolean; roleName: string | null; policyName: string | null; reason?: string };

export function denyPolicyName(instanceId: string): string {
  return `tourniquet-deny-${instanceId}`;
}

export function denyInstanceSessionDocument(role: { roleId: string; roleArn: string }, region: string, accountId: string, instanceId: string): Json {
  const partition = partitionOfArn(role.roleArn);
  return {
    Version: '2012-10-17',
    Statement: [
      roleSessionDenyStatement('TourniquetDenyInstanceRoleSession', role.roleId, instanceId),
      {
        Sid: 'TourniquetDenyInstanceCredentials',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { ArnEquals: { 'ec2:SourceInstanceARN': `arn:${partition}:ec2:${region}:${accountId}:instance/${instanceId}` } },
      },
    ],
  };
}

export const denyInstanceSession = defineAction({
  name: 'iam.deny-instance-session',
  effect: 'contain',
  input: InputSchema,
  description:
    'Deny every action to this instance\'s role session only (aws:userid = RoleId:instance-id, and ' +
    'ec2:SourceInstanceARN = the instance), as an inline policy on its role. Other instances using the role keep ' +
    'working. After release, stolen copies of the session\'s credentials work again until they expire.',
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
      why: 'Read the role id, record and put the inline deny, remove it on release',
    },
  ],

  // The pre-image's read (a policy of the deny's name already on the role), made while the first steps run: the deny
  // comes after the network's cut, and then starts with its write. The role as capture resolves it: from the
  // finding's profile (the EC2 playbook passes it as input) or else the live association, both read with the finding
  // (the profile's roles for the protected principals, src/engine/profile-roles.ts). Not with the finding: chained
  // after the profile's read, it would be a round trip before the first step.
  async readAhead(ctx) {
    if (ctx.subject.kind !== 'ec2-instance') return;
    const instanceId = ctx.subject.details.instanceId;
    const arn = ctx.subject.details.iamInstanceProfile?.arn ?? (await sharedActiveProfileAssociation(ctx, instanceId))?.IamInstanceProfile?.Arn;
    if (arn === undefined || !INSTANCE_PROFILE_ARN.test(arn)) return;
    const role = (await sharedRolesOfProfile(ctx, arn))[0];
    if (role !== undefined) await sharedRolePolicy(ctx, role.roleName, denyPolicyName(instanceId));
  },

  async capture(input, ctx): Promise<DenyInstanceSessionPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const target = await resolveInstanceRole(ctx, input, instanceId);
    if (target === undefined) return { instanceId, role: null };
    const policyName = denyPolicyName(instanceId);
    return {
      instanceId,
      role: { ...target.role, source: target.source },
      policyName,
      prior: await sharedRolePolicy(ctx, target.role.roleName, policyName),
    };
  },

  async apply(_input, pre, ctx): Promise<DenyInstanceSessionOutput> {
    if (pre.role === null) return { applied: false, roleName: null, policyName: null, reason: 'the instance has no instance profile' };
    const iam = ctx.aws(IAMClient);
    const desired = denyInstanceSessionDocument(pre.role, ctx.clients.region, ctx.clients.accountId, pre.instanceId);
    const current = ctx.preImageFresh === true ? pre.prior : await readRolePolicy(iam, pre.role.roleName, pre.policyName);
    if (!sameDocument(current, desired)) await putRolePolicy(iam, pre.role.roleName, pre.policyName, desired);
    return { applied: true, roleName: pre.role.roleName, policyName: pre.policyName };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.role === null) return { action: 'none', reason: 'the instance had no instance profile' };
    const action = await restoreRolePolicy(ctx.aws(IAMClient), pre.role.roleName, pre.policyName, pre.prior);
    return {
      action,
      roleName: pre.role.roleName,
      policyName: pre.policyName,
      caveat: 'credentials of this instance session issued before release (including stolen copies) are usable again until they expire',
    };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const target = await resolveInstanceRole(ctx, input, instanceId);
    if (target === undefined) return { holds: true, detail: `${instanceId} has no instance profile: no role session to deny` };
    const desired = denyInstanceSessionDocument(target.role, ctx.clients.region, ctx.clients.accountId, instanceId);
    const current = await readRolePolicy(ctx.aws(IAMClient), target.role.roleName, denyPolicyName(instanceId));
    const holds = sameDocument(current, desired);
    return {
      holds,
      detail: `role ${target.role.roleName} inline policy ${denyPolicyName(instanceId)}: ${current === null ? 'absent' : holds ? 'in place' : 'differs from the expected deny'}`,
    };
  },
});
