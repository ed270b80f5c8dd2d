/**
 * `sagemaker.stop-principal-jobs`: stops the training, processing, transform and hyperparameter-tuning jobs the
 * compromised principal created (found by the activity lookup, each in its own Region). Destructive and
 * irreversible, so it always waits for a human: a stopped job cannot be resumed, only re-created (its image, role,
 * inputs and outputs are in the pre-image for that). A stopped training job gets 120 s (SIGTERM) to save its
 * artefacts: so does an attacker's container. There is no release. Notebook instances and pre-signed URLs are listed
 * by the lookup and left to the notebook step (`sagemaker.stop-notebook-instance`).
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import type { AiResource, AiResourceFamily } from './ai-activity-events.js';
import { AiResourcesInputSchema, ofFamilies } from './ai-resource-input.js';
import { defineAction } from './define-action.js';
import { loadSageMaker, sageMakerIn } from './sagemaker-sdk.js';

const FAMILIES: readonly AiResourceFamily[] = ['sagemaker-training-job', 'sagemaker-processing-job', 'sagemaker-transform-job', 'sagemaker-tuning-job'];
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export interface SageMakerJobState {
  family: string;
  region: string;
  name: string;
  /** Null: it does not exist (any more). */
  status: string | null;
  facts: { [key: string]: Json };
  [key: string]: Json;
}

export interface SageMakerJobsPreImage {
  jobs: SageMakerJobState[];
  unreachable: string[];
  /** Names that do not fit SageMaker's format: never sent to the API. */
  skipped: string[];
  [key: string]: Json;
}

const iso = (d: Date | undefined): string | null => d?.toISOString() ?? null;

async function readJob(client: SageMakerClient, r: AiResource): Promise<SageMakerJobState> {
  const sdk = await loadSageMaker();
  const base = { family: r.family, region: r.region, name: r.id };
  try {
    switch (r.family) {
      case 'sagemaker-training-job': {
        const o = await client.send(new sdk.DescribeTrainingJobCommand({ TrainingJobName: r.id }));
        return {
          ...base,
          status: o.TrainingJobStatus ?? 'unknown',
          facts: {
            arn: o.TrainingJobArn ?? null,
            image: o.AlgorithmSpecification?.TrainingImage ?? null,
            roleArn: o.RoleArn ?? null,
            instanceType: o.ResourceConfig?.InstanceType ?? null,
            instanceCount: o.ResourceConfig?.InstanceCount ?? null,
            outputS3: o.OutputDataConfig?.S3OutputPath ?? null,
            networkIsolation: o.EnableNetworkIsolation ?? null,
            createdAt: iso(o.CreationTime),
          },
        };
      }
      case 'sagemaker-processing-job': {
        const o = await client.send(new sdk.DescribeProcessingJobCommand({ ProcessingJobName: r.id }));
        return {
          ...base,
          status: o.ProcessingJobStatus ?? 'unknown',
          facts: { arn: o.ProcessingJobArn ?? null, image: o.AppSpecification?.ImageUri ?? null, roleArn: o.RoleArn ?? null, instanceType: o.ProcessingResources?.ClusterConfig?.InstanceType ?? null, createdAt: iso(o.CreationTime) },
        };
      }
      case 'sagemaker-transform-job': {
        const o = await client.send(new sdk.DescribeTransformJobCommand({ TransformJobName: r.id }));
        return {
          ...base,
          status: o.TransformJobStatus ?? 'unknown',
          facts: { arn: o.TransformJobArn ?? null, modelName: o.ModelName ?? null, instanceType: o.TransformResources?.InstanceType ?? null, outputS3: o.TransformOutput?.S3OutputPath ?? null, createdAt: iso(o.CreationTime) },
        };
      }
      default: {
        const o = await client.send(new sdk.DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: r.id }));
        return { ...base, status: o.HyperParameterTuningJobStatus ?? 'unknown', facts: { arn: o.HyperParameterTuningJobArn ?? null, createdAt: iso(o.CreationTime) } };
      }
    }
  } catch (err) {
    // SageMaker answers a missing job with ValidationException ("Requested resource not found") or ResourceNotFound.
    if (isAwsError(err, 'ResourceNotFound', 'ResourceNotFoundException') || (isAwsError(err, 'ValidationException') && /not found|does not exist/i.test(String((err as Error).message)))) {
      return { ...base, status: null, facts: {} };
    }
    throw err;
  }
}

