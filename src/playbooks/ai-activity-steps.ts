/**
 * The AI-activity plan fragment, for the playbooks of a compromised principal (IAM user, role session): read the
 * principal's CloudTrail history, then — each with a human's approval — stop the Bedrock and SageMaker work it
 * started. A playbook includes it with two lines: spread `AI_ACTIVITY_STEPS` into its steps (so the actions are
 * registered and rules may override the step ids) and append `aiActivitySteps(...)` to its plan. Pure: no I/O.
 *
 *   steps: { ...MY_STEPS, ...AI_ACTIVITY_STEPS },
 *   plan: (args) => [...mySteps(args), ...aiActivitySteps({ playbook: 'iam-user', finding, subject, after: ['deactivate-key'] })],
 */
import { lookupPrincipalActivity } from '../actions/cloudtrail-lookup-principal-activity.js';
import { stopPrincipalBedrockResources } from '../actions/bedrock-stop-principal-resources.js';
import { lookupResourcesRef } from '../actions/ai-resource-input.js';
import { deletePrincipalSageMakerEndpoints } from '../actions/sagemaker-delete-principal-endpoints.js';
import { stopPrincipalSageMakerJobs } from '../actions/sagemaker-stop-principal-jobs.js';
import type { PlanStep } from '../contracts/plan.js';
import type { Finding, Subject } from '../findings/model.js';
import { stepBuilder } from './plan-steps.js';

/** The fragment's steps (step id → action), in plan order. */
export const AI_ACTIVITY_STEPS = {
  'lookup-ai-activity': lookupPrincipalActivity,
  'stop-bedrock-resources': stopPrincipalBedrockResources,
  'stop-sagemaker-jobs': stopPrincipalSageMakerJobs,
  'delete-sagemaker-endpoints': deletePrincipalSageMakerEndpoints,
} as const;

export type AiActivityStepId = keyof typeof AI_ACTIVITY_STEPS;

export interface AiActivityPlanArgs {
  /** The including playbook's name (named in plan errors). */
  readonly playbook: string;
  readonly finding: Finding;
  readonly subject: Subject;
  /** Steps of the including playbook the stop steps wait for (e.g. the credential cut, so nothing is re-created). */
  readonly after?: readonly string[];
  /** Hours of history read before the finding's first sighting (default 24). */
  readonly lookbackHours?: number;
  /** Hours read after its last sighting, bounded by the time the step runs (default 6). */
  readonly lookaheadHours?: number;
  /** More Regions to read (the finding's own, the Regions of its model ARNs and IAM's home Region are always read). */
  readonly extraRegions?: readonly string[];
  /**
   * `ai` (default): only when the subject is an AI workload by its AI context (an AI Protection type, Bedrock or
   * SageMaker calls, model or guardrail details, AI names or tags) — a key used from Tor by a CI job gets no hunt
   * for Bedrock jobs. `always`: for every principal.
   */
  readonly include?: 'ai' | 'always';
}

/** IAM's events (e.g. CreateServiceSpecificCredential, the Bedrock API keys) are in its home Region's history. */
const IAM_HOME_REGION: Readonly<Record<string, string>> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const HOUR_MS = 3_600_000;
export const MAX_ACTIVITY_REGIONS = 20;

/** Whose calls to look up: the access key when the finding has one, else the user or session name. */
export function principalOf(finding: Finding, subject: Subject): { accessKeyId?: string; userName?: string; principalId?: string } | undefined {
  let key: string | undefined;
  let name: string | undefined;
  let principalId: string | undefined;
  switch (subject.kind) {
    case 'iam-user':
    case 'federated-user':
      key = subject.details.accessKeyId;
      name = subject.details.userName;
      principalId = subject.details.principalId;
      break;
    case 'iam-role-session':
      key = subject.details.accessKeyId;
      name = subject.details.sessionName;
      principalId = subject.details.principalId;
      break;
    case 'access-key':
      key = subject.details.accessKeyId;
      break;
    default:
      break;
  }
  key ??= finding.actor?.accessKeyId;
  if (key === undefined && name === undefined) return undefined;
  return { ...(key !== undefined ? { accessKeyId: key } : {}), ...(name !== undefined ? { userName: name } : {}), ...(principalId !== undefined ? { principalId } : {}) };
}

