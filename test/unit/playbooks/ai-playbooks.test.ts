/**
 * The `bedrock` and `sagemaker-notebook` plans, and the invocation-logging plan fragment other playbooks include:
 * which steps, in which order, with which inputs; when the logging check is planned and with which destination.
 */
import { describe, expect, it } from 'vitest';
import { bedrockModelPlaybook } from '../../../src/playbooks/bedrock-model.js';
import { INVOCATION_LOGGING_STEP_ID, invocationLoggingStep, needsInvocationLoggingCheck } from '../../../src/playbooks/invocation-logging-step.js';
import { sagemakerNotebookPlaybook } from '../../../src/playbooks/sagemaker-notebook.js';
import { PlanError } from '../../../src/errors.js';
import { finding, otherSubject } from '../policy/fixtures.js';

const notebook = otherSubject('sagemaker-notebook', { id: 'nb-1', ai: { isAi: true, reasons: [{ code: 'sagemaker', detail: 'SageMaker notebook instance nb-1' }] }, details: { notebookInstanceName: 'nb-1' } });
const model = otherSubject('bedrock-model', { id: 'anthropic.claude', ai: { isAi: true, reasons: [{ code: 'model-details', detail: 'model' }] }, details: { modelId: 'anthropic.claude' } });
const S3 = { s3: { bucketName: 'evidence' } };

describe('sagemaker-notebook plan', () => {
  it('stop, then lock down only after a successful stop, the session deny after the stop, and the logging check', () => {
    const plan = sagemakerNotebookPlaybook.plan(finding('UnauthorizedAccess:IAMUser/TorIPCaller', { subject: notebook }), notebook, { notebookWaitSeconds: 60 });
    expect(plan.playbook).toBe('sagemaker-notebook');
    expect(plan.steps.map((s) => ({ id: s.id, action: s.action, effect: s.effect, dependsOn: s.dependsOn, requiresSuccessOf: s.requiresSuccessOf, after: s.after, input: s.input }))).toEqual([
      { id: 'stop-notebook-instance', action: 'sagemaker.stop-notebook-instance', effect: 'destructive', dependsOn: [], requiresSuccessOf: undefined, after: undefined, input: { notebookInstanceName: 'nb-1', waitSeconds: 60 } },
      {
        id: 'lock-down-notebook-instance',
        action: 'sagemaker.lock-down-notebook-instance',
        effect: 'contain',
        dependsOn: ['stop-notebook-instance'],
        requiresSuccessOf: ['stop-notebook-instance'],
        after: undefined,
        input: { notebookInstanceName: 'nb-1', waitSeconds: 60 },
      },
      { id: 'deny-notebook-sessions', action: 'iam.deny-notebook-sessions', effect: 'destructive', dependsOn: [], requiresSuccessOf: undefined, after: ['stop-notebook-instance'], input: { notebookInstanceName: 'nb-1' } },
      { id: 'ensure-invocation-logging', action: 'bedrock.ensure-invocation-logging', effect: 'contain', dependsOn: [], requiresSuccessOf: undefined, after: undefined, input: {} },
    ]);
    expect(plan.steps.every((s) => s.reversible)).toBe(true);
  });

  it('rejects bad options naming the option', () => {
    expect(() => sagemakerNotebookPlaybook.plan(finding('X:IAMUser/Y'), notebook, { notebookWaitSeconds: 9000 })).toThrow(PlanError);
    expect(() => sagemakerNotebookPlaybook.plan(finding('X:IAMUser/Y'), notebook, { invocationLogging: { keepOnRelease: true } })).toThrow(/invocationLogging: a cloudWatch and\/or an s3 destination/);
  });
});

describe('bedrock plan and the invocation-logging fragment', () => {
  it('the bedrock playbook plans the check with the configured destination', () => {
    const plan = bedrockModelPlaybook.plan(finding('Impact:IAMUser/AnomalousModelInvocation', { subject: model }), model, { invocationLogging: { ...S3, keepOnRelease: true } });
    expect(plan.steps).toEqual([
      expect.objectContaining({ id: INVOCATION_LOGGING_STEP_ID, action: 'bedrock.ensure-invocation-logging', effect: 'contain', input: { destination: S3, keepOnRelease: true } }),
    ]);
  });

  it('a destination in another Region is not used there: the step then only checks', () => {
    const option = { cloudWatch: { logGroupName: 'g', roleArn: 'arn:aws:iam::123456789012:role/tourniquet-bedrock-logging-x' }, region: 'eu-west-1' };
    expect(invocationLoggingStep('bedrock', option, 'eu-west-1').input).toEqual({ destination: { cloudWatch: option.cloudWatch } });
    const elsewhere = invocationLoggingStep('bedrock', option, 'us-east-1');
    expect(elsewhere.input).toEqual({});
    expect(elsewhere.description).toMatch(/fails if it is off \(no invocationLogging destination configured\)/);
  });

  it('the host playbook\'s order is kept', () => {
    expect(invocationLoggingStep('iam-user', S3, 'us-east-1', { dependsOn: ['capture'], after: ['deny'] })).toMatchObject({ dependsOn: ['capture'], after: ['deny'] });
  });

  it('is planned for the logging-disabled finding and for every AI finding, not for others', () => {
    const key = otherSubject('access-key');
    expect(needsInvocationLoggingCheck(finding('DefenseEvasion:IAMUser/BedrockLoggingDisabled', { subject: key }), key)).toBe(true);
    expect(needsInvocationLoggingCheck(finding('Impact:IAMUser/AnomalousModelInvocation', { subject: model }), model)).toBe(true);
    expect(needsInvocationLoggingCheck(finding('UnauthorizedAccess:IAMUser/TorIPCaller', { subject: key }), key)).toBe(false);
    expect(needsInvocationLoggingCheck(finding('DefenseEvasion:IAMUser/BedrockLoggingDisabledX', { subject: key }), key)).toBe(false);
  });
});
