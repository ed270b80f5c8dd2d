/**
 * `ecs.isolate-task-network`: the task's own ENI (awsvpc network mode) goes through the EC2 isolation — the same
 * two-step security-group swap, run by `ec2.isolate-network-interfaces` with the ENI ids as its input (this action
 * only finds them: DescribeTasks `attachments[].details.networkInterfaceId`). Release restores the ENI's groups.
 *
 * A task without its own ENI (bridge or host network mode, on an EC2 container instance) is not isolated here: its
 * traffic is the instance's, so the instance is what to isolate (the `ec2-instance` playbook); the step says so.
 * Whether EC2 accepts ModifyNetworkInterfaceAttribute on an ECS-managed (Fargate) task ENI is not stated by AWS
 * documents (containment reference, open item 3); it is proven against moto only. If AWS refuses, the step fails
 * with AWS's error and `stop-task` is what is left.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { isolateNetworkInterfaces, type IsolateNetworkInterfacesOutput, type IsolateNetworkInterfacesPreImage } from './ec2-isolate-network-interfaces.js';
import { DESCRIBE_TASK_PERMISSIONS, describeTask, resolveTask, taskEniIds } from './ecs-task-lookup.js';

const InputSchema = z.strictObject({
  taskArn: z.string().optional(),
  cluster: z.string().optional(),
  // Wait between the untrack group and the isolation group (as for an instance).
  settleSeconds: z.number().min(0).max(600).optional(),
});

export type IsolateTaskNetworkPreImage = { taskArn: string; networkInterfaceIds: string[]; interfaces: IsolateNetworkInterfacesPreImage | null };

export type IsolateTaskNetworkOutput = { applied: boolean; reason?: string; isolation?: IsolateNetworkInterfacesOutput };

const NO_ENI = 'the task has no ENI of its own (not awsvpc): isolate its container instance instead';

export const isolateTaskNetwork = defineAction({
  name: 'ecs.isolate-task-network',
  effect: 'contain',
  input: InputSchema,
  description:
    'Isolate the ECS task\'s own network interface (awsvpc) with the EC2 two-step security-group swap (untrack group, ' +
    'then a rule-less isolation group). Release restores the interface\'s groups.',
  permissions: [...DESCRIBE_TASK_PERMISSIONS, ...isolateNetworkInterfaces.permissions],

  async capture(input, ctx): Promise<IsolateTaskNetworkPreImage> {
    const ref = resolveTask(input, ctx);
    const task = await describeTask(ctx, ref);
    if (task === undefined) throw ctx.fail(`task ${ref.taskArn} is not known to ECS in cluster ${ref.cluster}`);
    const networkInterfaceIds = taskEniIds(task);
    if (networkInterfaceIds.length === 0) return { taskArn: ref.taskArn, networkInterfaceIds, interfaces: null };
    const interfaces = await isolateNetworkInterfaces.capture({ networkInterfaceIds, settleSeconds: input.settleSeconds }, ctx);
    return { taskArn: ref.taskArn, networkInterfaceIds, interfaces };
  },

  async apply(input, pre, ctx): Promise<IsolateTaskNetworkOutput> {
    if (pre.interfaces === null) return { applied: false, reason: NO_ENI };
    const isolation = await isolateNetworkInterfaces.apply({ networkInterfaceIds: pre.networkInterfaceIds, settleSeconds: input.settleSeconds }, pre.interfaces, ctx);
    return { applied: true, isolation };
  },

  async release(input, pre, output, ctx): Promise<Json> {
    if (pre.interfaces === null) return { action: 'none', reason: NO_ENI };
    return isolateNetworkInterfaces.release!({ networkInterfaceIds: pre.networkInterfaceIds }, pre.interfaces, output?.isolation, ctx);
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveTask(input, ctx);
    const task = await describeTask(ctx, ref);
    const ids = task === undefined ? [] : taskEniIds(task);
    if (ids.length === 0) return { holds: true, detail: `task ${ref.taskId}: ${task === undefined ? 'no longer known to ECS' : NO_ENI}` };
    return isolateNetworkInterfaces.verify!({ networkInterfaceIds: ids }, ctx);
  },
});
