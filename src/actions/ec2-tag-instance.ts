/**
 * `ec2.tag-instance`: mark the instance as under investigation (`tourniquet:case`, `tourniquet:status`,
 * `tourniquet:finding-type`, `tourniquet:finding-id`, `tourniquet:contained-at`) so operators see it and ABAC
 * denies can key on it. Release restores exactly the recorded values of those keys (deleting the ones that did not
 * exist); marking the incident released is the engine's business, not this action's.
 */
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, TAG, resolveInstanceId, tagValue } from './action-support.js';
import { defineAction } from './define-action.js';
import { requireInstance, requireSharedInstance } from './ec2-lookup.js';

const FINDING_ID = 'tourniquet:finding-id';
const KEYS = [TAG.case, TAG.status, TAG.findingType, FINDING_ID, TAG.containedAt] as const;

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // Value of `tourniquet:status` (default `contained`).
  status: z.string().min(1).max(256).optional(),
  findingType: z.string().min(1).optional(),
  findingId: z.string().min(1).optional(),
});

/** Input of `ec2.tag-instance`. */
export type TagInstanceInput = z.infer<typeof InputSchema>;

export type TagInstancePreImage = {
  instanceId: string;
  /** Prior value of each key we may write; null = the key was absent. */
  prior: Array<{ key: string; value: string | null }>;
};

export type TagInstanceOutput = { written: Array<{ key: string; value: string }> };

async function currentTags(ctx: BoundActionContext, instanceId: string, shared = false): Promise<Map<string, string>> {
  const instance = shared ? await requireSharedInstance(ctx, instanceId) : await requireInstance(ctx, instanceId);
  const tags = new Map<string, string>();
  for (const t of instance.Tags ?? []) if (t.Key !== undefined) tags.set(t.Key, t.Value ?? '');
  return tags;
}

async function writeTags(ec2: EC2Client, instanceId: string, tags: Array<{ key: string; value: string }>): Promise<void> {
  if (tags.length === 0) return;
  await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) }));
}

export const tagInstance = defineAction({
  name: 'ec2.tag-instance',
  effect: 'contain',
  input: InputSchema,
  description:
    'Tag the instance with the case id, status, finding type and id, and containment time. Release restores the ' +
    'previous values of those tags (or removes them).',
  permissions: [
    { actions: ['ec2:DescribeInstances'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [ARN.ec2Instance],
      // DeleteTags without a tag list deletes every tag and carries no aws:TagKeys, which ForAllValues would accept.
      conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'tourniquet:*' }, Null: { 'aws:TagKeys': 'false' } },
      why: 'Write and restore Tourniquet\'s own tag keys only',
    },
  ],

  async capture(input, ctx): Promise<TagInstancePreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const tags = await currentTags(ctx, instanceId, true);
    return { instanceId, prior: KEYS.map((key) => ({ key, value: tags.get(key) ?? null })) };
  },

  async apply(input, pre, ctx): Promise<TagInstanceOutput> {
    const desired: Array<{ key: string; value: string }> = [
      { key: TAG.case, value: tagValue(ctx.caseId) },
      { key: TAG.status, value: tagValue(input.status ?? 'contained') },
      ...(input.findingType !== undefined ? [{ key: TAG.findingType, value: tagValue(input.findingType) }] : []),
      ...(input.findingId !== undefined ? [{ key: FINDING_ID, value: tagValue(input.findingId) }] : []),
    ];
    // Fresh pre-image: the prior values of our keys are the current ones (other keys do not matter here).
    const now =
      ctx.preImageFresh === true
        ? new Map(pre.prior.flatMap((p) => (p.value !== null ? [[p.key, p.value] as const] : [])))
        : await currentTags(ctx, pre.instanceId);
    const toWrite = desired.filter((d) => now.get(d.key) !== d.value);
    // Keep the first containment time of this case on re-runs.
    if (now.get(TAG.case) !== ctx.caseId || !now.has(TAG.containedAt)) toWrite.push({ key: TAG.containedAt, value: ctx.now().toISOString() });
    await writeTags(ctx.aws(EC2Client), pre.instanceId, toWrite);
    return { written: toWrite };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const ec2 = ctx.aws(EC2Client);
    const now = await currentTags(ctx, pre.instanceId);
    const restore = pre.prior.flatMap((p) => (p.value !== null && now.get(p.key) !== p.value ? [{ key: p.key, value: p.value }] : []));
    const remove = pre.prior.filter((p) => p.value === null && now.has(p.key)).map((p) => p.key);
    await writeTags(ec2, pre.instanceId, restore);
    if (remove.length > 0) await ec2.send(new DeleteTagsCommand({ Resources: [pre.instanceId], Tags: remove.map((Key) => ({ Key })) }));
    return { restored: restore.map((r) => r.key), removed: remove };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const now = await currentTags(ctx, instanceId);
    const status = input.status ?? 'contained';
    const holds = now.get(TAG.case) === ctx.caseId && now.get(TAG.status) === status;
    return { holds, detail: `${instanceId}: ${TAG.case}=${now.get(TAG.case) ?? '(none)'}, ${TAG.status}=${now.get(TAG.status) ?? '(none)'}` };
  },
});
