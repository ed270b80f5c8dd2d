/**
 * `ec2.tag-scanned-artefact`: mark a snapshot or AMI that a malware scan flagged (`tourniquet:case`,
 * `tourniquet:status`, `tourniquet:finding-type`, `tourniquet:finding-id`) so nobody restores or launches it
 * unawares, and record its description into the case. Release restores exactly the recorded values of those keys
 * (deleting the ones that did not exist), as `ec2.tag-instance` does.
 */
import { CreateTagsCommand, DeleteTagsCommand, DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { TAG, tagValue } from './action-support.js';
import { defineAction } from './define-action.js';
import { EC2_ARTEFACT_ARN_PATTERN, scannedArtefactOf } from './ec2-scanned-artefact.js';

const FINDING_ID = 'tourniquet:finding-id';
const KEYS = [TAG.case, TAG.status, TAG.findingType, FINDING_ID] as const;
const ARTEFACT_ID = /^(?:snap|ami)-[0-9a-f]{8,17}$/;

const InputSchema = z.strictObject({
  // A snapshot (snap-…) or AMI (ami-…) id; defaults to the subject's artefact.
  resourceId: z.string().regex(ARTEFACT_ID, { error: 'a snapshot (snap-…) or AMI (ami-…) id' }).optional(),
  // Value of `tourniquet:status` (default `malware-found`).
  status: z.string().min(1).max(256).optional(),
  findingType: z.string().min(1).optional(),
  findingId: z.string().min(1).optional(),
});

export type TagArtefactPreImage = { resourceId: string; prior: Array<{ key: string; value: string | null }> };
export type TagArtefactOutput = { written: Array<{ key: string; value: string }> };

function resolveArtefactId(input: { resourceId?: string | undefined }, ctx: BoundActionContext): string {
  const id = input.resourceId ?? scannedArtefactOf(ctx.subject)?.id;
  if (id === undefined) throw ctx.fail(`no snapshot or AMI to tag: the subject ${ctx.subject.kind} ${JSON.stringify(ctx.subject.id)} names no EC2 artefact and the input has no resourceId`);
  return id;
}

/** The artefact's description and tags; a StepError when it does not exist. */
async function describe(ctx: BoundActionContext, id: string): Promise<{ record: Json; tags: Map<string, string> }> {
  const ec2 = ctx.aws(EC2Client);
  let found: { Tags?: Tag[] } | undefined;
  try {
    found = id.startsWith('snap-')
      ? (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0]
      : (await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0];
  } catch (err) {
    throw ctx.fail(`cannot read ${id} in ${ctx.clients.accountId}/${ctx.clients.region}`, err);
  }
  if (found === undefined) throw ctx.fail(`${id} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
  const tags = new Map<string, string>();
  for (const t of found.Tags ?? []) if (t.Key !== undefined) tags.set(t.Key, t.Value ?? '');
  return { record: JSON.parse(JSON.stringify(found)) as Json, tags };
}

async function writeTags(ec2: EC2Client, id: string, tags: Array<{ key: string; value: string }>): Promise<void> {
  if (tags.length === 0) return;
  await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) }));
}

export const tagScannedArtefact = defineAction({
  name: 'ec2.tag-scanned-artefact',
  effect: 'contain',
  input: InputSchema,
  description:
    'Tag the flagged snapshot or AMI with the case id, status and finding, and record its description. Release ' +
    'restores the previous values of those tags (or removes them).',
  permissions: [
    { actions: ['ec2:DescribeSnapshots', 'ec2:DescribeImages'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [EC2_ARTEFACT_ARN_PATTERN.snapshot, EC2_ARTEFACT_ARN_PATTERN.image],
      // DeleteTags without a tag list deletes every tag and carries no aws:TagKeys, which ForAllValues would accept.
      conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'tourniquet:*' }, Null: { 'aws:TagKeys': 'false' } },
      why: 'Write and restore Tourniquet\'s own tag keys only',
    },
  ],

  async capture(input, ctx): Promise<TagArtefactPreImage> {
    const resourceId = resolveArtefactId(input, ctx);
    const { tags } = await describe(ctx, resourceId);
    return { resourceId, prior: KEYS.map((key) => ({ key, value: tags.get(key) ?? null })) };
  },

  async apply(input, pre, ctx): Promise<TagArtefactOutput> {
    const { record, tags } = await describe(ctx, pre.resourceId);
    await ctx.evidence.put(`artefact-${pre.resourceId}.json`, { capturedAt: ctx.now().toISOString(), artefact: record });
    const desired = [
      { key: TAG.case, value: tagValue(ctx.caseId) },
      { key: TAG.status, value: tagValue(input.status ?? 'malware-found') },
      ...(input.findingType !== undefined ? [{ key: TAG.findingType, value: tagValue(input.findingType) }] : []),
      ...(input.findingId !== undefined ? [{ key: FINDING_ID, value: tagValue(input.findingId) }] : []),
    ];
    const toWrite = desired.filter((d) => tags.get(d.key) !== d.value);
    await writeTags(ctx.aws(EC2Client), pre.resourceId, toWrite);
    return { written: toWrite };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const ec2 = ctx.aws(EC2Client);
    const { tags } = await describe(ctx, pre.resourceId);
    const restore = pre.prior.flatMap((p) => (p.value !== null && tags.get(p.key) !== p.value ? [{ key: p.key, value: p.value }] : []));
    const remove = pre.prior.filter((p) => p.value === null && tags.has(p.key)).map((p) => p.key);
    await writeTags(ec2, pre.resourceId, restore);
    if (remove.length > 0) await ec2.send(new DeleteTagsCommand({ Resources: [pre.resourceId], Tags: remove.map((Key) => ({ Key })) }));
    return { restored: restore.map((r) => r.key), removed: remove };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const id = resolveArtefactId(input, ctx);
    const { tags } = await describe(ctx, id);
    const status = input.status ?? 'malware-found';
    return {
      holds: tags.get(TAG.case) === ctx.caseId && tags.get(TAG.status) === status,
      detail: `${id}: ${TAG.case}=${tags.get(TAG.case) ?? '(none)'}, ${TAG.status}=${tags.get(TAG.status) ?? '(none)'}`,
    };
  },
});
