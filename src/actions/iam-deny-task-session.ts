/**
 * `iam.deny-task-session`: an inline deny on the ECS task role that matches only this task's role session. ECS names
 * the task role's session after the task id (`aws:userid` = `<RoleId>:<task-id>`; amazon-ecs-agent issue #3498,
 * "tasks assume the task role and the session ID is the task ID"), so other tasks of the same definition and role keep
 * working, and stolen copies of this task's credentials are denied wherever they are used. There is no
 * task-credential source key like `ec2:SourceInstanceARN`, so the session id is the whole condition.
 *
 * The role is the task's run-time override, else its task definition's. Release deletes the policy (or puts back a
 * prior document of the same name); stolen copies of the session's credentials then work again until they expire.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN } from './action-support.js';
import { defineAction } from './define-action.js';
import { DESCRIBE_TASK_PERMISSIONS, describeTask, describeTaskDefinition, resolveTask, roleNameOf, taskRoleArn, type TaskRef } from './ecs-task-lookup.js';
import { getRole, readRolePolicy, type RoleRef } from './iam-role-lookup.js';
import { putRolePolicy, restoreRolePolicy, sameDocument } from './role-inline-policy.js';

const InputSchema = z.strictObject({
  taskArn: z.string().optional(),
  cluster: z.string().optional(),
});

export type DenyTaskSessionPreImage =
  | { taskArn: string; taskId: string; role: null; reason: string }
  | { taskArn: string; taskId: string; role: RoleRef; policyName: string; prior: Json | null };

export type DenyTaskSessionOutput = { applied: boolean; roleName: string | null; policyName: string | null; reason?: string };

export function denyTaskPolicyName(taskId: string): string {
  return `tourniquet-deny-task-${taskId}`;
}

export function denyTaskSessionDocument(roleId: string, taskId: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TourniquetDenyTaskRoleSession', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:userid': `${roleId}:${taskId}` } } }],
  };
}

async function resolveTaskRole(ctx: BoundActionContext, ref: TaskRef): Promise<{ role: RoleRef } | { role: null; reason: string }> {
  const task = await describeTask(ctx, ref);
  if (task === undefined) throw ctx.fail(`task ${ref.taskArn} is not known to ECS in cluster ${ref.cluster}`);
  const definition = task.taskDefinitionArn === undefined ? undefined : await describeTaskDefinition(ctx, task.taskDefinitionArn);
  const roleArn = taskRoleArn(task, definition);
  if (roleArn === undefined) return { role: null, reason: 'the task has no task role' };
  const roleName = roleNameOf(roleArn);
  if (roleName === undefined) throw ctx.fail(`the task role is not a role ARN: ${JSON.stringify(roleArn.slice(0, 200))}`);
  return { role: await getRole(ctx.aws(IAMClient), roleName) };
}

export const denyTaskSession = defineAction({
  name: 'iam.deny-task-session',
  effect: 'contain',
  input: InputSchema,
  description:
    'Deny every action to this ECS task\'s role session only (aws:userid = RoleId:task-id), as an inline policy on ' +
    'the task role. Other tasks using the role keep working. After release, stolen copies of the session\'s ' +
    'credentials work again until they expire.',
  permissions: [
    ...DESCRIBE_TASK_PERMISSIONS,
    { actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'], resources: [ARN.iamRole], why: 'Read the role id, record and put the inline deny, remove it on release' },
  ],

  async capture(input, ctx): Promise<DenyTaskSessionPreImage> {
    const ref = resolveTask(input, ctx);
    const target = await resolveTaskRole(ctx, ref);
    if (target.role === null) return { taskArn: ref.taskArn, taskId: ref.taskId, role: null, reason: target.reason };
    const policyName = denyTaskPolicyName(ref.taskId);
    return { taskArn: ref.taskArn, taskId: ref.taskId, role: target.role, policyName, prior: await readRolePolicy(ctx.aws(IAMClient), target.role.roleName, policyName) };
  },

  async apply(_input, pre, ctx): Promise<DenyTaskSessionOutput> {
    if (pre.role === null) return { applied: false, roleName: null, policyName: null, reason: pre.reason };
    const iam = ctx.aws(IAMClient);
    const desired = denyTaskSessionDocument(pre.role.roleId, pre.taskId);
    if (!sameDocument(await readRolePolicy(iam, pre.role.roleName, pre.policyName), desired)) await putRolePolicy(iam, pre.role.roleName, pre.policyName, desired);
    return { applied: true, roleName: pre.role.roleName, policyName: pre.policyName };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.role === null) return { action: 'none', reason: pre.reason };
    const action = await restoreRolePolicy(ctx.aws(IAMClient), pre.role.roleName, pre.policyName, pre.prior);
    return { action, roleName: pre.role.roleName, policyName: pre.policyName, caveat: 'credentials of this task session issued before release (including stolen copies) are usable again until they expire' };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveTask(input, ctx);
    const target = await resolveTaskRole(ctx, ref);
    if (target.role === null) return { holds: true, detail: `task ${ref.taskId}: ${target.reason}; no role session to deny` };
    const current = await readRolePolicy(ctx.aws(IAMClient), target.role.roleName, denyTaskPolicyName(ref.taskId));
    const holds = sameDocument(current, denyTaskSessionDocument(target.role.roleId, ref.taskId));
    return { holds, detail: `role ${target.role.roleName} inline policy ${denyTaskPolicyName(ref.taskId)}: ${current === null ? 'absent' : holds ? 'in place' : 'differs from the expected deny'}` };
  },
});
