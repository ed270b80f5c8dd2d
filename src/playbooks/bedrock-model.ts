/**
 * The `bedrock` playbook, for the models an AI Protection finding names (`bedrock-model` subjects: foundation
 * models, inference profiles, custom models). A model is not what gets contained — the identity that invoked it is
 * (the identity playbooks) — but the Region's invocation logging is what records the abuse, and attackers turn it
 * off: this playbook makes sure it is on (see invocation-logging-step.ts). Pure: no I/O.
 */
import { z } from 'zod';
import { definePlaybook } from './define-playbook.js';
import { INVOCATION_LOGGING_OPTIONS, INVOCATION_LOGGING_STEPS, invocationLoggingStep } from './invocation-logging-step.js';

export const BEDROCK_PLAYBOOK = 'bedrock';

export const bedrockModelPlaybook = definePlaybook({
  name: BEDROCK_PLAYBOOK,
  subjectKinds: ['bedrock-model'],
  steps: { ...INVOCATION_LOGGING_STEPS },
  options: z.strictObject({ ...INVOCATION_LOGGING_OPTIONS }),
  plan: ({ subject, options }) => [invocationLoggingStep(BEDROCK_PLAYBOOK, options.invocationLogging, subject.region)],
});
