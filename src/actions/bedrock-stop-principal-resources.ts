/**
 * `bedrock.stop-principal-resources`: stops the model customization and batch invocation jobs the compromised
 * principal created and deletes the Provisioned Throughput it bought (each found by the activity lookup, in its own
 * Region). Destructive and irreversible, so it always waits for a human: a stopped job cannot be resumed (only
 * re-created), and a deleted Provisioned Throughput cannot come back (its ARN, model units and commitment are in the
 * pre-image; one with a commitment term cannot be deleted before the term ends — the step fails saying so: open an
 * AWS Support case). There is no release. Custom models, inference profiles, agents and API keys are listed by the
 * lookup, not touched here (deleting a custom model destroys evidence; API keys are the credential steps' job).
 * Each job is checked to be the very one CloudTrail recorded (its ARN) before it is stopped.
 */
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import type { AiResource, AiResourceFamily } from './ai-activity-events.js';
import { AiResourcesInputSchema, ofFamilies } from './ai-resource-input.js';
import { loadBedrock } from './bedrock-sdk.js';
import { defineAction } from './define-action.js';
import { clientsIn } from './region-clients.js';

const FAMILIES: readonly AiResourceFamily[] = ['bedrock-customization-job', 'bedrock-invocation-job', 'bedrock-provisioned-throughput'];
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9+.])*$/;

/** Statuses in which a job still runs (and is stopped). */
const RUNNING: Readonly<Record<string, readonly string[]>> = {
  'bedrock-customization-job': ['InProgress'],
  'bedrock-invocation-job': ['Submitted', 'Validating', 'Scheduled', 'InProgress'],
};

export interface BedrockTargetState {
  family: string;
  region: string;
  id: string;
  arn: string;
  /** Null: it no longer exists. */
  status: string | null;
  facts: { [key: string]: Json };
  [key: string]: Json;
}

export interface BedrockStopPreImage {
  targets: BedrockTargetState[];
  /** Regions the responder has no clients for: nothing there could be read or stopped. */
  unreachable: string[];
  [key: string]: Json;
}

async function bedrockIn(ctx: BoundActionContext, region: string): Promise<BedrockClient | undefined> {
  const lookup = clientsIn(ctx, region);
  return lookup === undefined ? undefined : lookup((await loadBedrock()).BedrockClient);
}

/** The identifier the Get/Stop/Delete call takes: the job name where known (accepted by AWS like the ARN), else the ARN. */
function identifierOf(r: AiResource): string {
  return r.family === 'bedrock-customization-job' && r.name !== undefined && NAME.test(r.name) ? r.name : r.arn ?? r.id;
}

/** The name now belongs to another job than the one CloudTrail recorded: never touched. */
const OTHER_JOB = 'not-the-recorded-job';

async function readState(client: BedrockClient, r: AiResource): Promise<BedrockTargetState> {
  const sdk = await loadBedrock();
  const base = { family: r.family, region: r.region, id: identifierOf(r), arn: r.arn ?? r.id };
  try {
    if (r.family === 'bedrock-customization-job') {
      const o = await client.send(new sdk.GetModelCustomizationJobCommand({ jobIdentifier: base.id }));
      // A job of the same name that is not the one CloudTrail recorded is someone else's.
      if (o.jobArn !== undefined && o.jobArn !== base.arn) return { ...base, status: OTHER_JOB, facts: { jobArnNow: o.jobArn } };
      return { ...base, status: o.status ?? 'unknown', facts: { jobName: o.jobName ?? null, outputModelName: o.outputModelName ?? null, baseModelArn: o.baseModelArn ?? null, roleArn: o.roleArn ?? null } };
    }
    if (r.family === 'bedrock-invocation-job') {
      const o = await client.send(new sdk.GetModelInvocationJobCommand({ jobIdentifier: base.id }));
      return { ...base, status: o.status ?? 'unknown', facts: { jobName: o.jobName ?? null, modelId: o.modelId ?? null, roleArn: o.roleArn ?? null } };
    }
    const o = await client.send(new sdk.GetProvisionedModelThroughputCommand({ provisionedModelId: base.id }));
    return {
      ...base,
      status: o.status ?? 'unknown',
      facts: {
        provisionedModelName: o.provisionedModelName ?? null,
        modelArn: o.modelArn ?? null,
        foundationModelArn: o.foundationModelArn ?? null,
        modelUnits: o.modelUnits ?? null,
        desiredModelUnits: o.desiredModelUnits ?? null,
        commitmentDuration: o.commitmentDuration ?? null,
        commitmentExpirationTime: o.commitmentExpirationTime?.toISOString() ?? null,
        creationTime: o.creationTime?.toISOString() ?? null,
      },
    };
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) return { ...base, status: null, facts: {} };
    throw err;
  }
}

