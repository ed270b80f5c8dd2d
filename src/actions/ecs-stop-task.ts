/**
 * `ecs.stop-task`: StopTask with the case id as the reason. Destructive and IRREVERSIBLE: a stopped task cannot be
 * started again (a service starts a new task from the same definition, which may be the compromised one), and its
 * memory, processes and writable layer are gone. So it has no release, always needs approval, and comes after the
 * evidence. Idempotent: a task ECS already stops (desired status STOPPED) is left alone.
 */
import { z } from 'zod';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { loadEcs } from './ecs-sdk.js';
import { ECS_ARN, describeTask, resolveTask } from './ecs-task-lookup.js';

const InputSchema = z.strictObject({
  taskArn: z.string().optional(),
  cluster: z.string().optional(),
});

export type StopTaskPreImage = { taskArn: string; lastStatus: string | null; desiredStatus: string | null };
export type StopTaskOutput = { stopped: boolean; alreadyStopping: boolean };

export const stopTask = defineAction({
  name: 'ecs.stop-task',
  effect: 'destructive',
  input: InputSchema,
  description: 'Stop the ECS task (irreversible: its memory and processes are lost; a service replaces it from the same task definition).',
  permissions: [
    { actions: ['ecs:DescribeTasks'], resources: [ECS_ARN.task], why: 'Read the task\'s status before and after' },
    { actions: ['ecs:StopTask'], resources: [ECS_ARN.task], why: 'Stop the compromised task' },
  ],

  async capture(input, ctx): Promise<StopTaskPreImage> {
    const ref = resolveTask(input, ctx);
    const task = await describeTask(ctx, ref);
    if (task === undefined) throw ctx.fail(`task ${ref.taskArn} is not known to ECS in cluster ${ref.cluster}`);
    return { taskArn: ref.taskArn, lastStatus: task.lastStatus ?? null, desiredStatus: task.desiredStatus ?? null };
  },

  async apply(input, pre, ctx): Promise<StopTaskOutput> {
    const ref = resolveTask(input, ctx);
    const now = await describeTask(ctx, ref);
    if (now === undefined || now.desiredStatus === 'STOPPED') return { stopped: false, alreadyStopping: true };
    const sdk = await loadEcs();
    await ctx.aws(sdk.ECSClient).send(new sdk.StopTaskCommand({ cluster: ref.cluster, task: pre.taskArn, reason: `tourniquet ${ctx.caseId}`.slice(0, 255) }));
    return { stopped: true, alreadyStopping: false };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveTask(input, ctx);
    const task = await describeTask(ctx, ref);
    if (task === undefined) return { holds: true, detail: `task ${ref.taskId} is no longer known to ECS` };
    return { holds: task.desiredStatus === 'STOPPED', detail: `task ${ref.taskId}: desired ${task.desiredStatus ?? '?'}, last ${task.lastStatus ?? '?'}` };
  },
});
