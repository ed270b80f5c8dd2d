/**
 * `iam.deny-function-session`: an inline deny on the function's execution role that matches only this function's
 * credentials, wherever they are used: the role session Lambda names after the function (`aws:userid` =
 * `<RoleId>:<function-name>`) and requests signed with credentials Lambda delivered to this function
 * (`lambda:SourceFunctionArn`). Other functions sharing the role keep working. The same pattern as
 * iam-deny-instance-session.ts (and its helpers: role lookups, the put/restore of a named inline policy).
 *
 * Release deletes the policy (or puts back a prior document of the same name). Caveat: stolen copies of the
 * function's credentials are usable again after release until they expire (at most 12 hours for a Lambda session).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN } from './action-support.js';
import { defineAction } from './define-action.js';
import { getRole, partitionOfArn, readRolePolicy, type RoleRef } from './iam-role-lookup.js';
import { LAMBDA_ARN, lambdaClient, resolveFunctionName } from './lambda-function-support.js';
import { putRolePolicy, restoreRolePolicy, sameDocument } from './role-inline-policy.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
});

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export type DenyFunctionSessionPreImage =
  | { functionName: string; role: null }
  | { functionName: string; role: RoleRef; policyName: string; prior: Json | null };

export type DenyFunctionSessionOutput = { applied: boolean; roleName: string | null; policyName: string | null; reason?: string };

export function functionDenyPolicyName(functionName: string): string {
  return `tourniquet-deny-lambda-${functionName}`;
}

export function denyFunctionSessionDocument(role: { roleId: string; roleArn: string }, region: string, accountId: string, functionName: string): Json {
  const functionArn = `arn:${partitionOfArn(role.roleArn)}:lambda:${region}:${accountId}:function:${functionName}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TourniquetDenyFunctionRoleSession',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringLike: { 'aws:userid': `${role.roleId}:${functionName}` } },
      },
      {
        Sid: 'TourniquetDenyFunctionCredentials',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { ArnLike: { 'lambda:SourceFunctionArn': [functionArn, `${functionArn}:*`] } },
      },
    ],
  };
}

/** The function's execution role, read live (the finding's may be stale). */
async function executionRole(ctx: BoundActionContext, functionName: string): Promise<RoleRef | null> {
  const { sdk, lambda } = await lambdaClient(ctx);
  let arn: string | undefined;
  try {
    arn = (await lambda.send(new sdk.GetFunctionConfigurationCommand({ FunctionName: functionName }))).Role;
  } catch (err) {
    throw ctx.fail(`cannot read function ${functionName} in ${ctx.clients.accountId}/${ctx.clients.region}`, err);
  }
  if (arn === undefined || arn === '') return null;
  const name = ROLE_ARN.exec(arn)?.[1];
  if (name === undefined) throw ctx.fail(`the function's role is not an IAM role ARN: ${JSON.stringify(arn.slice(0, 160))}`);
  return getRole(ctx.aws(IAMClient), name);
}

export const denyFunctionSession = defineAction({
  name: 'iam.deny-function-session',
  effect: 'contain',
  input: InputSchema,
  description:
    'Deny every action to this function’s execution-role session only (aws:userid = RoleId:function-name, and ' +
    'lambda:SourceFunctionArn = the function), as an inline policy on the role. Other functions using the role keep ' +
    'working. After release, stolen copies of the session’s credentials work again until they expire.',
  permissions: [
    { actions: ['lambda:GetFunctionConfiguration'], resources: [LAMBDA_ARN.function], why: 'Find the function’s execution role' },
    {
      actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: [ARN.iamRole],
      why: 'Read the role id, record and put the inline deny, remove it on release',
    },
  ],

  async capture(input, ctx): Promise<DenyFunctionSessionPreImage> {
    const functionName = resolveFunctionName(input, ctx);
    const role = await executionRole(ctx, functionName);
    if (role === null) return { functionName, role: null };
    const policyName = functionDenyPolicyName(functionName);
    return { functionName, role, policyName, prior: await readRolePolicy(ctx.aws(IAMClient), role.roleName, policyName) };
  },

  async apply(_input, pre, ctx): Promise<DenyFunctionSessionOutput> {
    if (pre.role === null) return { applied: false, roleName: null, policyName: null, reason: 'the function has no execution role' };
    const iam = ctx.aws(IAMClient);
    const desired = denyFunctionSessionDocument(pre.role, ctx.clients.region, ctx.clients.accountId, pre.functionName);
    const current = await readRolePolicy(iam, pre.role.roleName, pre.policyName);
    if (!sameDocument(current, desired)) await putRolePolicy(iam, pre.role.roleName, pre.policyName, desired);
    return { applied: true, roleName: pre.role.roleName, policyName: pre.policyName };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.role === null) return { action: 'none', reason: 'the function had no execution role' };
    const action = await restoreRolePolicy(ctx.aws(IAMClient), pre.role.roleName, pre.policyName, pre.prior);
    return {
      action,
      roleName: pre.role.roleName,
      policyName: pre.policyName,
      caveat: 'credentials of this function session issued before release (including stolen copies) are usable again until they expire',
    };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const functionName = resolveFunctionName(input, ctx);
    const role = await executionRole(ctx, functionName);
    if (role === null) return { holds: true, detail: `${functionName} has no execution role: no session to deny` };
    const name = functionDenyPolicyName(functionName);
    const current = await readRolePolicy(ctx.aws(IAMClient), role.roleName, name);
    const holds = sameDocument(current, denyFunctionSessionDocument(role, ctx.clients.region, ctx.clients.accountId, functionName));
    return { holds, detail: `role ${role.roleName} inline policy ${name}: ${current === null ? 'absent' : holds ? 'in place' : 'differs from the expected deny'}` };
  },
});
