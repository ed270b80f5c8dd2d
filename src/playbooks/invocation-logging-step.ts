/**
 * The Bedrock invocation-logging check as a plan fragment any playbook can include (the identity playbooks, the
 * `bedrock` playbook): declare the step, accept the option, add the step when the finding calls for it.
 *
 *   const STEPS = { ...…, ...INVOCATION_LOGGING_STEPS } as const;             // the step id and its action
 *   const Options = z.strictObject({ …, ...INVOCATION_LOGGING_OPTIONS });     // `invocationLogging`
 *   if (needsInvocationLoggingCheck(finding, subject))
 *     steps.push(invocationLoggingStep(PLAYBOOK_NAME, options.invocationLogging, subject.region, { dependsOn: [] }));
 *
 * Pure: no I/O.
 */
import { InvocationLoggingOptionSchema, ensureInvocationLogging, type InvocationLoggingOption } from '../actions/bedrock-ensure-invocation-logging.js';
import type { PlanStep } from '../contracts/plan.js';
import type { Finding, Subject } from '../findings/model.js';
import { stepBuilder } from './plan-steps.js';

export const INVOCATION_LOGGING_STEP_ID = 'ensure-invocation-logging';

/** Spread into a playbook's `steps`. */
export const INVOCATION_LOGGING_STEPS = { [INVOCATION_LOGGING_STEP_ID]: ensureInvocationLogging } as const;

/** Spread into a playbook's options schema: `invocationLogging` (`cloudWatch`, `s3`, `keepOnRelease`). */
export const INVOCATION_LOGGING_OPTIONS = { invocationLogging: InvocationLoggingOptionSchema.optional() };

/** The finding types that are about invocation logging itself. */
const LOGGING_TYPES = /^DefenseEvasion:IAMUser\/BedrockLoggingDisabled(?:$|[.!])/;

/** Plan the check for GuardDuty's "logging disabled" finding and for every finding about an AI workload. */
export function needsInvocationLoggingCheck(finding: Finding, subject: Subject): boolean {
  return LOGGING_TYPES.test(finding.type.raw) || subject.ai.isAi;
}

const build = (playbook: string) => stepBuilder(playbook, INVOCATION_LOGGING_STEPS);

export interface InvocationLoggingStepOrder {
  readonly dependsOn?: readonly string[];
  readonly after?: readonly string[];
}

/**
 * The step for a subject in `region`, with the playbook's option (or none, or a destination in another Region: the
 * step then only succeeds if logging is already on).
 */
export function invocationLoggingStep(playbook: string, option: InvocationLoggingOption | undefined, region: string, order: InvocationLoggingStepOrder = {}): PlanStep {
  const { keepOnRelease, region: destinationRegion, ...destination } = option ?? {};
  const hasDestination = (destination.cloudWatch !== undefined || destination.s3 !== undefined) && (destinationRegion === undefined || destinationRegion === region);
  const step = build(playbook)(INVOCATION_LOGGING_STEP_ID, {
    input: { ...(hasDestination ? { destination } : {}), ...(keepOnRelease !== undefined ? { keepOnRelease } : {}) },
    dependsOn: [],
    description: hasDestination
      ? 'Make sure Bedrock model invocation logging is on in this Region (put the configured destination if it is off)'
      : 'Check Bedrock model invocation logging is on in this Region; fails if it is off (no invocationLogging destination configured)',
  });
  // The order refers to the host playbook's steps, which this fragment's builder does not know.
  return { ...step, dependsOn: [...(order.dependsOn ?? [])], ...(order.after !== undefined ? { after: [...order.after] } : {}) };
}
