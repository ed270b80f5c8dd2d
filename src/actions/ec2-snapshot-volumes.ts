/**
 * `ec2.snapshot-volumes`: crash-consistent snapshots of every EBS volume of the instance (CreateSnapshots), tagged
 * with the case. Evidence, not reversible: the snapshots are kept. Idempotent: volumes that already have a snapshot
 * tagged with this case are not snapshotted again.
 */
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, TAG, httpStatusOf, isAwsError, resolveInstanceId, tagValue } from './action-support.js';
import { defineAction } from './define-action.js';
import { caseSnapshots, instanceEbsVolumes, requireSharedInstance } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `ec2.snapshot-volumes`. */
export type SnapshotVolumesInput = z.infer<typeof InputSchema>;

export type SnapshotVolumesPreImage = {
  instanceId: string;
  rootDeviceName: string | null;
  volumes: Array<{ volumeId: string; deviceName: string }>;
  /** Snapshots of this case that already existed before this run. */
  existingSnapshotIds: string[];
};

export type SnapshotVolumesOutput = {
  /** Every snapshot of this case for the instance's volumes (existing and new). */
  snapshotIds: string[];
  createdSnapshotIds: string[];
  /** `create-snapshots` (multi-volume, crash-consistent), `create-snapshot` (per-volume fallback) or `none`. */
  method: 'create-snapshots' | 'create-snapshot' | 'none';
};

/**
 * The endpoint does not implement CreateSnapshots (some emulators, some partitions). We fall back ONLY on these
 * codes or HTTP 501. moto answers an unimplemented action with a bare HTTP 500, which cannot be told apart from a
 * real server fault, so it is NOT treated as "unsupported" (moto 5.2 implements CreateSnapshots anyway).
 */
function isUnsupported(err: unknown): boolean {
  return isAwsError(err, 'UnsupportedOperation', 'NotImplemented', 'InvalidAction') || httpStatusOf(err) === 501;
}

function description(ctx: BoundActionContext, instanceId: string): string {
  const text = `Tourniquet evidence: case ${ctx.caseId}, instance ${instanceId}`;
  return text.length > 255 ? text.slice(0, 255) : text;
}

function caseTags(ctx: BoundActionContext): Tag[] {
  return [
    { Key: TAG.case, Value: tagValue(ctx.caseId) },
    { Key: TAG.incident, Value: tagValue(ctx.incidentId) },
  ];
}

/** Per-volume fallback: CreateSnapshot cannot copy tags from the volume, so we copy them ourselves. */
async function snapshotEachVolume(ec2: EC2Client, ctx: BoundActionContext, instanceId: string, volumeIds: string[]): Promise<string[]> {
  const vols = await ec2.send(new DescribeVolumesCommand({ VolumeIds: volumeIds }));
  const tagsByVolume = new Map<string, Tag[]>();
  for (const v of vols.Volumes ?? []) {
    // `aws:` keys are reserved and cannot be set by callers.
    if (v.VolumeId) tagsByVolume.set(v.VolumeId, (v.Tags ?? []).filter((t) => !t.Key?.startsWith('aws:') && !t.Key?.startsWith('tourniquet:')));
  }
  const created: string[] = [];
  for (const volumeId of volumeIds) {
    const out = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: description(ctx, instanceId),
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [...(tagsByVolume.get(volumeId) ?? []), ...caseTags(ctx)] }],
      }),
    );
    if (out.SnapshotId) created.push(out.SnapshotId);
  }
  return created;
}

