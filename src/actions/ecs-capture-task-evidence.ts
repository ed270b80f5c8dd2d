/**
 * `ecs.capture-task-evidence`: the task (DescribeTasks: containers, ENIs, launch type, overrides, container
 * instance) and its task definition (DescribeTaskDefinition: images, task role, environment, network mode) into the
 * case evidence. Reads only; fails when ECS no longer knows the task.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { defineAction } from './define-action.js';
import { DESCRIBE_TASK_PERMISSIONS, describeTask, describeTaskDefinition, resolveTask, taskEniIds, taskRoleArn } from './ecs-task-lookup.js';

const InputSchema = z.strictObject({
  // Default: the subject's task and cluster.
  taskArn: z.string().optional(),
  cluster: z.string().optional(),
});

export type CaptureTaskEvidencePreImage = { taskArn: string; cluster: string; lastStatus: string | null };

export type CaptureTaskEvidenceOutput = {
  taskArn: string;
  launchType: string | null;
  networkMode: string | null;
  networkInterfaceIds: string[];
  taskRoleArn: string | null;
  containerInstanceArn: string | null;
  evidence: string[];
};

const asEvidence = (api: string, request: unknown, response: unknown): Json => JSON.parse(JSON.stringify({ api, request, response })) as Json;

export const captureTaskEvidence = defineAction({
  name: 'ecs.capture-task-evidence',
  effect: 'read',
  input: InputSchema,
  description: 'Store the ECS task (containers, ENIs, overrides, container instance) and its task definition (images, task role, environment) as case evidence. Reads only.',
  permissions: DESCRIBE_TASK_PERMISSIONS,

  async capture(input, ctx): Promise<CaptureTaskEvidencePreImage> {
    const ref = resolveTask(input, ctx);
    const task = await describeTask(ctx, ref);
    if (task === undefined) throw ctx.fail(`task ${ref.taskArn} is not known to ECS in cluster ${ref.cluster}`);
    return { taskArn: ref.taskArn, cluster: ref.cluster, lastStatus: task.lastStatus ?? null };
  },

  async apply(input, _pre, ctx): Promise<CaptureTaskEvidenceOutput> {
    const ref = resolveTask(input, ctx);
    const written: string[] = [];
    const put = async (name: string, content: Json): Promise<void> => {
      const full = `ecs/${ref.taskId}/${name}.json`;
      await ctx.evidence.put(full, content);
      written.push(full);
    };
    const task = await describeTask(ctx, ref);
    if (task === undefined) throw ctx.fail(`task ${ref.taskArn} is not known to ECS (any more)`);
    await put('describe-tasks', asEvidence('ecs:DescribeTasks', { cluster: ref.cluster, tasks: [ref.taskArn] }, task));
    const definition = task.taskDefinitionArn === undefined ? undefined : await describeTaskDefinition(ctx, task.taskDefinitionArn);
    if (definition !== undefined) await put('describe-task-definition', asEvidence('ecs:DescribeTaskDefinition', { taskDefinition: task.taskDefinitionArn }, definition));
    return {
      taskArn: ref.taskArn,
      launchType: task.launchType ?? null,
      networkMode: definition?.networkMode ?? null,
      networkInterfaceIds: taskEniIds(task),
      taskRoleArn: taskRoleArn(task, definition) ?? null,
      containerInstanceArn: task.containerInstanceArn ?? null,
      evidence: written,
    };
  },
});
