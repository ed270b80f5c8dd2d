/**
 * The AI-activity stop steps against moto_server, state read back with fresh clients: a model customization job
 * the principal started is stopped (moto implements Create/Get/StopModelCustomizationJob), and an endpoint it
 * created is deleted while its endpoint config is kept, then re-created from that config on release (moto
 * implements Create/Describe/DeleteEndpoint and the endpoint config). What moto lacks (LookupEvents, batch
 * inference jobs, Provisioned Throughput, SageMaker's Stop*Job) is proven with aws-sdk-client-mock in
 * test/unit/actions/ai-activity-*.test.ts.
 */
import { BedrockClient, CreateModelCustomizationJobCommand, GetModelCustomizationJobCommand } from '@aws-sdk/client-bedrock';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext, AnyAction } from '../../src/actions/action.js';
import type { AiResource } from '../../src/actions/ai-activity-events.js';
import { stopPrincipalBedrockResources } from '../../src/actions/bedrock-stop-principal-resources.js';
import { deletePrincipalSageMakerEndpoints } from '../../src/actions/sagemaker-delete-principal-endpoints.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import type { Subject } from '../../src/findings/model.js';
import { recordAwsCalls, writeAwsCallFixtures } from '../support/aws-call-recording.js';
import { makeTestClients, TEST_ACCOUNT_ID, TEST_REGION } from '../support/aws-clients.js';
import { memoryEvidence } from '../support/memory-evidence.js';

