/**
 * A Decision is what the policy says about one subject of one finding: the rule, the playbook, the mode asked for
 * and the mode allowed after guardrails, and why. JSON-serializable: the engine journals it with the incident.
 */
import type { Finding, Json, Subject } from '../findings/model.js';
import type { Mode } from '../contracts/plan.js';
import { evaluateGuardrails, type GuardrailInput, type GuardrailResult, type GuardrailVerdict } from './guardrails.js';
import { selectRule, type RuleSelection } from './match-rule.js';
import type { Policy, StepOverride } from './policy.js';

export interface Decision {
  /** Name of the matching rule; absent when the defaults applied. */
  readonly rule?: string;
  readonly playbook: string;
  /** What the rule (or defaults) asked for. */
  readonly requestedMode: Mode;
  /** What may happen after guardrails: never higher than `requestedMode`. */
  readonly effectiveMode: Mode;
  /** Per-step overrides in force (`auto-approve` is dropped unless the effective mode is contain). */
  readonly stepOverrides: Readonly<Record<string, StepOverride>>;
  /** The rule's options for the playbook (over the responder's own, key by key); absent when it has none. */
  readonly playbookOptions?: Readonly<Record<string, Json>>;
  readonly verdicts: readonly GuardrailVerdict[];
  /** `guardrail:<name>`, `rule:<name>` or `defaults`. */
  readonly decidedBy: string;
  /** Rule selection, then guardrails, in order, for people. */
  readonly why: readonly string[];
  /** A human must be told (budget/breaker fallback, or a protection refused what the rule asked for). */
  readonly notify: boolean;
  /** The policy's source (file name or `<built-in>`). */
  readonly policySource: string;
  /** Present (true) when budget/breaker counts are still missing: not final, contain steps must not run on it. */
  readonly countsPending?: true;
}

/** Combines a rule selection and the guardrail result into the journaled decision. */
export function buildDecision(policy: Policy, selection: RuleSelection, guardrails: GuardrailResult): Decision {
  const why = [...selection.why];
  for (const v of guardrails.verdicts) {
    if (v.outcome !== 'pass') why.push(`guardrail ${v.guardrail} (${v.outcome}): ${v.reason}`);
  }
  const stepOverrides: Record<string, StepOverride> = {};
  const dropped: string[] = [];
  for (const [id, override] of Object.entries(selection.stepOverrides)) {
    // Approval can only be waived when containing automatically is allowed; a guardrail fallback restores it.
    if (override === 'auto-approve' && guardrails.effectiveMode !== 'contain') dropped.push(id);
    else stepOverrides[id] = override;
  }
  if (dropped.length > 0) {
    why.push(`auto-approve ignored for ${dropped.join(', ')}: effective mode is ${guardrails.effectiveMode}`);
  }
  why.push(
    guardrails.effectiveMode === selection.mode
      ? `effective mode ${guardrails.effectiveMode} (decided by ${guardrails.decidedBy})`
      : `effective mode ${guardrails.effectiveMode}, lowered from ${selection.mode} (decided by ${guardrails.decidedBy})`,
  );
  return {
    ...(selection.rule ? { rule: selection.rule.name } : {}),
    playbook: selection.playbook,
    requestedMode: selection.mode,
    effectiveMode: guardrails.effectiveMode,
    stepOverrides,
    ...(selection.options !== undefined ? { playbookOptions: selection.options } : {}),
    verdicts: guardrails.verdicts,
    decidedBy: guardrails.decidedBy,
    why,
    notify: guardrails.notify,
    policySource: policy.source,
    ...(guardrails.countsPending ? { countsPending: true as const } : {}),
  };
}

export type DecideInput = Omit<GuardrailInput, 'selection'>;

/** selectRule + evaluateGuardrails + buildDecision in one call. */
export function decide(input: DecideInput & { readonly finding: Finding; readonly subject: Subject }): Decision {
  const selection = selectRule(input.policy, input.finding, input.subject);
  const guardrails = evaluateGuardrails({ ...input, selection });
  return buildDecision(input.policy, selection, guardrails);
}
