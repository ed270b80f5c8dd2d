/**
 * `ec2.enforce-imdsv2`: require IMDSv2 session tokens (HttpTokens=required), the usual root cause of instance
 * credential theft being SSRF to IMDSv1. The hop limit and endpoint state are passed explicitly with their
 * recorded values so they stay unchanged. Release restores the recorded HttpTokens.
 */
import { ModifyInstanceMetadataOptionsCommand, EC2Client, type HttpTokensState, type InstanceMetadataEndpointState } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { requireInstance, requireSharedInstance } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `ec2.enforce-imdsv2`. */
export type EnforceImdsv2Input = z.infer<typeof InputSchema>;

export type EnforceImdsv2PreImage = {
  instanceId: string;
  httpTokens: string | null;
  httpPutResponseHopLimit: number | null;
  httpEndpoint: string | null;
};

export type EnforceImdsv2Output = { changed: boolean; httpTokens: string };

async function readOptions(ctx: BoundActionContext, instanceId: string, shared = false): Promise<Omit<EnforceImdsv2PreImage, 'instanceId'>> {
  const m = (shared ? await requireSharedInstance(ctx, instanceId) : await requireInstance(ctx, instanceId)).MetadataOptions;
  return { httpTokens: m?.HttpTokens ?? null, httpPutResponseHopLimit: m?.HttpPutResponseHopLimit ?? null, httpEndpoint: m?.HttpEndpoint ?? null };
}

async function setTokens(ec2: EC2Client, pre: EnforceImdsv2PreImage, tokens: string): Promise<void> {
  await ec2.send(
    new ModifyInstanceMetadataOptionsCommand({
      InstanceId: pre.instanceId,
      HttpTokens: tokens as HttpTokensState,
      ...(pre.httpPutResponseHopLimit !== null ? { HttpPutResponseHopLimit: pre.httpPutResponseHopLimit } : {}),
      ...(pre.httpEndpoint !== null ? { HttpEndpoint: pre.httpEndpoint as InstanceMetadataEndpointState } : {}),
    }),
  );
}

export const enforceImdsv2 = defineAction({
  name: 'ec2.enforce-imdsv2',
  effect: 'contain',
  input: InputSchema,
  description: 'Require IMDSv2 session tokens on the instance (HttpTokens=required; hop limit unchanged). Release restores the previous setting.',
  permissions: [
    { actions: ['ec2:DescribeInstances'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    { actions: ['ec2:ModifyInstanceMetadataOptions'], resources: [ARN.ec2Instance], why: 'Require IMDSv2 and restore on release' },
  ],

  async capture(input, ctx): Promise<EnforceImdsv2PreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    return { instanceId, ...(await readOptions(ctx, instanceId, true)) };
  },

  async apply(_input, pre, ctx): Promise<EnforceImdsv2Output> {
    const now = ctx.preImageFresh === true ? pre : await readOptions(ctx, pre.instanceId);
    if (now.httpTokens === 'required') return { changed: false, httpTokens: 'required' };
    await setTokens(ctx.aws(EC2Client), { ...pre, ...now, instanceId: pre.instanceId }, 'required');
    return { changed: true, httpTokens: 'required' };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.httpTokens === null) return { action: 'none', reason: 'no recorded HttpTokens' };
    const now = await readOptions(ctx, pre.instanceId);
    if (now.httpTokens === pre.httpTokens) return { action: 'none', httpTokens: pre.httpTokens };
    await setTokens(ctx.aws(EC2Client), { ...pre, ...now, instanceId: pre.instanceId }, pre.httpTokens);
    return { action: 'restored', httpTokens: pre.httpTokens };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const now = await readOptions(ctx, instanceId);
    return {
      holds: now.httpTokens === 'required',
      detail: `${instanceId}: HttpTokens=${now.httpTokens ?? 'unknown'}, hop limit ${now.httpPutResponseHopLimit ?? 'unknown'}, endpoint ${now.httpEndpoint ?? 'unknown'}`,
    };
  },
});