async function stopJob(client: SageMakerClient, job: SageMakerJobState): Promise<void> {
  const sdk = await loadSageMaker();
  switch (job.family) {
    case 'sagemaker-training-job':
      await client.send(new sdk.StopTrainingJobCommand({ TrainingJobName: job.name }));
      return;
    case 'sagemaker-processing-job':
      await client.send(new sdk.StopProcessingJobCommand({ ProcessingJobName: job.name }));
      return;
    case 'sagemaker-transform-job':
      await client.send(new sdk.StopTransformJobCommand({ TransformJobName: job.name }));
      return;
    default:
      await client.send(new sdk.StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: job.name }));
  }
}

const running = (j: SageMakerJobState): boolean => j.status === 'InProgress' || j.status === 'unknown';

async function readAll(ctx: BoundActionContext, resources: readonly AiResource[]): Promise<SageMakerJobsPreImage> {
  const jobs: SageMakerJobState[] = [];
  const unreachable = new Set<string>();
  const skipped: string[] = [];
  for (const r of resources) {
    if (!NAME.test(r.id)) {
      skipped.push(r.id.slice(0, 80));
      continue;
    }
    const client = await sageMakerIn(ctx, r.region);
    if (client === undefined) unreachable.add(r.region);
    else jobs.push(await readJob(client, r));
  }
  return { jobs, unreachable: [...unreachable], skipped };
}

export const stopPrincipalSageMakerJobs = defineAction({
  name: 'sagemaker.stop-principal-jobs',
  effect: 'destructive',
  input: AiResourcesInputSchema,
  description:
    'Stop the SageMaker training, processing, transform and tuning jobs the principal created. Irreversible: a stopped job cannot be resumed, only re-created from the configuration in the pre-image.',
  permissions: [
    {
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:training-job/*'],
      why: 'Record and stop the principal’s training jobs',
    },
    {
      actions: ['sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:processing-job/*'],
      why: 'Record and stop the principal’s processing jobs',
    },
    {
      actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:transform-job/*'],
      why: 'Record and stop the principal’s batch transform jobs',
    },
    {
      actions: ['sagemaker:DescribeHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:hyper-parameter-tuning-job/*'],
      why: 'Record and stop the principal’s tuning jobs',
    },
  ],

  async capture(input, ctx): Promise<SageMakerJobsPreImage> {
    return readAll(ctx, ofFamilies(input.resources, FAMILIES));
  },

  async apply(input, pre, ctx): Promise<Json> {
    const stopped: string[] = [];
    const already: string[] = [];
    for (const r of ofFamilies(input.resources, FAMILIES)) {
      if (!NAME.test(r.id)) continue;
      const client = await sageMakerIn(ctx, r.region);
      if (client === undefined) continue;
      const now = await readJob(client, r);
      if (!running(now)) {
        already.push(`${now.name} (${now.status ?? 'gone'})`);
        continue;
      }
      try {
        await stopJob(client, now);
        stopped.push(`${now.family.replace('sagemaker-', '')} ${now.name}`);
      } catch (err) {
        // It finished between the read and the stop.
        if (isAwsError(err, 'ValidationException') && /not in progress|status|not found/i.test(String((err as Error).message))) already.push(`${now.name} (finished meanwhile)`);
        else throw err;
      }
    }
    if (pre.unreachable.length > 0) throw ctx.fail(`no clients for Region(s) ${pre.unreachable.join(', ')}: nothing there was stopped; stopped ${stopped.length}`);
    return { stopped, alreadyStoppedOrGone: already, skipped: pre.skipped };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const { jobs } = await readAll(ctx, ofFamilies(input.resources, FAMILIES));
    const left = jobs.filter(running);
    return {
      holds: left.length === 0,
      detail: jobs.length === 0 ? 'no SageMaker jobs of the principal' : jobs.map((j) => `${j.name}: ${j.status ?? 'gone'}`).join('; '),
    };
  },
});
