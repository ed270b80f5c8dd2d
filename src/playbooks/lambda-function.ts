/**
 * The Lambda function playbook (`Backdoor:Lambda/*`, `CryptoCurrency:Lambda/*`, `Trojan:Lambda/*`,
 * `UnauthorizedAccess:Lambda/*`, runtime findings): evidence first (configuration, policy and the deployed package
 * with its SHA-256), then stop every invocation (reserved concurrency 0), close the public entry points (a public
 * URL to IAM auth, public policy statements removed), disable the triggers, and deny the execution role's session
 * of this function. Every step is reversible; evidence is kept. Pure: no I/O.
 */
import { z } from 'zod';
import { captureFunctionEvidence } from '../actions/lambda-capture-function-evidence.js';
import { denyFunctionSession } from '../actions/iam-deny-function-session.js';
import { disableEventSources } from '../actions/lambda-disable-event-sources.js';
import { removePublicPermissions } from '../actions/lambda-remove-public-permissions.js';
import { restrictFunctionUrl } from '../actions/lambda-restrict-function-url.js';
import { stopInvocations } from '../actions/lambda-stop-invocations.js';
import type { PlanStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';

export const LAMBDA_FUNCTION_PLAYBOOK = 'lambda-function';

const LambdaPlaybookOptionsSchema = z.strictObject({
  // Largest deployment package downloaded as evidence, in bytes (default 64 MiB, at most 256 MiB).
  maxCodeBytes: z
    .number({ error: 'a number of bytes from 1 to 268435456' })
    .int({ error: 'a whole number of bytes' })
    .min(1, { error: 'a number of bytes from 1 to 268435456' })
    .max(256 * 1024 * 1024, { error: 'a number of bytes from 1 to 268435456' })
    .optional(),
});

export const LAMBDA_FUNCTION_STEPS = {
  'capture-evidence': captureFunctionEvidence,
  'stop-invocations': stopInvocations,
  'restrict-function-url': restrictFunctionUrl,
  'remove-public-permissions': removePublicPermissions,
  'disable-event-sources': disableEventSources,
  'deny-function-session': denyFunctionSession,
} as const;

function planSteps({ subject, options, step }: PlanArgs<'lambda-function', typeof LAMBDA_FUNCTION_STEPS, typeof LambdaPlaybookOptionsSchema>): PlanStep[] {
  const functionName = subject.details.functionName ?? subject.arn ?? subject.id;
  const base = { functionName };
  // Containment waits for the evidence but does not need it to succeed: a package that cannot be downloaded must not
  // leave the function running.
  const afterEvidence = { dependsOn: [], after: ['capture-evidence' as const] };
  return [
    step('capture-evidence', {
      input: { ...base, ...(options.maxCodeBytes !== undefined ? { maxCodeBytes: options.maxCodeBytes } : {}) },
      dependsOn: [],
      description: 'Configuration, resource policy, URL, triggers and the deployed package with its SHA-256, into the case',
    }),
    step('stop-invocations', { input: base, ...afterEvidence, description: 'Reserved concurrency 0: no invocation of any version or alias runs' }),
    step('restrict-function-url', { input: base, ...afterEvidence, description: 'A public function URL (AuthType NONE) requires IAM auth; the URL is kept' }),
    step('remove-public-permissions', { input: base, ...afterEvidence, description: 'Remove resource-policy statements that let anyone invoke the function' }),
    step('disable-event-sources', { input: base, ...afterEvidence, description: 'Disable every event source mapping (records stay in the source)' }),
    step('deny-function-session', {
      input: base,
      ...afterEvidence,
      description: 'Deny the execution role’s session of this function only (aws:userid / lambda:SourceFunctionArn), stolen copies included',
    }),
  ];
}

export const lambdaFunctionPlaybook = definePlaybook({
  name: LAMBDA_FUNCTION_PLAYBOOK,
  subjectKinds: ['lambda-function'],
  steps: LAMBDA_FUNCTION_STEPS,
  options: LambdaPlaybookOptionsSchema,
  plan: planSteps,
});
