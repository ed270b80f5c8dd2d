/**
 * `ec2.unshare-image`: an AMI with malware must not be launchable by anyone else. Every launchPermission entry (each
 * account id, organisation, organisational unit, and the `all` group that makes it public) is recorded and removed;
 * release adds exactly the recorded entries back. Entries added after the pre-image are left alone. Re-sharing
 * publicly on release may be refused while the Region's block public access for AMIs is on: release then fails
 * with AWS's error. The AMI's backing snapshots are not changed (launching a shared AMI does not need them shared).
 */
import { DescribeImageAttributeCommand, DescribeImagesCommand, EC2Client, ModifyImageAttributeCommand, type LaunchPermission } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { EC2_ARTEFACT_ARN_PATTERN, resolveImageId } from './ec2-scanned-artefact.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's image.
  imageId: z.string().optional(),
});

export type ImagePermission = { userId: string } | { group: string } | { organizationArn: string } | { organizationalUnitArn: string };
export type UnshareImagePreImage = { imageId: string; permissions: ImagePermission[] };
export type UnshareImageOutput = { removed: ImagePermission[] };

function fromAws(p: LaunchPermission): ImagePermission[] {
  if (p.UserId !== undefined) return [{ userId: p.UserId }];
  if (p.Group !== undefined) return [{ group: p.Group }];
  if (p.OrganizationArn !== undefined) return [{ organizationArn: p.OrganizationArn }];
  if (p.OrganizationalUnitArn !== undefined) return [{ organizationalUnitArn: p.OrganizationalUnitArn }];
  return [];
}

function toAws(p: ImagePermission): LaunchPermission {
  if ('userId' in p) return { UserId: p.userId };
  if ('group' in p) return { Group: p.group as 'all' };
  if ('organizationArn' in p) return { OrganizationArn: p.organizationArn };
  return { OrganizationalUnitArn: p.organizationalUnitArn };
}

const key = (p: ImagePermission): string => Object.entries(p).map(([k, v]) => `${k}:${v}`).join('');

export async function readLaunchPermissions(ctx: BoundActionContext, imageId: string): Promise<ImagePermission[]> {
  const out = await ctx.aws(EC2Client).send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
  return (out.LaunchPermissions ?? []).flatMap(fromAws).sort((a, b) => key(a).localeCompare(key(b)));
}

async function modify(ctx: BoundActionContext, imageId: string, op: 'add' | 'remove', entries: ImagePermission[]): Promise<void> {
  if (entries.length === 0) return;
  const list = entries.map(toAws);
  await ctx.aws(EC2Client).send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: op === 'add' ? { Add: list } : { Remove: list } }));
}

export const unshareImage = defineAction({
  name: 'ec2.unshare-image',
  effect: 'contain',
  input: InputSchema,
  description: 'Remove every launchPermission of the AMI (accounts, organisations, OUs and public), each recorded; release adds them back exactly.',
  permissions: [
    { actions: ['ec2:DescribeImages'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'],
      resources: [EC2_ARTEFACT_ARN_PATTERN.image],
      why: 'Record the image’s sharing, remove it, restore it on release',
    },
  ],

  async capture(input, ctx): Promise<UnshareImagePreImage> {
    const imageId = resolveImageId(input, ctx);
    const out = await ctx.aws(EC2Client).send(new DescribeImagesCommand({ ImageIds: [imageId] })).catch((err: unknown) => {
      throw ctx.fail(`cannot read image ${imageId} in ${ctx.clients.accountId}/${ctx.clients.region}`, err);
    });
    if ((out.Images ?? []).length === 0) throw ctx.fail(`image ${imageId} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
    return { imageId, permissions: await readLaunchPermissions(ctx, imageId) };
  },

  async apply(_input, pre, ctx): Promise<UnshareImageOutput> {
    const now = new Set((await readLaunchPermissions(ctx, pre.imageId)).map(key));
    const removed = pre.permissions.filter((p) => now.has(key(p)));
    await modify(ctx, pre.imageId, 'remove', removed);
    return { removed };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const now = new Set((await readLaunchPermissions(ctx, pre.imageId)).map(key));
    const missing = pre.permissions.filter((p) => !now.has(key(p)));
    await modify(ctx, pre.imageId, 'add', missing);
    return { action: missing.length > 0 ? 'restored' : 'none', added: missing };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const imageId = resolveImageId(input, ctx);
    const now = await readLaunchPermissions(ctx, imageId);
    return { holds: now.length === 0, detail: `${imageId}: ${now.length === 0 ? 'not shared' : `shared with ${now.map(key).join(', ')}`}` };
  },
});
