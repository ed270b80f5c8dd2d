/**
 * `ec2.stop-instance` (destructive): stop the instance. Memory (and anything only in it) is lost; EBS volumes and
 * snapshots are kept. Refuses to stop when a required snapshot failed, so a failed evidence capture never goes
 * with a stop. Fails (AWS OperationNotPermitted) if stop protection (DisableApiStop) is on — which is why
 * `ec2.preserve-instance` never sets it. Release starts the instance again if it was running.
 */
import { DescribeSnapshotsCommand, StartInstancesCommand, StopInstancesCommand, type Snapshot } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { Action, ActionContext, VerifyResult } from './action.js';
import { ARN, parseInput, resolveInstanceId, stepError } from './action-support.js';
import { caseSnapshots, instanceEbsVolumes, requireInstance } from './ec2-lookup.js';

const NAME = 'ec2.stop-instance';

/** Input of `ec2.stop-instance`. */
export type StopInstanceInput = {
  /** Defaults to the subject's instance id. */
  instanceId?: string;
  /** Refuse to stop if any of these snapshots is in the `error` state (or does not exist). */
  requireSnapshots?: string[];
  /**
   * Refuse to stop unless every EBS volume of the instance has a snapshot tagged with this case and none of them
   * failed (the snapshots `ec2.snapshot-volumes` takes are found by their case tag).
   */
  requireCaseSnapshots?: boolean;
  /** Same as `requireCaseSnapshots: true`; names the step that took the snapshots, for people reading the plan. */
  requireSnapshotsFromStep?: string;
};

const InputSchema = z.strictObject({
  instanceId: z.string().optional(),
  requireSnapshots: z.array(z.string().regex(/^snap-[0-9a-f]{8,17}$/, 'must be a snapshot id')).optional(),
  requireCaseSnapshots: z.boolean().optional(),
  requireSnapshotsFromStep: z.string().min(1).optional(),
});

export type StopInstancePreImage = { instanceId: string; state: string | null };

export type StopInstanceOutput = { previousState: string | null; stopped: boolean; snapshotsChecked: string[] };

const RUNNING = new Set(['running', 'pending']);

async function checkSnapshots(ctx: ActionContext, input: z.infer<typeof InputSchema>, instanceId: string): Promise<string[]> {
  const checked: Snapshot[] = [];
  const ec2 = ctx.clients.ec2();
  if (input.requireSnapshots !== undefined && input.requireSnapshots.length > 0) {
    // SnapshotIds (not a filter): an unknown id is an InvalidSnapshot.NotFound error, which also refuses the stop.
    const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: input.requireSnapshots }));
    checked.push(...(out.Snapshots ?? []));
  }
  if (input.requireCaseSnapshots === true || input.requireSnapshotsFromStep !== undefined) {
    const instance = await requireInstance(ctx, NAME, instanceId);
    const volumeIds = instanceEbsVolumes(instance).map((v) => v.volumeId);
    const snaps = await caseSnapshots(ec2, ctx.caseId, volumeIds);
    const uncovered = volumeIds.filter((v) => !snaps.some((s) => s.VolumeId === v && s.State !== 'error'));
    if (uncovered.length > 0) {
      throw stepError(ctx, NAME, `refusing to stop ${instanceId}: no usable snapshot of this case for volume(s) ${uncovered.join(', ')}`);
    }
    checked.push(...snaps.filter((s) => !checked.some((c) => c.SnapshotId === s.SnapshotId)));
  }
  const failed = checked.filter((s) => s.State === 'error');
  if (failed.length > 0) {
    throw stepError(
      ctx,
      NAME,
      `refusing to stop ${instanceId}: snapshot(s) ${failed.map((s) => `${s.SnapshotId} (${s.StateMessage ?? 'error'})`).join(', ')} failed`,
    );
  }
  return checked.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
}

export const stopInstance: Action<StopInstanceInput, StopInstancePreImage, StopInstanceOutput> = {
  name: NAME,
  effect: 'destructive',
  reversible: true,
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

  async capture(input: StopInstanceInput, ctx: ActionContext): Promise<StopInstancePreImage> {
    const instanceId = resolveInstanceId(parseInput(InputSchema, input, ctx, NAME), ctx, NAME);
    const instance = await requireInstance(ctx, NAME, instanceId);
    return { instanceId, state: instance.State?.Name ?? null };
  },

  async apply(input: StopInstanceInput, pre: StopInstancePreImage, ctx: ActionContext): Promise<StopInstanceOutput> {
    const parsed = parseInput(InputSchema, input, ctx, NAME);
    const snapshotsChecked = await checkSnapshots(ctx, parsed, pre.instanceId);
    const state = (await requireInstance(ctx, NAME, pre.instanceId)).State?.Name ?? 'unknown';
    if (state === 'stopping' || state === 'stopped') return { previousState: pre.state, stopped: false, snapshotsChecked };
    if (!RUNNING.has(state)) throw stepError(ctx, NAME, `cannot stop ${pre.instanceId} in state ${state}`);
    await ctx.clients.ec2().send(new StopInstancesCommand({ InstanceIds: [pre.instanceId] }));
    return { previousState: pre.state, stopped: true, snapshotsChecked };
  },

  async release(_input: StopInstanceInput, pre: StopInstancePreImage, _output, ctx: ActionContext): Promise<Json> {
    if (pre.state === null || !RUNNING.has(pre.state)) return { action: 'none', reason: `the instance was ${pre.state ?? 'in an unknown state'} before` };
    const state = (await requireInstance(ctx, NAME, pre.instanceId)).State?.Name ?? 'unknown';
    if (RUNNING.has(state)) return { action: 'none', state };
    if (state !== 'stopped') throw stepError(ctx, NAME, `cannot start ${pre.instanceId} while it is ${state}; retry the release when it is stopped`);
    await ctx.clients.ec2().send(new StartInstancesCommand({ InstanceIds: [pre.instanceId] }));
    return { action: 'started' };
  },

  async verify(input: StopInstanceInput, ctx: ActionContext): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(parseInput(InputSchema, input, ctx, NAME), ctx, NAME);
    const state = (await requireInstance(ctx, NAME, instanceId)).State?.Name ?? 'unknown';
    return { holds: state === 'stopping' || state === 'stopped', detail: `${instanceId} is ${state}` };
  },
};
