/**
 * `sagemaker.delete-principal-endpoints`: deletes the real-time endpoints the compromised principal created (found
 * by the activity lookup, each in its own Region), which stops their serving and their billing. Destructive, so it
 * always waits for a human. A deleted endpoint cannot come back: its endpoint config and model are kept (never
 * deleted here) and recorded in the pre-image, so release creates a NEW endpoint of the same name from that config
 * (new ARN, new instances, nothing of the old one's state). Endpoints the principal only updated are someone else's:
 * the lookup lists them, nothing deletes them.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import type { AiResource } from './ai-activity-events.js';
import { AiResourcesInputSchema, ofFamilies } from './ai-resource-input.js';
import { defineAction } from './define-action.js';
import { loadSageMaker, sageMakerIn } from './sagemaker-sdk.js';

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export interface EndpointState {
  region: string;
  name: string;
  /** Null: the endpoint does not exist. */
  status: string | null;
  arn: string | null;
  endpointConfigName: string | null;
  /** The config as it was read (variants, models): what a re-creation would use. Null when it is gone. */
  endpointConfig: { [key: string]: Json } | null;
  [key: string]: Json;
}

export interface EndpointsPreImage {
  endpoints: EndpointState[];
  unreachable: string[];
  skipped: string[];
  [key: string]: Json;
}

/** SageMaker answers a missing endpoint or config with ValidationException "Could not find …". */
function isMissing(err: unknown): boolean {
  return isAwsError(err, 'ResourceNotFound', 'ResourceNotFoundException') || (isAwsError(err, 'ValidationException') && /could not find|not found|does not exist/i.test(String((err as Error).message)));
}

