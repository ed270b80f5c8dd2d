/**
 * The ECS task playbook (Runtime Monitoring and malware findings on ECS: crypto-miners, reverse shells, Docker socket
 * access …), in the containment reference's order (§7): evidence first (the task and its task definition), then the
 * task's own network interface isolated with the EC2 two-step swap (awsvpc), the task role's session denied for this
 * task only, and — destructive, irreversible, always approved by a human — the task stopped.
 *
 * A task on an EC2 container instance in bridge/host mode has no ENI of its own: its network is the instance's; the
 * finding then usually names the instance too (`instanceDetails`), which the `ec2-instance` playbook contains.
 * Pure: no I/O; the plan is data the engine journals and runs.
 */
import { z } from 'zod';
import { captureTaskEvidence } from '../actions/ecs-capture-task-evidence.js';
import { isolateTaskNetwork } from '../actions/ecs-isolate-task-network.js';
import { stopTask } from '../actions/ecs-stop-task.js';
import { denyTaskSession } from '../actions/iam-deny-task-session.js';
import { definePlaybook } from './define-playbook.js';

export const ECS_TASK_PLAYBOOK = 'ecs-task';

const EcsTaskPlaybookOptionsSchema = z.strictObject({
  // Seconds between the untrack and the isolation group on the task ENI (as for an instance; default 0).
  isolationSettleSeconds: z
    .number({ error: 'a number of seconds from 0 to 600' })
    .min(0, { error: 'a number of seconds from 0 to 600' })
    .max(600, { error: 'a number of seconds from 0 to 600' })
    .optional(),
});

export const ECS_TASK_STEPS = {
  'capture-evidence': captureTaskEvidence,
  'isolate-network': isolateTaskNetwork,
  'deny-task-session': denyTaskSession,
  'stop-task': stopTask,
} as const;

export const ecsTaskPlaybook = definePlaybook({
  name: ECS_TASK_PLAYBOOK,
  subjectKinds: ['ecs-task'],
  steps: ECS_TASK_STEPS,
  options: EcsTaskPlaybookOptionsSchema,
  plan({ subject, options, step }) {
    const base = { taskArn: subject.arn ?? subject.id, ...(subject.details.cluster !== undefined ? { cluster: subject.details.cluster } : {}) };
    return [
      step('capture-evidence', { input: base, dependsOn: [], description: 'Describe the task and its task definition (images, task role, ENIs) into the case' }),
      step('isolate-network', {
        input: { ...base, settleSeconds: options.isolationSettleSeconds ?? 0 },
        dependsOn: [],
        after: ['capture-evidence'],
        description: 'The task’s own ENI (awsvpc): untrack group (all open) then isolation group (no rules), as for an instance',
      }),
      step('deny-task-session', {
        input: base,
        dependsOn: [],
        // Once the ENI's swap is made (not read back), and also when isolation could not happen.
        after: ['isolate-network'],
        afterChangeOf: ['isolate-network'],
        description: 'Deny this task’s role session only (aws:userid = RoleId:task-id), stolen copies included',
      }),
      step('stop-task', {
        input: base,
        dependsOn: [],
        // Never before the evidence is kept: a stopped task's memory and processes are gone for good.
        requiresSuccessOf: ['capture-evidence'],
        after: ['isolate-network', 'deny-task-session'],
        description: 'Stop the task (irreversible: memory and processes are lost; a service starts a new one)',
      }),
    ];
  },
});