export const snapshotVolumes = defineAction({
  name: 'ec2.snapshot-volumes',
  effect: 'evidence',
  input: InputSchema,
  description:
    'Take crash-consistent snapshots of every EBS volume of the instance (CreateSnapshots, tags copied from the ' +
    'volumes plus tourniquet:case / tourniquet:incident). The snapshots are kept on release.',
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    {
      actions: ['ec2:CreateSnapshots'],
      resources: [ARN.ec2Instance, ARN.ec2Volume, ARN.ec2Snapshot],
      why: 'Snapshot all volumes of the instance at once',
    },
    {
      actions: ['ec2:CreateSnapshot'],
      resources: [ARN.ec2Volume, ARN.ec2Snapshot],
      why: 'Per-volume fallback where CreateSnapshots is not supported',
    },
    {
      actions: ['ec2:CreateTags'],
      resources: [ARN.ec2Snapshot],
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshots', 'CreateSnapshot'] } },
      why: 'Tag snapshots with the case when they are created (tag-on-create only)',
    },
  ],

  async capture(input, ctx): Promise<SnapshotVolumesPreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    // Both at once: the case's snapshots are found by the case tag, then matched to the volumes. Before the step's
    // first attempt there can be none (only this step tags snapshots with the case): no round trip to find them.
    const [instance, ofCase] = await Promise.all([requireSharedInstance(ctx, instanceId), ctx.firstAttempt === true ? Promise.resolve([]) : caseSnapshots(ctx.aws(EC2Client), ctx.caseId)]);
    const volumes = instanceEbsVolumes(instance).map((v) => ({ volumeId: v.volumeId, deviceName: v.deviceName }));
    const existing = ofCase.filter((snap) => volumes.some((v) => v.volumeId === snap.VolumeId));
    return {
      instanceId,
      rootDeviceName: instance.RootDeviceName ?? null,
      volumes,
      existingSnapshotIds: existing.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])),
    };
  },

  async apply(_input, pre, ctx): Promise<SnapshotVolumesOutput> {
    const ec2 = ctx.aws(EC2Client);
    const volumeIds = pre.volumes.map((v) => v.volumeId);
    // Re-read: a previous run of this step may have created some after the pre-image was taken (not when the
    // pre-image was read just now and found none).
    const existing = ctx.preImageFresh === true && pre.existingSnapshotIds.length === 0 ? [] : await caseSnapshots(ec2, ctx.caseId, volumeIds);
    const covered = new Set(existing.flatMap((s) => (s.State !== 'error' && s.VolumeId ? [s.VolumeId] : [])));
    const missing = pre.volumes.filter((v) => !covered.has(v.volumeId));
    const existingIds = existing.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
    if (missing.length === 0) return { snapshotIds: existingIds, createdSnapshotIds: [], method: 'none' };

    const root = pre.volumes.find((v) => v.deviceName === pre.rootDeviceName);
    const rootMissing = root !== undefined && missing.some((v) => v.volumeId === root.volumeId);
    const excludeData = pre.volumes.filter((v) => v !== root && covered.has(v.volumeId)).map((v) => v.volumeId);
    let created: string[];
    let method: SnapshotVolumesOutput['method'];
    try {
      const out = await ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: {
            InstanceId: pre.instanceId,
            ExcludeBootVolume: !rootMissing,
            ...(excludeData.length > 0 ? { ExcludeDataVolumeIds: excludeData } : {}),
          },
          CopyTagsFromSource: 'volume',
          Description: description(ctx, pre.instanceId),
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: caseTags(ctx) }],
        }),
      );
      created = (out.Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
      method = 'create-snapshots';
    } catch (err) {
      if (!isUnsupported(err)) throw err;
      created = await snapshotEachVolume(ec2, ctx, pre.instanceId, missing.map((v) => v.volumeId));
      method = 'create-snapshot';
    }
    return { snapshotIds: [...existingIds, ...created], createdSnapshotIds: created, method };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    // Which volumes: identity, from the run's shared answer; the snapshots themselves are read afresh.
    const instance = await requireSharedInstance(ctx, instanceId);
    const volumeIds = instanceEbsVolumes(instance).map((v) => v.volumeId);
    const snaps = await caseSnapshots(ctx.aws(EC2Client), ctx.caseId, volumeIds);
    const uncovered = volumeIds.filter((id) => !snaps.some((s) => s.VolumeId === id && s.State !== 'error'));
    const failed = snaps.filter((s) => s.State === 'error').map((s) => s.SnapshotId ?? '?');
    const holds = uncovered.length === 0 && failed.length === 0;
    return {
      holds,
      detail:
        `${snaps.length} case snapshot(s) for ${volumeIds.length} volume(s)` +
        (uncovered.length > 0 ? `; no snapshot for ${uncovered.join(', ')}` : '') +
        (failed.length > 0 ? `; failed: ${failed.join(', ')}` : '') +
        `; states: ${snaps.map((s) => `${s.SnapshotId}=${s.State}`).join(', ') || 'none'}`,
    };
  },
});
