/**
 * The steps that stop what a compromised principal started, against aws-sdk-client-mock (moto lacks
 * StopModelInvocationJob, the Provisioned Throughput API and SageMaker's Stop*Job calls; what moto has is proven in
 * test/integration/actions-ai-activity.test.ts): the exact calls, the pre-image each records, idempotence, and the
 * refusals they report instead of hiding.
 */
import {
  BedrockClient,
  DeleteProvisionedModelThroughputCommand,
  GetModelCustomizationJobCommand,
  GetModelInvocationJobCommand,
  GetProvisionedModelThroughputCommand,
  StopModelCustomizationJobCommand,
  StopModelInvocationJobCommand,
} from '@aws-sdk/client-bedrock';
import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  StopHyperParameterTuningJobCommand,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AiResource } from '../../../src/actions/ai-activity-events.js';
import { stopPrincipalBedrockResources } from '../../../src/actions/bedrock-stop-principal-resources.js';
import { deletePrincipalSageMakerEndpoints } from '../../../src/actions/sagemaker-delete-principal-endpoints.js';
import { stopPrincipalSageMakerJobs } from '../../../src/actions/sagemaker-stop-principal-jobs.js';
import type { AnyAction } from '../../../src/actions/action.js';
import { StepError } from '../../../src/errors.js';
import { awsError, makeCtx } from './action-fixtures.js';

const bedrock = mockClient(BedrockClient);
const sagemaker = mockClient(SageMakerClient);
beforeEach(() => {
  bedrock.reset();
  sagemaker.reset();
});

const R = 'eu-west-1';
const A = '111122223333';
const at = { eventTime: '2026-08-01T09:00:00Z', eventId: 'e1' };
const PT = `arn:aws:bedrock:${R}:${A}:provisioned-model/a1b2c3d4e5f6`;
const FT = `arn:aws:bedrock:${R}:${A}:model-customization-job/amazon.titan-text-express-v1:0:8k/ft0a1b2c3d4e`;
const BATCH = `arn:aws:bedrock:${R}:${A}:model-invocation-job/b7c8d9e0f1a2`;

const resources: AiResource[] = [
  { family: 'bedrock-provisioned-throughput', region: R, id: PT, arn: PT, name: 'pt-llm-resale', eventName: 'CreateProvisionedModelThroughput', ...at },
  { family: 'bedrock-customization-job', region: R, id: FT, arn: FT, name: 'ft-job-1', eventName: 'CreateModelCustomizationJob', ...at },
  { family: 'bedrock-custom-model', region: R, id: 'resale-model', name: 'resale-model', eventName: 'CreateModelCustomizationJob', ...at },
  { family: 'bedrock-invocation-job', region: R, id: BATCH, arn: BATCH, eventName: 'CreateModelInvocationJob', ...at },
  { family: 'sagemaker-training-job', region: R, id: 'train-gpu-1', name: 'train-gpu-1', eventName: 'CreateTrainingJob', ...at },
  { family: 'sagemaker-processing-job', region: R, id: 'proc-1', name: 'proc-1', eventName: 'CreateProcessingJob', ...at },
  { family: 'sagemaker-transform-job', region: R, id: 'xform-1', name: 'xform-1', eventName: 'CreateTransformJob', ...at },
  { family: 'sagemaker-tuning-job', region: R, id: 'hpo-1', name: 'hpo-1', eventName: 'CreateHyperParameterTuningJob', ...at },
  { family: 'sagemaker-notebook-instance', region: R, id: 'nb-miner', name: 'nb-miner', eventName: 'CreateNotebookInstance', ...at },
  { family: 'sagemaker-endpoint', region: R, id: 'ep-resale', name: 'ep-resale', eventName: 'CreateEndpoint', detail: { endpointConfigName: 'epc-resale' }, ...at },
  { family: 'sagemaker-endpoint-updated', region: R, id: 'prod-chat', name: 'prod-chat', eventName: 'UpdateEndpoint', ...at },
];

async function run(action: AnyAction, res: AiResource[] = resources, c = makeCtx()) {
  const input = action.parseInput({ resources: res }, c);
  const pre = (await action.capture(input, c)) as Record<string, unknown>;
  return { input, pre, ctx: c, apply: () => action.apply(input, pre, c) as Promise<Record<string, unknown>>, verify: () => action.verify!(input, c) };
}

const notFound = (m = 'not found') => awsError('ResourceNotFoundException', 404, m);