async function readAll(ctx: BoundActionContext, resources: readonly AiResource[]): Promise<BedrockStopPreImage> {
  const targets: BedrockTargetState[] = [];
  const unreachable = new Set<string>();
  for (const r of resources) {
    const client = await bedrockIn(ctx, r.region);
    if (client === undefined) unreachable.add(r.region);
    else targets.push(await readState(client, r));
  }
  return { targets, unreachable: [...unreachable] };
}

/** Whether the target is in the state the step leaves it in. */
function contained(t: BedrockTargetState): boolean {
  if (t.status === null || t.status === OTHER_JOB) return true;
  if (t.family === 'bedrock-provisioned-throughput') return false;
  return !(RUNNING[t.family] ?? []).includes(t.status) && t.status !== 'unknown';
}

export const stopPrincipalBedrockResources = defineAction({
  name: 'bedrock.stop-principal-resources',
  effect: 'destructive',
  input: AiResourcesInputSchema,
  description:
    'Stop the Bedrock customization and batch invocation jobs the principal created and delete its Provisioned Throughput. Irreversible: stopped jobs cannot resume, a deleted Provisioned Throughput cannot come back.',
  permissions: [
    {
      actions: ['bedrock:GetModelCustomizationJob', 'bedrock:StopModelCustomizationJob'],
      resources: ['arn:${Partition}:bedrock:${Region}:${Account}:model-customization-job/*'],
      why: 'Read and stop the principal’s model customization jobs',
    },
    {
      actions: ['bedrock:GetModelInvocationJob', 'bedrock:StopModelInvocationJob'],
      resources: ['arn:${Partition}:bedrock:${Region}:${Account}:model-invocation-job/*'],
      why: 'Read and stop the principal’s batch inference jobs',
    },
    {
      actions: ['bedrock:GetProvisionedModelThroughput', 'bedrock:DeleteProvisionedModelThroughput'],
      resources: ['arn:${Partition}:bedrock:${Region}:${Account}:provisioned-model/*'],
      why: 'Record and delete the Provisioned Throughput the principal bought',
    },
  ],

  async capture(input, ctx): Promise<BedrockStopPreImage> {
    return readAll(ctx, ofFamilies(input.resources, FAMILIES));
  },

  async apply(input, pre, ctx): Promise<Json> {
    const sdk = await loadBedrock();
    const stopped: string[] = [];
    const deleted: string[] = [];
    const already: string[] = [];
    const refused: string[] = [];
    for (const r of ofFamilies(input.resources, FAMILIES)) {
      const client = await bedrockIn(ctx, r.region);
      if (client === undefined) continue;
      const now = await readState(client, r);
      if (contained(now)) {
        already.push(`${now.arn} (${now.status ?? 'gone'})`);
        continue;
      }
      try {
        if (now.family === 'bedrock-customization-job') await client.send(new sdk.StopModelCustomizationJobCommand({ jobIdentifier: now.id }));
        else if (now.family === 'bedrock-invocation-job') await client.send(new sdk.StopModelInvocationJobCommand({ jobIdentifier: now.id }));
        else await client.send(new sdk.DeleteProvisionedModelThroughputCommand({ provisionedModelId: now.id }));
        (now.family === 'bedrock-provisioned-throughput' ? deleted : stopped).push(now.arn);
      } catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException')) already.push(`${now.arn} (gone)`);
        // A commitment term, or a job that finished meanwhile: said, and the step fails after the others.
        else if (isAwsError(err, 'ValidationException', 'ConflictException')) refused.push(`${now.arn}: ${err instanceof Error ? err.message : String(err)}`);
        else throw err;
      }
    }
    const problems = [
      ...(pre.unreachable.length > 0 ? [`no clients for Region(s) ${pre.unreachable.join(', ')}: nothing there was stopped`] : []),
      ...refused.map((r) => `refused: ${r}${r.includes('provisioned-model') ? ' (a commitment term cannot be ended early: open an AWS Support case)' : ''}`),
    ];
    if (problems.length > 0) throw ctx.fail(`${problems.join('; ')}; stopped ${stopped.length}, deleted ${deleted.length}`);
    return { stopped, deleted, alreadyStoppedOrGone: already };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const { targets } = await readAll(ctx, ofFamilies(input.resources, FAMILIES));
    const left = targets.filter((t) => !contained(t));
    return {
      holds: left.length === 0,
      detail: targets.length === 0 ? 'no Bedrock jobs or Provisioned Throughput of the principal' : targets.map((t) => `${t.arn}: ${t.status ?? 'gone'}`).join('; '),
    };
  },
});
