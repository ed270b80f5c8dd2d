/**
 * The engine's use of the policy: pick the rule for a subject (a CLI `--mode` replaces the rule's mode before the
 * guardrails, which can still lower it), then evaluate the guardrails with the journal's budget and breaker counts.
 */
import type { Finding, Subject } from '../findings/model.js';
import type { Mode } from '../contracts/plan.js';
import { buildDecision, type Decision } from '../policy/decision.js';
import { evaluateGuardrails } from '../policy/guardrails.js';
import { selectRule, type RuleSelection } from '../policy/match-rule.js';
import type { Policy } from '../policy/policy.js';
import { lowerMode } from '../policy/mode-order.js';

export interface GuardrailCounts {
  /** Findings of this type in the breaker window, this one included. */
  readonly breakerHits?: number;
  /** The journal's answer to taking one unit of the account's hourly budget. */
  readonly budgetAllowed?: boolean;
  /** Units used after the take (when allowed) or the exhausted count. */
  readonly budgetUsed?: number;
}

export function selectForSubject(policy: Policy, finding: Finding, subject: Subject, mode?: Mode, ceiling?: Mode): RuleSelection {
  let selection = selectRule(policy, finding, subject);
  if (mode !== undefined && mode !== selection.mode) {
    selection = { ...selection, mode, why: [...selection.why, `mode ${mode} requested by the caller (replaces ${selection.mode})`] };
  }
  if (ceiling !== undefined && lowerMode(selection.mode, ceiling) !== selection.mode) {
    selection = { ...selection, mode: ceiling, why: [...selection.why, `deployment mode ceiling ${ceiling} (lowers ${selection.mode})`] };
  }
  return selection;
}

export function decide(
  policy: Policy,
  finding: Finding,
  subject: Subject,
  selection: RuleSelection,
  responderPrincipalArns: readonly string[],
  counts: GuardrailCounts,
): Decision {
  // The journal's atomic take decides; `used` (before this containment) is for the explanation.
  const budget =
    counts.budgetAllowed === undefined
      ? undefined
      : { allowed: counts.budgetAllowed, used: counts.budgetAllowed ? Math.max(0, (counts.budgetUsed ?? 1) - 1) : (counts.budgetUsed ?? 0) };
  const result = evaluateGuardrails({
    finding,
    subject,
    selection,
    policy,
    responderPrincipalArns,
    budget,
    breakerHits: counts.breakerHits,
  });
  return buildDecision(policy, selection, result);
}
