/**
 * The IAM user playbook: a stolen long-term access key, typically used for LLMjacking (Bedrock abuse, billed by the
 * minute). The Tourniquet deny starts at once, alongside the evidence capture: it is the one change that cuts every
 * credential of the user (keys, session tokens already derived from them, Bedrock API keys), and IAM calls are rate
 * limited (2 per second, shared), so waiting for the ~15 evidence reads would delay it by several seconds. The
 * evidence may therefore list Tourniquet's own deny; the deny step's pre-image records the inline policies before.
 * Then, after the evidence (ordering only, `after`: its failure never holds containment back), everything else runs
 * in parallel, because none needs another: V3, every access key and Bedrock API key deactivated, console access
 * removed. Deactivating MFA devices registered during the incident is destructive (release cannot re-enable them)
 * and requires the evidence.
 * Existing policies, groups and tags of the user are never changed.
 *
 * Extending: add the action to IAM_USER_STEPS and one `step()` in planSteps (steps from other areas, such as the
 * CloudTrail AI-activity hunt, slot in after `capture-evidence`).
 * Pure: no I/O; the plan is data the engine journals and runs.
 */
import { z } from 'zod';
import { attachUserQuarantinePolicy } from '../actions/iam-user-attach-quarantine-policy.js';
import { captureUserEvidence } from '../actions/iam-user-capture-evidence.js';
import { deactivateUserAccessKeys } from '../actions/iam-user-deactivate-access-keys.js';
import { deactivateUserBedrockKeys } from '../actions/iam-user-deactivate-bedrock-keys.js';
import { deactivateUserMfaDevices } from '../actions/iam-user-deactivate-mfa-devices.js';
import { denyUserAiActions } from '../actions/iam-user-deny-ai-actions.js';
import { removeUserConsoleAccess } from '../actions/iam-user-remove-console-access.js';
import type { Plan, PlanStep } from '../contracts/plan.js';
import type { Finding, SubjectOf } from '../findings/model.js';
import { AI_ACTIVITY_STEPS, aiActivitySteps } from './ai-activity-steps.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';
import { INVOCATION_LOGGING_OPTIONS, INVOCATION_LOGGING_STEPS, invocationLoggingStep, needsInvocationLoggingCheck } from './invocation-logging-step.js';

export const IAM_USER_PLAYBOOK = 'iam-user';

/** Default margin before the finding's first activity for the MFA window: keys are often used before GuardDuty notices. */
export const DEFAULT_MFA_WINDOW_MARGIN_HOURS = 24;

const IamUserPlaybookOptionsSchema = z.strictObject({
  // MFA devices enabled after (finding first seen − this many hours) are deactivated (default 24, at most 90 days).
  mfaWindowMarginHours: z
    .number({ error: 'a number of hours from 0 to 2160' })
    .min(0, { error: 'a number of hours from 0 to 2160' })
    .max(2160, { error: 'a number of hours from 0 to 2160' })
    .optional(),
  ...INVOCATION_LOGGING_OPTIONS,
});

export type IamUserPlaybookOptions = z.input<typeof IamUserPlaybookOptionsSchema>;

/** The steps, in plan order: step id → the action it runs. */
export const IAM_USER_STEPS = {
  'capture-evidence': captureUserEvidence,
  'deny-ai-actions': denyUserAiActions,
  'attach-quarantine-policy': attachUserQuarantinePolicy,
  'deactivate-access-keys': deactivateUserAccessKeys,
  'deactivate-bedrock-keys': deactivateUserBedrockKeys,
  'remove-console-access': removeUserConsoleAccess,
  'deactivate-mfa-devices': deactivateUserMfaDevices,
  // What the key did in Bedrock and SageMaker, and stopping it (AI subjects; ai-activity-steps.ts).
  ...AI_ACTIVITY_STEPS,
  // For Bedrock-logging findings and AI findings (invocation-logging-step.ts).
  ...INVOCATION_LOGGING_STEPS,
} as const;

/** The start of the MFA window: the finding's first activity (else its creation) minus the margin. */
export function mfaWindowStart(finding: Finding, marginHours: number): string {
  const first = Date.parse(finding.firstSeen ?? finding.createdAt);
  const base = Number.isNaN(first) ? Date.parse(finding.createdAt) : first;
  return new Date(base - marginHours * 3_600_000).toISOString();
}

function planSteps({ finding, subject, options, step }: PlanArgs<'iam-user', typeof IAM_USER_STEPS, typeof IamUserPlaybookOptionsSchema>): PlanStep[] {
  const userName = subject.details.userName ?? undefined;
  const base = userName !== undefined ? { userName } : {};
  const first = ['capture-evidence'] as const;
  const since = mfaWindowStart(finding, options.mfaWindowMarginHours ?? DEFAULT_MFA_WINDOW_MARGIN_HOURS);
  const steps: PlanStep[] = [
    step('capture-evidence', {
      input: base,
      dependsOn: [],
      description: 'Store the user, its keys and their last use, policies, groups, MFA, login profile, SSH keys, service credentials, certificates and tags in the case',
    }),
    step('deny-ai-actions', {
      input: base,
      dependsOn: [],
      description: 'Inline deny on the user: all of Bedrock (API keys too), SageMaker create/invoke/presigned URLs, sts:AssumeRole, new Bedrock keys and MFA/SSH persistence',
    }),
    step('attach-quarantine-policy', {
      input: base,
      dependsOn: [],
      after: [...first],
      description: 'Attach AWSCompromisedKeyQuarantineV3 (AWS’s own quarantine for leaked keys); detached on release only if Tourniquet attached it',
    }),
    step('deactivate-access-keys', {
      input: base,
      dependsOn: [],
      after: [...first],
      description: 'Deactivate every access key of the user (the stolen one and any added); release restores each key’s prior status',
    }),
    step('deactivate-bedrock-keys', {
      input: base,
      dependsOn: [],
      after: [...first],
      description: 'Deactivate the user’s Bedrock long-term API keys (service-specific credentials); release restores each one’s prior status',
    }),
    step('remove-console-access', {
      input: base,
      dependsOn: [],
      after: [...first],
      description: 'Delete the console password; release recreates the profile with an unknown password (an administrator must set a new one)',
    }),
    step('deactivate-mfa-devices', {
      input: { ...base, enabledSince: since },
      dependsOn: [...first],
      // Never destroy what the evidence has not recorded.
      requiresSuccessOf: [...first],
      description: `Deactivate MFA devices enabled since ${since} (possibly the attacker’s); release cannot re-enable them`,
    }),
    // The stop steps wait for the key to be cut, so the attacker cannot start again what they stop.
    ...aiActivitySteps({ playbook: IAM_USER_PLAYBOOK, finding, subject, after: ['deny-ai-actions', 'deactivate-access-keys', 'deactivate-bedrock-keys'] }),
  ];
  if (needsInvocationLoggingCheck(finding, subject)) steps.push(invocationLoggingStep(IAM_USER_PLAYBOOK, options.invocationLogging, subject.region));
  return steps;
}

export const iamUserPlaybook = definePlaybook({
  name: IAM_USER_PLAYBOOK,
  subjectKinds: ['iam-user'],
  steps: IAM_USER_STEPS,
  options: IamUserPlaybookOptionsSchema,
  plan: planSteps,
});

/** The plan for one IAM user (the options are validated: a PlanError when they are not valid). */
export function planIamUser(finding: Finding, subject: SubjectOf<'iam-user'>, options: IamUserPlaybookOptions = {}): Plan {
  return iamUserPlaybook.plan(finding, subject, options);
}
