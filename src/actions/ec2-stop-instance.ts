/**
 * `ec2.stop-instance` (destructive): stop the instance. Memory (and anything only in it) is lost; EBS volumes and
 * snapshots are kept. Refuses to stop when a required snapshot failed, so a failed evidence capture never goes
 * with a stop. Fails (AWS OperationNotPermitted) if stop protection (DisableApiStop) is on — which is why
 * `ec2.preserve-instance` never sets it. Release starts the instance again if it was running.
 */
import { DescribeSnapshotsCommand, StartInstancesCommand, StopInstancesCommand, type Snapshot, EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { caseSnapshots, instanceEbsVolumes, requireInstance } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // Refuse to stop if any of these snapshots is in the `error` state (or does not exist).
  requireSnapshots: z.array(z.string().regex(/^snap-[0-9a-f]{8,17}$/, 'must be a snapshot id')).optional(),
  // Refuse to stop unless every EBS volume of the instance has a snapshot tagged with this case and none of them
  // failed (the snapshots `ec2.snapshot-volumes` takes are found by their case tag).
  requireCaseSnapshots: z.boolean().optional(),
  // Same as `requireCaseSnapshots: true`; names the step that took the snapshots, for people reading the plan.
  requireSnapshotsFromStep: z.string().min(1).optional(),
});

/** Input of `ec2.stop-instance`. */
export type StopInstanceInput = z.infer<typeof InputSchema>;

export type StopInstancePreImage = { instanceId: string; state: string | null };

export type StopInstanceOutput = { previousState: string | null; stopped: boolean; snapshotsChecked: string[] };

const RUNNING = new Set(['running', 'pending']);

async function checkSnapshots(ctx: BoundActionContext, input: StopInstanceInput, instanceId: string): Promise<string[]> {
  const checked: Snapshot[] = [];
  const ec2 = ctx.aws(EC2Client);
  if (input.requireSnapshots !== undefined && input.requireSnapshots.length > 0) {
    // SnapshotIds (not a filter): an unknown id is an InvalidSnapshot.NotFound error, which also refuses the stop.
    const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: input.requireSnapshots }));
    checked.push(...(out.Snapshots ?? []));
  }
  if (input.requireCaseSnapshots === true || input.requireSnapshotsFromStep !== undefined) {
    const instance = await requireInstance(ctx, instanceId);
    const volumeIds = instanceEbsVolumes(instance).map((v) => v.volumeId);
    const snaps = await caseSnapshots(ec2, ctx.caseId, volumeIds);
    const uncovered = volumeIds.filter((v) => !snaps.some((s) => s.VolumeId === v && s.State !== 'error'));
    if (uncovered.length > 0) {
      throw ctx.fail(`refusing to stop ${instanceId}: no usable snapshot of this case for volume(s) ${uncovered.join(', ')}`);
    }
    checked.push(...snaps.filter((s) => !checked.some((c) => c.SnapshotId === s.SnapshotId)));
  }
  const failed = checked.filter((s) => s.State === 'error');
  if (failed.length > 0) {
    throw ctx.fail(
      `refusing to stop ${instanceId}: snapshot(s) ${failed.map((s) => `${s.SnapshotId} (${s.StateMessage ?? 'error'})`).join(', ')} failed`,
    );
  }
  return checked.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
}

export const stopInstance = defineAction({
  name: 'ec2.stop-instance',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Stop the instance (memory is lost; volumes and snapshots are kept). Refuses when a required snapshot failed. ' +
    'Release starts it again if it was running.',
  permissions: [
    { actions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:StopInstances', 'ec2:StartInstances'],
      resources: [ARN.ec2Instance],
      why: 'Stop the instance, start it again on release',
    },
    {
      actions: ['kms:CreateGrant'],
      resources: ['arn:${Partition}:kms:${Region}:${Account}:key/*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' } },
      why: 'Starting an instance whose volumes use a customer-managed key lets EC2 create a grant on that key',
    },
  ],

  async capture(input, ctx): Promise<StopInstancePreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const instance = await requireInstance(ctx, instanceId);
    return { instanceId, state: instance.State?.Name ?? null };
  },

  async apply(input, pre, ctx): Promise<StopInstanceOutput> {
    const snapshotsChecked = await checkSnapshots(ctx, input, pre.instanceId);
    const state = (await requireInstance(ctx, pre.instanceId)).State?.Name ?? 'unknown';
    if (state === 'stopping' || state === 'stopped') return { previousState: pre.state, stopped: false, snapshotsChecked };
    if (!RUNNING.has(state)) throw ctx.fail(`cannot stop ${pre.instanceId} in state ${state}`);
    await ctx.aws(EC2Client).send(new StopInstancesCommand({ InstanceIds: [pre.instanceId] }));
    return { previousState: pre.state, stopped: true, snapshotsChecked };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.state === null || !RUNNING.has(pre.state)) return { action: 'none', reason: `the instance was ${pre.state ?? 'in an unknown state'} before` };
    const state = (await requireInstance(ctx, pre.instanceId)).State?.Name ?? 'unknown';
    if (RUNNING.has(state)) return { action: 'none', state };
    if (state !== 'stopped') throw ctx.fail(`cannot start ${pre.instanceId} while it is ${state}; retry the release when it is stopped`);
    await ctx.aws(EC2Client).send(new StartInstancesCommand({ InstanceIds: [pre.instanceId] }));
    return { action: 'started' };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const state = (await requireInstance(ctx, instanceId)).State?.Name ?? 'unknown';
    return { holds: state === 'stopping' || state === 'stopped', detail: `${instanceId} is ${state}` };
  },
});