/** The Regions to read: the finding's, its subjects' (model ARNs), IAM's home Region, then the extra ones. */
export function activityRegions(finding: Finding, subject: Subject, extra: readonly string[] = []): string[] {
  const regions = new Set<string>([finding.region, subject.region]);
  for (const s of finding.subjects) if (s.kind === 'bedrock-model') regions.add(s.region);
  const home = IAM_HOME_REGION[finding.partition];
  if (home !== undefined) regions.add(home);
  for (const r of extra) regions.add(r);
  return [...regions].filter((r) => REGION.test(r)).slice(0, MAX_ACTIVITY_REGIONS);
}

/** The fragment's steps for one principal; none when the finding names neither its key nor its name, or (by default) when it is not about AI. */
export function aiActivitySteps(args: AiActivityPlanArgs): PlanStep[] {
  const { finding, subject } = args;
  if ((args.include ?? 'ai') === 'ai' && !subject.ai.isAi) return [];
  const who = principalOf(finding, subject);
  if (who === undefined) return [];
  const first = Date.parse(finding.firstSeen ?? finding.createdAt);
  const last = Date.parse(finding.lastSeen ?? finding.updatedAt);
  const startTime = new Date(first - (args.lookbackHours ?? 24) * HOUR_MS).toISOString();
  const endTime = new Date(Math.max(first, last) + (args.lookaheadHours ?? 6) * HOUR_MS).toISOString();
  const regions = activityRegions(finding, subject, args.extraRegions);
  // Typed by the fragment's own steps; the including playbook declares them too (AI_ACTIVITY_STEPS).
  const step = stepBuilder(args.playbook, AI_ACTIVITY_STEPS);
  const after = [...(args.after ?? [])] as AiActivityStepId[];
  const resources = lookupResourcesRef('lookup-ai-activity');
  const lookup = who.accessKeyId !== undefined ? `access key ${who.accessKeyId}` : `user/session name ${who.userName ?? ''}`;
  return [
    step('lookup-ai-activity', {
      input: { ...who, regions, startTime, endTime },
      dependsOn: [],
      description: `CloudTrail history of ${lookup} in ${regions.join(', ')} into the case; lists the Bedrock/SageMaker resources it created or started`,
    }),
    step('stop-bedrock-resources', {
      input: resources,
      dependsOn: ['lookup-ai-activity'],
      // Nothing to stop without the lookup's list (skipped by a rule, or failed): skipped, never approved in vain.
      requiresSuccessOf: ['lookup-ai-activity'],
      after,
      description: 'Stop the principal’s Bedrock customization/batch jobs, delete its Provisioned Throughput (irreversible)',
    }),
    step('stop-sagemaker-jobs', {
      input: resources,
      dependsOn: ['lookup-ai-activity'],
      // Nothing to stop without the lookup's list (skipped by a rule, or failed): skipped, never approved in vain.
      requiresSuccessOf: ['lookup-ai-activity'],
      after,
      description: 'Stop the principal’s SageMaker training/processing/transform/tuning jobs (irreversible: a job cannot resume)',
    }),
    step('delete-sagemaker-endpoints', {
      input: resources,
      dependsOn: ['lookup-ai-activity'],
      // Nothing to stop without the lookup's list (skipped by a rule, or failed): skipped, never approved in vain.
      requiresSuccessOf: ['lookup-ai-activity'],
      after,
      description: 'Delete the SageMaker endpoints the principal created (config kept; release creates a new endpoint from it)',
    }),
  ];
}
