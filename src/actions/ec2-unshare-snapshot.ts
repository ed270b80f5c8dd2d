/**
 * `ec2.unshare-snapshot`: a snapshot with malware must not be restorable by anyone else. Every createVolumePermission
 * entry (each account id, and the `all` group that makes it public) is recorded and removed; release adds exactly
 * the recorded entries back. Entries added after the pre-image are left alone (nothing is removed that release could
 * not restore). Re-sharing publicly on release may be refused while the Region's block public access for snapshots
 * is on: release then fails with AWS's error rather than pretending.
 */
import {
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifySnapshotAttributeCommand,
  type CreateVolumePermission,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { EC2_ARTEFACT_ARN_PATTERN, resolveSnapshotId } from './ec2-scanned-artefact.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's snapshot.
  snapshotId: z.string().optional(),
});

export type VolumePermission = { userId: string } | { group: string };
export type UnshareSnapshotPreImage = { snapshotId: string; permissions: VolumePermission[] };
export type UnshareSnapshotOutput = { removed: VolumePermission[] };

function fromAws(p: CreateVolumePermission): VolumePermission[] {
  if (p.UserId !== undefined) return [{ userId: p.UserId }];
  if (p.Group !== undefined) return [{ group: p.Group }];
  return [];
}

const key = (p: VolumePermission): string => ('userId' in p ? `user:${p.userId}` : `group:${p.group}`);

export async function readVolumePermissions(ctx: BoundActionContext, snapshotId: string): Promise<VolumePermission[]> {
  const out = await ctx.aws(EC2Client).send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }));
  return (out.CreateVolumePermissions ?? []).flatMap(fromAws).sort((a, b) => key(a).localeCompare(key(b)));
}

async function modify(ctx: BoundActionContext, snapshotId: string, op: 'add' | 'remove', entries: VolumePermission[]): Promise<void> {
  if (entries.length === 0) return;
  const userIds = entries.flatMap((p) => ('userId' in p ? [p.userId] : []));
  const groups = entries.flatMap((p) => ('group' in p ? [p.group] : []));
  // The OperationType/UserIds/GroupNames form of the API (documented by AWS alongside CreateVolumePermission
  // {Add, Remove}); moto implements only this form, and AWS accepts both.
  await ctx.aws(EC2Client).send(
    new ModifySnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
      OperationType: op,
      ...(userIds.length > 0 ? { UserIds: userIds } : {}),
      ...(groups.length > 0 ? { GroupNames: groups } : {}),
    }),
  );
}

export const unshareSnapshot = defineAction({
  name: 'ec2.unshare-snapshot',
  effect: 'contain',
  input: InputSchema,
  description: 'Remove every createVolumePermission of the snapshot (accounts and public), each recorded; release adds them back exactly.',
  permissions: [
    { actions: ['ec2:DescribeSnapshots'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'],
      resources: [EC2_ARTEFACT_ARN_PATTERN.snapshot],
      why: 'Record the snapshot’s sharing, remove it, restore it on release',
    },
  ],

  async capture(input, ctx): Promise<UnshareSnapshotPreImage> {
    const snapshotId = resolveSnapshotId(input, ctx);
    const out = await ctx.aws(EC2Client).send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })).catch((err: unknown) => {
      throw ctx.fail(`cannot read snapshot ${snapshotId} in ${ctx.clients.accountId}/${ctx.clients.region}`, err);
    });
    if ((out.Snapshots ?? []).length === 0) throw ctx.fail(`snapshot ${snapshotId} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
    return { snapshotId, permissions: await readVolumePermissions(ctx, snapshotId) };
  },

  async apply(_input, pre, ctx): Promise<UnshareSnapshotOutput> {
    const now = new Set((await readVolumePermissions(ctx, pre.snapshotId)).map(key));
    const removed = pre.permissions.filter((p) => now.has(key(p)));
    await modify(ctx, pre.snapshotId, 'remove', removed);
    return { removed };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const now = new Set((await readVolumePermissions(ctx, pre.snapshotId)).map(key));
    const missing = pre.permissions.filter((p) => !now.has(key(p)));
    await modify(ctx, pre.snapshotId, 'add', missing);
    return { action: missing.length > 0 ? 'restored' : 'none', added: missing };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const snapshotId = resolveSnapshotId(input, ctx);
    const now = await readVolumePermissions(ctx, snapshotId);
    return { holds: now.length === 0, detail: `${snapshotId}: ${now.length === 0 ? 'not shared' : `shared with ${now.map(key).join(', ')}`}` };
  },
});