async function readConfig(client: SageMakerClient, name: string): Promise<EndpointState['endpointConfig']> {
  const sdk = await loadSageMaker();
  try {
    const c = await client.send(new sdk.DescribeEndpointConfigCommand({ EndpointConfigName: name }));
    return {
      arn: c.EndpointConfigArn ?? null,
      variants: (c.ProductionVariants ?? []).map((v) => ({ name: v.VariantName ?? null, model: v.ModelName ?? null, instanceType: v.InstanceType ?? null, instances: v.InitialInstanceCount ?? null })),
      kmsKeyId: c.KmsKeyId ?? null,
    };
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

async function readEndpoint(client: SageMakerClient, r: Pick<AiResource, 'region' | 'id'>, withConfig: boolean): Promise<EndpointState> {
  const sdk = await loadSageMaker();
  try {
    const o = await client.send(new sdk.DescribeEndpointCommand({ EndpointName: r.id }));
    const configName = o.EndpointConfigName ?? null;
    return {
      region: r.region,
      name: r.id,
      status: o.EndpointStatus ?? 'unknown',
      arn: o.EndpointArn ?? null,
      endpointConfigName: configName,
      endpointConfig: withConfig && configName !== null ? await readConfig(client, configName) : null,
    };
  } catch (err) {
    if (isMissing(err)) return { region: r.region, name: r.id, status: null, arn: null, endpointConfigName: null, endpointConfig: null };
    throw err;
  }
}

async function readAll(ctx: BoundActionContext, resources: readonly AiResource[], withConfig: boolean): Promise<EndpointsPreImage> {
  const endpoints: EndpointState[] = [];
  const unreachable = new Set<string>();
  const skipped: string[] = [];
  for (const r of resources) {
    if (!NAME.test(r.id)) {
      skipped.push(r.id.slice(0, 80));
      continue;
    }
    const client = await sageMakerIn(ctx, r.region);
    if (client === undefined) unreachable.add(r.region);
    else endpoints.push(await readEndpoint(client, r, withConfig));
  }
  return { endpoints, unreachable: [...unreachable], skipped };
}

const gone = (e: EndpointState): boolean => e.status === null || e.status === 'Deleting';

export const deletePrincipalSageMakerEndpoints = defineAction({
  name: 'sagemaker.delete-principal-endpoints',
  effect: 'destructive',
  input: AiResourcesInputSchema,
  description:
    'Delete the SageMaker endpoints the principal created (serving and billing stop). A deleted endpoint cannot come back: its endpoint config is kept and recorded, and release creates a new endpoint of the same name from it.',
  permissions: [
    {
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:CreateEndpoint'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/*'],
      why: 'Record and delete the principal’s endpoints; re-create them from their recorded config on release',
    },
    {
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:CreateEndpoint'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:endpoint-config/*'],
      why: 'Record the endpoint config that is kept (and that a re-creation uses)',
    },
  ],

  async capture(input, ctx): Promise<EndpointsPreImage> {
    return readAll(ctx, ofFamilies(input.resources, ['sagemaker-endpoint']), true);
  },

  async apply(input, pre, ctx): Promise<Json> {
    const sdk = await loadSageMaker();
    const deleted: string[] = [];
    const already: string[] = [];
    for (const r of ofFamilies(input.resources, ['sagemaker-endpoint'])) {
      if (!NAME.test(r.id)) continue;
      const client = await sageMakerIn(ctx, r.region);
      if (client === undefined) continue;
      const now = await readEndpoint(client, r, false);
      if (gone(now)) {
        already.push(`${now.name} (${now.status ?? 'gone'})`);
        continue;
      }
      try {
        await client.send(new sdk.DeleteEndpointCommand({ EndpointName: now.name }));
        deleted.push(now.name);
      } catch (err) {
        if (isMissing(err)) already.push(`${now.name} (gone)`);
        else throw err;
      }
    }
    if (pre.unreachable.length > 0) throw ctx.fail(`no clients for Region(s) ${pre.unreachable.join(', ')}: nothing there was deleted; deleted ${deleted.length}`);
    return { deleted, alreadyGone: already, endpointConfigsKept: pre.endpoints.flatMap((e) => (e.endpointConfigName !== null ? [e.endpointConfigName] : [])), skipped: pre.skipped };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const sdk = await loadSageMaker();
    const recreated: string[] = [];
    const present: string[] = [];
    const cannot: string[] = [];
    for (const e of pre.endpoints) {
      // Only what existed before the step and has a config to come back from.
      if (e.status === null || e.status === 'Deleting' || e.endpointConfigName === null) continue;
      const client = await sageMakerIn(ctx, e.region);
      if (client === undefined) {
        cannot.push(`${e.name}: no clients for ${e.region}`);
        continue;
      }
      const now = await readEndpoint(client, { region: e.region, id: e.name }, false);
      if (now.status !== null && now.status !== 'Deleting') {
        present.push(e.name);
        continue;
      }
      if (now.status === 'Deleting') {
        cannot.push(`${e.name}: still being deleted; release again in a few minutes`);
        continue;
      }
      if ((await readConfig(client, e.endpointConfigName)) === null) {
        cannot.push(`${e.name}: its endpoint config ${e.endpointConfigName} no longer exists`);
        continue;
      }
      await client.send(new sdk.CreateEndpointCommand({ EndpointName: e.name, EndpointConfigName: e.endpointConfigName }));
      recreated.push(e.name);
    }
    // Said, not hidden: the incident becomes release-failed and names what could not be re-created.
    if (cannot.length > 0) throw ctx.fail(`could not re-create: ${cannot.join('; ')}; re-created ${recreated.length}`);
    return { action: recreated.length > 0 ? 'recreated' : 'none', recreated, alreadyPresent: present, note: 'a re-created endpoint is new: new ARN and instances, from the recorded endpoint config' };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const { endpoints } = await readAll(ctx, ofFamilies(input.resources, ['sagemaker-endpoint']), false);
    return {
      holds: endpoints.every(gone),
      detail: endpoints.length === 0 ? 'no SageMaker endpoints created by the principal' : endpoints.map((e) => `${e.name}: ${e.status ?? 'deleted'}`).join('; '),
    };
  },
});