describe('bedrock.stop-principal-resources', () => {
  let ftStatus: string;
  let batchStatus: string;
  let ptExists: boolean;
  beforeEach(() => {
    ftStatus = 'InProgress';
    batchStatus = 'InProgress';
    ptExists = true;
    bedrock.on(GetModelCustomizationJobCommand).callsFake(() => ({ jobArn: FT, jobName: 'ft-job-1', status: ftStatus, outputModelName: 'resale-model', baseModelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-express-v1', roleArn: `arn:aws:iam::${A}:role/ft` }));
    bedrock.on(StopModelCustomizationJobCommand).callsFake(() => {
      ftStatus = 'Stopping';
      return {};
    });
    bedrock.on(GetModelInvocationJobCommand).callsFake(() => ({ jobArn: BATCH, jobName: 'batch-1', status: batchStatus, modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }));
    bedrock.on(StopModelInvocationJobCommand).callsFake(() => {
      batchStatus = 'Stopping';
      return {};
    });
    bedrock.on(GetProvisionedModelThroughputCommand).callsFake(() => {
      if (!ptExists) throw notFound();
      return { provisionedModelArn: PT, provisionedModelName: 'pt-llm-resale', modelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0', modelUnits: 1, desiredModelUnits: 1, status: 'InService', commitmentDuration: 'OneMonth', commitmentExpirationTime: new Date('2026-09-01T09:03:00Z'), creationTime: new Date('2026-08-01T09:03:00Z') };
    });
    bedrock.on(DeleteProvisionedModelThroughputCommand).callsFake(() => {
      ptExists = false;
      return {};
    });
  });

  it('records every job and the Provisioned Throughput, then stops the jobs and deletes it, with exactly these calls', async () => {
    const step = await run(stopPrincipalBedrockResources);
    expect(step.pre).toEqual({
      unreachable: [],
      targets: [
        {
          family: 'bedrock-provisioned-throughput',
          region: R,
          id: PT,
          arn: PT,
          status: 'InService',
          facts: { provisionedModelName: 'pt-llm-resale', modelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0', foundationModelArn: null, modelUnits: 1, desiredModelUnits: 1, commitmentDuration: 'OneMonth', commitmentExpirationTime: '2026-09-01T09:03:00.000Z', creationTime: '2026-08-01T09:03:00.000Z' },
        },
        { family: 'bedrock-customization-job', region: R, id: 'ft-job-1', arn: FT, status: 'InProgress', facts: { jobName: 'ft-job-1', outputModelName: 'resale-model', baseModelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-express-v1', roleArn: `arn:aws:iam::${A}:role/ft` } },
        { family: 'bedrock-invocation-job', region: R, id: BATCH, arn: BATCH, status: 'InProgress', facts: { jobName: 'batch-1', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', roleArn: null } },
      ],
    });
    expect(bedrock.commandCalls(StopModelCustomizationJobCommand)).toHaveLength(0);
    const out = await step.apply();
    expect(out).toEqual({ stopped: [FT, BATCH], deleted: [PT], alreadyStoppedOrGone: [] });
    expect(bedrock.commandCalls(StopModelCustomizationJobCommand).map((c) => c.args[0].input)).toEqual([{ jobIdentifier: 'ft-job-1' }]);
    expect(bedrock.commandCalls(StopModelInvocationJobCommand).map((c) => c.args[0].input)).toEqual([{ jobIdentifier: BATCH }]);
    expect(bedrock.commandCalls(DeleteProvisionedModelThroughputCommand).map((c) => c.args[0].input)).toEqual([{ provisionedModelId: PT }]);
    expect(await step.verify()).toEqual({ holds: true, detail: `${PT}: gone; ${FT}: Stopping; ${BATCH}: Stopping` });
    // Idempotent: run again, nothing more is called.
    expect(await step.apply()).toEqual({ stopped: [], deleted: [], alreadyStoppedOrGone: [`${PT} (gone)`, `${FT} (Stopping)`, `${BATCH} (Stopping)`] });
    expect(bedrock.commandCalls(StopModelCustomizationJobCommand)).toHaveLength(1);
    expect(bedrock.commandCalls(DeleteProvisionedModelThroughputCommand)).toHaveLength(1);
  });

  it('is irreversible: it has no release', () => {
    expect(stopPrincipalBedrockResources.effect).toBe('destructive');
    expect(stopPrincipalBedrockResources.reversible).toBe(false);
  });

  it('never touches a job whose name now belongs to another job than the one CloudTrail recorded', async () => {
    bedrock.on(GetModelCustomizationJobCommand).resolves({ jobArn: `${FT}-someone-else`, status: 'InProgress' });
    const step = await run(stopPrincipalBedrockResources, resources.filter((r) => r.family === 'bedrock-customization-job'));
    expect((step.pre.targets as Array<{ status: string }>)[0]!.status).toBe('not-the-recorded-job');
    await step.apply();
    expect(bedrock.commandCalls(StopModelCustomizationJobCommand)).toHaveLength(0);
  });

  it('a Provisioned Throughput under commitment is refused: the step fails saying so, after stopping the rest', async () => {
    bedrock.on(DeleteProvisionedModelThroughputCommand).rejects(awsError('ValidationException', 400, 'You cannot delete a Provisioned Throughput with commitment before the commitment term is complete.'));
    const step = await run(stopPrincipalBedrockResources);
    const err = await step.apply().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(String((err as Error).message)).toMatch(/refused: .*provisioned-model\/a1b2c3d4e5f6: You cannot delete .*commitment.*AWS Support case.*stopped 2, deleted 0/);
    expect(bedrock.commandCalls(StopModelInvocationJobCommand)).toHaveLength(1);
  });

  it('an AccessDenied is not swallowed', async () => {
    bedrock.on(StopModelInvocationJobCommand).rejects(awsError('AccessDeniedException', 403));
    const step = await run(stopPrincipalBedrockResources);
    await expect(step.apply()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('says which Regions it could not reach rather than acting in the wrong one', async () => {
    const c = makeCtx();
    const elsewhere = resources.filter((r) => r.family === 'bedrock-invocation-job').map((r) => ({ ...r, region: 'us-west-2' }));
    const step = await run(stopPrincipalBedrockResources, elsewhere, c);
    expect(step.pre).toEqual({ targets: [], unreachable: ['us-west-2'] });
    await expect(step.apply()).rejects.toThrow(/no clients for Region\(s\) us-west-2/);
    expect(bedrock.commandCalls(StopModelInvocationJobCommand)).toHaveLength(0);
  });
});

describe('sagemaker.stop-principal-jobs', () => {
  it('records each job and stops those still in progress, with exactly these calls', async () => {
    let training = 'InProgress';
    let transform = 'InProgress';
    sagemaker.on(DescribeTrainingJobCommand).callsFake(() => ({ TrainingJobName: 'train-gpu-1', TrainingJobArn: `arn:aws:sagemaker:${R}:${A}:training-job/train-gpu-1`, TrainingJobStatus: training, AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3', TrainingInputMode: 'File' }, RoleArn: `arn:aws:iam::${A}:role/sm`, ResourceConfig: { InstanceType: 'ml.p4d.24xlarge', InstanceCount: 2, VolumeSizeInGB: 100 }, OutputDataConfig: { S3OutputPath: 's3://loot/out/' }, EnableNetworkIsolation: false, CreationTime: new Date('2026-08-01T09:12:00Z') }));
    sagemaker.on(DescribeProcessingJobCommand).resolves({ ProcessingJobName: 'proc-1', ProcessingJobStatus: 'Completed' } as never);
    sagemaker.on(DescribeTransformJobCommand).callsFake(() => ({ TransformJobName: 'xform-1', TransformJobStatus: transform, ModelName: 'm1' }));
    sagemaker.on(DescribeHyperParameterTuningJobCommand).rejects(awsError('ResourceNotFound', 400, 'Amazon SageMaker can\'t find a tuning job with name hpo-1'));
    sagemaker.on(StopTrainingJobCommand).callsFake(() => {
      training = 'Stopping';
      return {};
    });
    sagemaker.on(StopTransformJobCommand).callsFake(() => {
      transform = 'Stopped';
      return {};
    });
    const step = await run(stopPrincipalSageMakerJobs);
    const jobs = step.pre.jobs as Array<{ name: string; status: string | null; facts: Record<string, unknown> }>;
    expect(jobs.map((j) => [j.name, j.status])).toEqual([['train-gpu-1', 'InProgress'], ['proc-1', 'Completed'], ['xform-1', 'InProgress'], ['hpo-1', null]]);
    expect(jobs[0]!.facts).toEqual({ arn: `arn:aws:sagemaker:${R}:${A}:training-job/train-gpu-1`, image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3', roleArn: `arn:aws:iam::${A}:role/sm`, instanceType: 'ml.p4d.24xlarge', instanceCount: 2, outputS3: 's3://loot/out/', networkIsolation: false, createdAt: '2026-08-01T09:12:00.000Z' });
    const out = await step.apply();
    expect(out).toEqual({ stopped: ['training-job train-gpu-1', 'transform-job xform-1'], alreadyStoppedOrGone: ['proc-1 (Completed)', 'hpo-1 (gone)'], skipped: [] });
    expect(sagemaker.commandCalls(StopTrainingJobCommand).map((c) => c.args[0].input)).toEqual([{ TrainingJobName: 'train-gpu-1' }]);
    expect(sagemaker.commandCalls(StopTransformJobCommand).map((c) => c.args[0].input)).toEqual([{ TransformJobName: 'xform-1' }]);
    expect(sagemaker.commandCalls(StopProcessingJobCommand)).toHaveLength(0);
    expect(sagemaker.commandCalls(StopHyperParameterTuningJobCommand)).toHaveLength(0);
    expect(await step.verify()).toEqual({ holds: true, detail: 'train-gpu-1: Stopping; proc-1: Completed; xform-1: Stopped; hpo-1: gone' });
  });

  it('stops a processing and a tuning job too, and is irreversible (no release)', async () => {
    sagemaker.on(DescribeProcessingJobCommand).resolves({ ProcessingJobStatus: 'InProgress' } as never);
    sagemaker.on(DescribeHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobStatus: 'InProgress' } as never);
    sagemaker.on(StopProcessingJobCommand).resolves({});
    sagemaker.on(StopHyperParameterTuningJobCommand).resolves({});
    const step = await run(stopPrincipalSageMakerJobs, resources.filter((r) => r.family === 'sagemaker-processing-job' || r.family === 'sagemaker-tuning-job'));
    await step.apply();
    expect(sagemaker.commandCalls(StopProcessingJobCommand).map((c) => c.args[0].input)).toEqual([{ ProcessingJobName: 'proc-1' }]);
    expect(sagemaker.commandCalls(StopHyperParameterTuningJobCommand).map((c) => c.args[0].input)).toEqual([{ HyperParameterTuningJobName: 'hpo-1' }]);
    expect((await step.verify()).holds).toBe(false); // still InProgress in the mock: a stop that does not hold is never reported done
    expect(stopPrincipalSageMakerJobs.reversible).toBe(false);
  });

  it('never touches notebooks, endpoints someone else owns, or names that do not fit SageMaker’s format', async () => {
    const odd: AiResource = { family: 'sagemaker-training-job', region: R, id: 'bad name; --', eventName: 'CreateTrainingJob', ...at };
    const step = await run(stopPrincipalSageMakerJobs, [odd, ...resources.filter((r) => r.family.startsWith('sagemaker-notebook') || r.family === 'sagemaker-endpoint-updated')]);
    expect(step.pre).toEqual({ jobs: [], unreachable: [], skipped: ['bad name; --'] });
    await step.apply();
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('sagemaker.delete-principal-endpoints', () => {
  it('records the endpoint and its kept config; on release, a config that is gone is said, not hidden', async () => {
    let exists = true;
    sagemaker.on(DescribeEndpointCommand).callsFake(() => {
      if (!exists) throw awsError('ValidationException', 400, 'Could not find endpoint "ep-resale".');
      return { EndpointName: 'ep-resale', EndpointArn: `arn:aws:sagemaker:${R}:${A}:endpoint/ep-resale`, EndpointConfigName: 'epc-resale', EndpointStatus: 'InService' };
    });
    sagemaker.on(DescribeEndpointConfigCommand).resolvesOnce({ EndpointConfigName: 'epc-resale', EndpointConfigArn: `arn:aws:sagemaker:${R}:${A}:endpoint-config/epc-resale`, ProductionVariants: [{ VariantName: 'v1', ModelName: 'm-resale', InstanceType: 'ml.g5.12xlarge', InitialInstanceCount: 1 }] } as never)
      .rejects(awsError('ValidationException', 400, 'Could not find endpoint configuration "epc-resale".'));
    sagemaker.on(DeleteEndpointCommand).callsFake(() => {
      exists = false;
      return {};
    });
    const step = await run(deletePrincipalSageMakerEndpoints);
    expect(step.pre).toEqual({
      endpoints: [{ region: R, name: 'ep-resale', status: 'InService', arn: `arn:aws:sagemaker:${R}:${A}:endpoint/ep-resale`, endpointConfigName: 'epc-resale', endpointConfig: { arn: `arn:aws:sagemaker:${R}:${A}:endpoint-config/epc-resale`, variants: [{ name: 'v1', model: 'm-resale', instanceType: 'ml.g5.12xlarge', instances: 1 }], kmsKeyId: null } }],
      unreachable: [],
      skipped: [],
    });
    expect(await step.apply()).toEqual({ deleted: ['ep-resale'], alreadyGone: [], endpointConfigsKept: ['epc-resale'], skipped: [] });
    expect(sagemaker.commandCalls(DeleteEndpointCommand).map((c) => c.args[0].input)).toEqual([{ EndpointName: 'ep-resale' }]);
    const err = await deletePrincipalSageMakerEndpoints.release!(step.input, step.pre as never, undefined, step.ctx).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/could not re-create: ep-resale: its endpoint config epc-resale no longer exists/);
    expect(sagemaker.commandCalls(CreateEndpointCommand)).toHaveLength(0);
  });
});
