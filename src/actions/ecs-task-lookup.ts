/**
 * Which ECS task an action is about, and reading it: the task ARN and cluster come from the input or the `ecs-task`
 * subject; DescribeTasks gives its ENIs (awsvpc), its task definition and role overrides; DescribeTaskDefinition its
 * task role. Names are validated here: they come from a finding, so from outside.
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { describeValue } from '../errors.js';
import type { BoundActionContext } from './action.js';
import { loadEcs } from './ecs-sdk.js';

// `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>` (the long format; the old one has no cluster segment).
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/(?:([A-Za-z0-9_-]{1,255})\/)?([A-Za-z0-9-]{1,64})$/;
const CLUSTER = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?([A-Za-z0-9_-]{1,255})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export interface TaskRef {
  readonly cluster: string;
  readonly taskArn: string;
  /** The task id: ECS names the task role's session after it. */
  readonly taskId: string;
}

/** The task of the input (`taskArn`, `cluster`) or of the `ecs-task` subject. */
export function resolveTask(input: { taskArn?: string | undefined; cluster?: string | undefined }, ctx: BoundActionContext): TaskRef {
  const subject = ctx.subject.kind === 'ecs-task' ? ctx.subject : undefined;
  const taskArn = input.taskArn ?? subject?.arn ?? subject?.id;
  if (taskArn === undefined) throw ctx.fail(`no ECS task to act on: the subject is ${describeValue(ctx.subject.kind)} and the input has no taskArn`);
  const m = TASK_ARN.exec(taskArn);
  if (m === null) throw ctx.fail(`not an ECS task ARN: ${describeValue(taskArn)}`);
  const clusterRaw = input.cluster ?? subject?.details.cluster ?? m[1];
  if (clusterRaw === undefined) throw ctx.fail(`no cluster for task ${taskArn}: give the input's cluster`);
  const c = CLUSTER.exec(clusterRaw);
  if (c === null) throw ctx.fail(`not an ECS cluster name or ARN: ${describeValue(clusterRaw)}`);
  return { cluster: clusterRaw, taskArn, taskId: m[2]! };
}

/** The task as ECS describes it now, or undefined when ECS no longer knows it. */
export async function describeTask(ctx: BoundActionContext, ref: TaskRef): Promise<Task | undefined> {
  const sdk = await loadEcs();
  const out = await ctx.aws(sdk.ECSClient).send(new sdk.DescribeTasksCommand({ cluster: ref.cluster, tasks: [ref.taskArn] }));
  return out.tasks?.find((t) => t.taskArn === ref.taskArn) ?? out.tasks?.[0];
}

export async function describeTaskDefinition(ctx: BoundActionContext, arn: string): Promise<TaskDefinition | undefined> {
  const sdk = await loadEcs();
  const out = await ctx.aws(sdk.ECSClient).send(new sdk.DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return out.taskDefinition;
}

/** The ENI ids of an awsvpc task (`attachments[].details`, name `networkInterfaceId`). */
export function taskEniIds(task: Task): string[] {
  return (task.attachments ?? [])
    .filter((a) => a.type === 'ElasticNetworkInterface')
    .flatMap((a) => (a.details ?? []).filter((d) => d.name === 'networkInterfaceId' && d.value !== undefined).map((d) => d.value!));
}

/** The role the task's containers get credentials for: the run-time override, else the task definition's. */
export function taskRoleArn(task: Task, definition: TaskDefinition | undefined): string | undefined {
  return task.overrides?.taskRoleArn ?? definition?.taskRoleArn;
}

/** `arn:…:role/path/name` → `name`, or undefined when it is not a role ARN. */
export function roleNameOf(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/** IAM resource patterns of ECS (placeholders filled by the policy generator). */
export const ECS_ARN = {
  task: 'arn:${Partition}:ecs:${Region}:${Account}:task/*',
} as const;

/** DescribeTasks on the task (DescribeTaskDefinition supports no resource-level permissions). */
export const DESCRIBE_TASK_PERMISSIONS = [
  { actions: ['ecs:DescribeTasks'], resources: [ECS_ARN.task], why: 'Read the task: its ENIs, task definition, role override and status' },
  { actions: ['ecs:DescribeTaskDefinition'], resources: ['*'], why: 'Read the task definition (no resource-level permissions)' },
] as const;
