/**
 * The AI-activity plan fragment: the steps it plans from real AI Protection findings (principal, window, Regions,
 * the lookup's resources handed on by reference), and, run by the real engine (runPlan, embedded journal) with
 * mocked AWS clients: observe makes no AWS call at all; contain runs the lookup and leaves every stop step waiting
 * for a human with no mutating call; an approved step gets the lookup's resources and stops exactly those.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BedrockClient, DeleteProvisionedModelThroughputCommand, GetModelCustomizationJobCommand, GetModelInvocationJobCommand, GetProvisionedModelThroughputCommand, StopModelCustomizationJobCommand, StopModelInvocationJobCommand } from '@aws-sdk/client-bedrock';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteEndpointCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeHyperParameterTuningJobCommand, DescribeProcessingJobCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand, SageMakerClient, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lookupPacing } from '../../../src/actions/cloudtrail-lookup-principal-activity.js';
import type { AnyAction } from '../../../src/actions/action.js';
import type { AwsClientLookup, AwsClients } from '../../../src/aws/clients.js';
import type { Plan, Mode } from '../../../src/contracts/plan.js';
import { CallCollector } from '../../../src/engine/call-collector.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import type { Finding, Subject } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import type { Journal } from '../../../src/journal/journal.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { AI_ACTIVITY_STEPS, aiActivitySteps } from '../../../src/playbooks/ai-activity-steps.js';
import { decisionFixture } from '../../support/decision-fixture.js';
import { familyEvents, ROLE_SESSION } from '../../support/cloudtrail-events.js';
import { memoryEvidence } from '../../support/memory-evidence.js';

const SAMPLES = fileURLToPath(new URL('../../../samples/synthesized/', import.meta.url));
function sample(name: string): Finding {
  const f = parseRecord(JSON.parse(readFileSync(`${SAMPLES}${name}`, 'utf8')), { name });
  if (f.kind !== 'finding') throw new Error('not a finding');
  return f;
}
const subjectOf = (f: Finding, kind: Subject['kind']): Subject => f.subjects.find((s) => s.kind === kind)!;

describe('aiActivitySteps', () => {
  it('plans the lookup by the session’s key over the finding’s window, in its Region, its model Regions and IAM’s, then the three stop steps', () => {
    const f = sample('Impact-IAMUser-CostHarvesting.SYNTHESIZED.json');
    const steps = aiActivitySteps({ playbook: 'iam-role-session', finding: f, subject: subjectOf(f, 'iam-role-session'), after: ['revoke-sessions'], extraRegions: ['eu-central-1'] });
    expect(steps.map((s) => [s.id, s.action, s.effect, s.reversible])).toEqual([
      ['lookup-ai-activity', 'cloudtrail.lookup-principal-activity', 'read', false],
      ['stop-bedrock-resources', 'bedrock.stop-principal-resources', 'destructive', false],
      ['stop-sagemaker-jobs', 'sagemaker.stop-principal-jobs', 'destructive', false],
      ['delete-sagemaker-endpoints', 'sagemaker.delete-principal-endpoints', 'destructive', true],
    ]);
    expect(steps[0]!.input).toEqual({
      accessKeyId: 'ASIA3XFRBF23EXAMPLE8',
      userName: 'chat-backend',
      principalId: 'AROA3XFRBF23EXAMPLE2:chat-backend',
      regions: ['us-east-1', 'eu-central-1'],
      // eventFirstSeen 06:00 minus 24 h; eventLastSeen 10:00 plus 6 h.
      startTime: '2026-07-31T06:00:00.000Z',
      endTime: '2026-08-01T16:00:00.000Z',
    });
    for (const s of steps.slice(1)) {
      expect(s.input).toEqual({ resources: { $ref: 'lookup-ai-activity.output.resources' } });
      expect(s.dependsOn).toEqual(['lookup-ai-activity']);
      expect(s.requiresSuccessOf).toEqual(['lookup-ai-activity']);
      expect(s.after).toEqual(['revoke-sessions']);
    }
  });

  it('looks up an IAM user by its key, and plans nothing for a subject with neither key nor name', () => {
    const f = sample('Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json');
    const [lookup] = aiActivitySteps({ playbook: 'iam-user', finding: f, subject: subjectOf(f, 'iam-user') });
    expect(lookup!.input).toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'ci-deploy-user', regions: ['us-east-1'] });
    const bare = { ...f, actor: undefined, subjects: [] } as Finding;
    expect(aiActivitySteps({ playbook: 'iam-user', finding: bare, subject: { ...subjectOf(f, 'iam-user'), details: {} } as Subject })).toEqual([]);
  });

  it('by default only for an AI subject; `always` for any principal', () => {
    const f = sample('Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json');
    const plain = { ...subjectOf(f, 'iam-user'), ai: { isAi: false, reasons: [] } } as Subject;
    expect(aiActivitySteps({ playbook: 'iam-user', finding: f, subject: plain })).toEqual([]);
    expect(aiActivitySteps({ playbook: 'iam-user', finding: f, subject: plain, include: 'always' })).toHaveLength(4);
  });

  it('declares exactly the steps it plans (what a playbook spreads into its steps)', () => {
    const f = sample('Impact-IAMUser-CostHarvesting.SYNTHESIZED.json');
    expect(aiActivitySteps({ playbook: 'p', finding: f, subject: subjectOf(f, 'iam-role-session') }).map((s) => s.id)).toEqual(Object.keys(AI_ACTIVITY_STEPS));
  });
});

describe('the fragment run by the engine', () => {
  const ct = mockClient(CloudTrailClient);
  const bedrock = mockClient(BedrockClient);
  const sagemaker = mockClient(SageMakerClient);
  const mocks = [ct, bedrock, sagemaker];
  let journal: Journal;
  const saved = { ...lookupPacing };
  beforeAll(async () => {
    journal = await openJournal({});
    await journal.ensureTable();
    lookupPacing.sleep = () => Promise.resolve();
  });
  afterAll(async () => {
    Object.assign(lookupPacing, saved);
    await journal?.close();
  });
  beforeEach(() => {
    for (const m of mocks) m.reset();
    ct.on(LookupEventsCommand).resolves({ Events: familyEvents('us-east-1', ROLE_SESSION) });
    bedrock.on(GetModelCustomizationJobCommand).callsFake((i: { jobIdentifier: string }) => ({ jobArn: `arn:aws:bedrock:us-east-1:111122223333:model-customization-job/amazon.titan-text-express-v1:0:8k/ft0a1b2c3d4e`, jobName: i.jobIdentifier, status: 'InProgress' }));
    bedrock.on(GetModelInvocationJobCommand).resolves({ status: 'InProgress' } as never);
    bedrock.on(GetProvisionedModelThroughputCommand).resolves({ status: 'InService' } as never);
    sagemaker.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress' } as never);
    sagemaker.on(DescribeProcessingJobCommand).resolves({ ProcessingJobStatus: 'Completed' } as never);
    sagemaker.on(DescribeTransformJobCommand).resolves({ TransformJobStatus: 'Completed' } as never);
    sagemaker.on(DescribeHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobStatus: 'Completed' } as never);
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService', EndpointConfigName: 'epc-resale' } as never);
    sagemaker.on(DescribeEndpointConfigCommand).resolves({ ProductionVariants: [] } as never);
  });

  const calls = () => mocks.flatMap((m) => m.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name));
  const MUTATING = /^(Stop|Delete|Create|Update|Put)/;

  async function setup(mode: Mode) {
    const f = sample('Impact-IAMUser-CostHarvesting.SYNTHESIZED.json');
    const subject = subjectOf(f, 'iam-role-session');
    const plan: Plan = { playbook: 'test-ai-activity', incidentKey: `k-${Math.random()}`, steps: aiActivitySteps({ playbook: 'test-ai-activity', finding: f, subject }) };
    const { incident } = await journal.openIncident(
      { incidentKey: plan.incidentKey, accountId: subject.accountId, region: subject.region, subjectKind: subject.kind, subjectId: subject.id, findingId: f.id, findingType: f.type.raw, severity: f.severity, mode, playbook: plan.playbook, plan, decision: decisionFixture(mode, plan.playbook), subject: subject as never },
      new Date(),
    );
    const byName = new Map<string, AnyAction>(Object.values(AI_ACTIVITY_STEPS).map((a) => [a.name, a as AnyAction]));
    const lookup: AwsClientLookup = (C) => new C({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const clients: AwsClients = { accountId: subject.accountId, region: subject.region, aws: lookup, inRegion: () => lookup };
    const evidence = memoryEvidence();
    const go = () =>
      runPlan(
        { journal, getAction: (n) => byName.get(n)!, isTransient: () => false, calls: new CallCollector(), now: () => new Date('2026-08-01T12:00:00Z'), runnerId: 'test', actor: 'test', renewLease: false },
        { incidentId: incident.incidentId, plan, mode, overrides: {}, subject, clients: () => Promise.resolve(clients), evidence },
      );
    return { incidentId: incident.incidentId, go, evidence };
  }

  it('observe: no AWS call at all', async () => {
    const { go } = await setup('observe');
    const result = await go();
    expect(result.steps.map((s) => s.status)).toEqual(['planned', 'planned', 'planned', 'planned']);
    expect(calls()).toEqual([]);
  });

  it('contain: the lookup runs, every stop step waits for a human, and nothing mutating is called', async () => {
    const { go } = await setup('contain');
    const result = await go();
    expect(Object.fromEntries(result.steps.map((s) => [s.stepId, s.status]))).toEqual({
      'lookup-ai-activity': 'done',
      'stop-bedrock-resources': 'awaiting-approval',
      'stop-sagemaker-jobs': 'awaiting-approval',
      'delete-sagemaker-endpoints': 'awaiting-approval',
    });
    expect(calls().filter((n) => MUTATING.test(n.replace(/Command$/, '')))).toEqual([]);
    expect(calls().length).toBeGreaterThan(0);
    const out = result.steps.find((s) => s.stepId === 'lookup-ai-activity')!.output as { resources: unknown[] };
    expect(out.resources).toHaveLength(16);
  });

  it('an approved stop step gets the lookup’s resources from the journal and stops exactly those', async () => {
    const { go, incidentId } = await setup('contain');
    await go();
    await journal.transitionStep(incidentId, 'stop-sagemaker-jobs', ['awaiting-approval'], 'approved', { approvedBy: 'analyst' }, new Date());
    sagemaker.on(StopTrainingJobCommand).callsFake(() => {
      sagemaker.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Stopping' } as never);
      return {};
    });
    const result = await go();
    expect(result.steps.find((s) => s.stepId === 'stop-sagemaker-jobs')).toMatchObject({ status: 'done', output: { stopped: ['training-job train-gpu-1'] } });
    expect(sagemaker.commandCalls(StopTrainingJobCommand).map((c) => c.args[0].input)).toEqual([{ TrainingJobName: 'train-gpu-1' }]);
    expect(bedrock.commandCalls(StopModelCustomizationJobCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(StopModelInvocationJobCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(DeleteProvisionedModelThroughputCommand)).toHaveLength(0);
    expect(sagemaker.commandCalls(DeleteEndpointCommand)).toHaveLength(0);
  });
});
