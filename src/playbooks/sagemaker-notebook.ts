/**
 * The `sagemaker-notebook` playbook, for a SageMaker notebook instance a finding names (`sagemaker-notebook`
 * subjects, from the API call's affected resources). Order from the containment reference (§8): stop the notebook
 * (ends every Jupyter session, pre-signed URL ones included; the ML volume is kept), then, once it is Stopped, lock
 * it down (root access off, lifecycle configuration detached, so a restart runs no on-start persistence), and cut
 * the execution role's SageMaker sessions issued before now (stolen copies of the notebook's credentials — and,
 * because every notebook's session is called `SageMaker`, the current sessions of others sharing the role).
 * Invocation logging is checked as for every AI finding. Pure: no I/O.
 */
import { z } from 'zod';
import { denyNotebookSessions } from '../actions/iam-deny-notebook-sessions.js';
import { lockDownNotebookInstance } from '../actions/sagemaker-lock-down-notebook-instance.js';
import { stopNotebookInstance } from '../actions/sagemaker-stop-notebook-instance.js';
import type { PlanStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';
import { INVOCATION_LOGGING_OPTIONS, INVOCATION_LOGGING_STEPS, invocationLoggingStep, needsInvocationLoggingCheck } from './invocation-logging-step.js';

export const SAGEMAKER_NOTEBOOK_PLAYBOOK = 'sagemaker-notebook';

const OptionsSchema = z.strictObject({
  // How long the stop and lock-down steps wait for the notebook to settle (Pending → InService, Stopping → Stopped).
  notebookWaitSeconds: z
    .number({ error: 'a whole number of seconds from 0 to 840' })
    .int({ error: 'a whole number of seconds from 0 to 840' })
    .min(0, { error: 'a whole number of seconds from 0 to 840' })
    .max(840, { error: 'a whole number of seconds from 0 to 840' })
    .optional(),
  ...INVOCATION_LOGGING_OPTIONS,
});

export const SAGEMAKER_NOTEBOOK_STEPS = {
  'stop-notebook-instance': stopNotebookInstance,
  'lock-down-notebook-instance': lockDownNotebookInstance,
  'deny-notebook-sessions': denyNotebookSessions,
  ...INVOCATION_LOGGING_STEPS,
} as const;

function planSteps({ finding, subject, options, step }: PlanArgs<'sagemaker-notebook', typeof SAGEMAKER_NOTEBOOK_STEPS, typeof OptionsSchema>): PlanStep[] {
  const name = { notebookInstanceName: subject.details.notebookInstanceName };
  const wait = options.notebookWaitSeconds !== undefined ? { waitSeconds: options.notebookWaitSeconds } : {};
  const steps: PlanStep[] = [
    step('stop-notebook-instance', {
      input: { ...name, ...wait },
      dependsOn: [],
      description: 'Stop the notebook instance: ends every Jupyter session (pre-signed URL ones too); the ML volume is kept',
    }),
    step('lock-down-notebook-instance', {
      input: { ...name, ...wait },
      dependsOn: ['stop-notebook-instance'],
      // SageMaker updates a notebook only while it is Stopped.
      requiresSuccessOf: ['stop-notebook-instance'],
      description: 'Once Stopped: root access off and the lifecycle configuration detached (kept for evidence)',
    }),
    step('deny-notebook-sessions', {
      input: name,
      dependsOn: [],
      // After the stop (so the notebook is not handed fresh credentials past the cut-off), whatever its outcome.
      after: ['stop-notebook-instance'],
      description: 'Deny the execution role\'s SageMaker sessions issued before now: every notebook and job sharing the role',
    }),
  ];
  if (needsInvocationLoggingCheck(finding, subject)) steps.push(invocationLoggingStep(SAGEMAKER_NOTEBOOK_PLAYBOOK, options.invocationLogging, subject.region));
  return steps;
}

export const sagemakerNotebookPlaybook = definePlaybook({
  name: SAGEMAKER_NOTEBOOK_PLAYBOOK,
  subjectKinds: ['sagemaker-notebook'],
  steps: SAGEMAKER_NOTEBOOK_STEPS,
  options: OptionsSchema,
  plan: planSteps,
});