const NOW = new Date('2026-08-01T12:00:00Z');
const CASE = 'inc-ai-activity';
const ROLE = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/attacker-ft`;
let moto: MotoServer;
let currentAction = '';

const subject: Subject = {
  kind: 'iam-user',
  id: 'ci-deploy-user',
  accountId: TEST_ACCOUNT_ID,
  region: TEST_REGION,
  tags: [],
  ai: { isAi: true, reasons: [] },
  details: { userName: 'ci-deploy-user', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
};

/**
 * moto writes Bedrock timestamps as `2026-08-01 12:00:00`; AWS (and the SDK, which refuses anything else) uses
 * RFC 3339. So the fixture answers the way AWS does: moto's timestamps are rewritten before the SDK reads them.
 */
function withAwsTimestamps(c: AwsClients): AwsClients {
  (c.aws(BedrockClient).middlewareStack as unknown as { addRelativeTo: (m: unknown, o: unknown) => void }).addRelativeTo(
    (next: (a: unknown) => Promise<{ response: { body: unknown } }>) => async (args: unknown) => {
      const out = await next(args);
      const chunks: Buffer[] = [];
      for await (const chunk of out.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      out.response.body = Buffer.from(Buffer.concat(chunks).toString('utf8').replace(/"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})"/g, '"$1T$2Z"'));
      return out;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'motoBedrockTimestamps' },
  );
  return c;
}

function actingClients(action: string): AwsClients {
  const c = withAwsTimestamps(makeTestClients(moto.endpoint));
  recordAwsCalls(c, () => (currentAction === action ? action : ''));
  return c;
}

function ctxFor(clients: AwsClients, stepId: string): ActionContext {
  return { clients, incidentId: CASE, caseId: CASE, subject, evidence: memoryEvidence({ recordedAt: NOW }), now: () => NOW, actor: 'test', stepId };
}

/** Fresh clients each time: nothing the actions' clients cached leaks into what is read back. */
const reader = (): AwsClients => withAwsTimestamps(makeTestClients(moto.endpoint));

async function runStep(action: AnyAction, resources: AiResource[], stepId: string) {
  currentAction = action.name;
  const ctx = ctxFor(actingClients(action.name), stepId);
  const input = action.parseInput({ resources }, ctx);
  const pre = await action.capture(input, ctx);
  const output = await action.apply(input, pre, ctx);
  const verified = await action.verify!(input, ctx);
  return { ctx, input, pre, output, verified };
}

beforeAll(async () => {
  moto = await startMotoServer();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  await writeAwsCallFixtures('test/integration/actions-ai-activity.test.ts against moto_server');
});

describe('bedrock.stop-principal-resources against moto', () => {
  it('stops the customization job the principal started (read back: Stopped), and a second run calls no stop', async () => {
    const created = await reader()
      .aws(BedrockClient)
      .send(
        new CreateModelCustomizationJobCommand({
          jobName: 'ft-job-1',
          customModelName: 'resale-model',
          roleArn: ROLE,
          baseModelIdentifier: 'amazon.titan-text-express-v1',
          trainingDataConfig: { s3Uri: 's3://attacker-data/train.jsonl' },
          outputDataConfig: { s3Uri: 's3://attacker-data/out/' },
          hyperParameters: { epochCount: '1' },
        }),
      );
    const jobArn = created.jobArn!;
    const resource: AiResource = { family: 'bedrock-customization-job', region: TEST_REGION, id: jobArn, arn: jobArn, name: 'ft-job-1', eventName: 'CreateModelCustomizationJob', eventTime: '2026-08-01T09:04:00Z', eventId: 'e-ft' };
    const { pre, output, verified } = await runStep(stopPrincipalBedrockResources, [resource], 'stop-bedrock-resources');
    expect(pre).toMatchObject({ unreachable: [], targets: [{ family: 'bedrock-customization-job', id: 'ft-job-1', arn: jobArn, status: 'InProgress', facts: { jobName: 'ft-job-1', roleArn: ROLE } }] });
    expect(output).toEqual({ stopped: [jobArn], deleted: [], alreadyStoppedOrGone: [] });
    const now = await reader().aws(BedrockClient).send(new GetModelCustomizationJobCommand({ jobIdentifier: 'ft-job-1' }));
    expect(now.status).toBe('Stopped');
    expect(verified).toEqual({ holds: true, detail: `${jobArn}: Stopped` });
    const again = await runStep(stopPrincipalBedrockResources, [resource], 'stop-bedrock-resources');
    expect(again.output).toEqual({ stopped: [], deleted: [], alreadyStoppedOrGone: [`${jobArn} (Stopped)`] });
  });
});

describe('sagemaker.delete-principal-endpoints against moto', () => {
  it('deletes the endpoint the principal created, keeps its config, and re-creates it from that config on release', async () => {
    const sm = reader().aws(SageMakerClient);
    await sm.send(new CreateModelCommand({ ModelName: 'm-resale', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3', ModelDataUrl: 's3://attacker-data/model.tar.gz' } }));
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'epc-resale', ProductionVariants: [{ VariantName: 'v1', ModelName: 'm-resale', InstanceType: 'ml.g4dn.12xlarge', InitialInstanceCount: 1 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: 'ep-resale', EndpointConfigName: 'epc-resale' }));
    // A production endpoint the principal only re-pointed is listed by the lookup, never deleted.
    await sm.send(new CreateEndpointCommand({ EndpointName: 'prod-chat', EndpointConfigName: 'epc-resale' }));
    const at = { eventTime: '2026-08-01T09:16:00Z', eventId: 'e-ep' };
    const resources: AiResource[] = [
      { family: 'sagemaker-endpoint', region: TEST_REGION, id: 'ep-resale', name: 'ep-resale', eventName: 'CreateEndpoint', detail: { endpointConfigName: 'epc-resale' }, ...at },
      { family: 'sagemaker-endpoint-updated', region: TEST_REGION, id: 'prod-chat', name: 'prod-chat', eventName: 'UpdateEndpoint', ...at },
    ];
    const { ctx, input, pre, output, verified } = await runStep(deletePrincipalSageMakerEndpoints, resources, 'delete-sagemaker-endpoints');
    expect(pre).toMatchObject({
      endpoints: [{ name: 'ep-resale', status: 'InService', endpointConfigName: 'epc-resale', endpointConfig: { variants: [{ name: 'v1', model: 'm-resale', instanceType: 'ml.g4dn.12xlarge', instances: 1 }] } }],
    });
    expect(output).toEqual({ deleted: ['ep-resale'], alreadyGone: [], endpointConfigsKept: ['epc-resale'], skipped: [] });
    await expect(reader().aws(SageMakerClient).send(new DescribeEndpointCommand({ EndpointName: 'ep-resale' }))).rejects.toThrow(/Could not find endpoint/);
    expect((await reader().aws(SageMakerClient).send(new DescribeEndpointCommand({ EndpointName: 'prod-chat' }))).EndpointStatus).toBe('InService');
    expect((await reader().aws(SageMakerClient).send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'epc-resale' }))).EndpointConfigName).toBe('epc-resale');
    expect(verified).toEqual({ holds: true, detail: 'ep-resale: deleted' });

    const released = await deletePrincipalSageMakerEndpoints.release!(input, pre as never, output as never, ctx);
    expect(released).toMatchObject({ action: 'recreated', recreated: ['ep-resale'] });
    const back = await reader().aws(SageMakerClient).send(new DescribeEndpointCommand({ EndpointName: 'ep-resale' }));
    expect(back.EndpointConfigName).toBe('epc-resale');
    // Idempotent: a second release finds it there and creates nothing.
    expect(await deletePrincipalSageMakerEndpoints.release!(input, pre as never, output as never, ctx)).toMatchObject({ action: 'none', alreadyPresent: ['ep-resale'] });
  });
});
