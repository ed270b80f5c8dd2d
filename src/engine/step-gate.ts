/**
 * Decides, for one step, whether it may run now, must wait for a human, or is skipped — from the mode (contract:
 * observe = nothing runs; approve = reads and evidence run, contain/destructive wait; contain = contain runs,
 * destructive waits unless the rule auto-approves) and the rule's per-step override. The engine passes each step with
 * its effect raised to its action's (step-effect.ts): the gate decides from the higher of the two.
 */
import type { Mode, PlanStep } from '../contracts/plan.js';

import type { StepOverride } from '../policy/policy.js';

export type { StepOverride };

export type Gate =
  | { readonly kind: 'run'; readonly why: string }
  | { readonly kind: 'wait-approval'; readonly why: string }
  | { readonly kind: 'skip'; readonly why: string }
  | { readonly kind: 'hold'; readonly why: string }; // observe: planned only

export function gateStep(step: PlanStep, mode: Mode, override: StepOverride | undefined, approved: boolean): Gate {
  if (override === 'skip') return { kind: 'skip', why: 'skipped by the policy rule' };
  if (mode === 'observe') return { kind: 'hold', why: 'observe mode: planned and journaled only' };
  if (approved) return { kind: 'run', why: 'approved by a human' };
  if (step.effect === 'read' || step.effect === 'evidence' || step.effect === 'notify') {
    if (override === 'require-approval') return { kind: 'wait-approval', why: 'the policy rule requires approval for this step' };
    return { kind: 'run', why: `${step.effect} steps run in ${mode} mode` };
  }
  if (mode === 'approve') return { kind: 'wait-approval', why: `${step.effect} steps wait for approval in approve mode` };
  // contain mode
  if (step.effect === 'contain') {
    if (override === 'require-approval') return { kind: 'wait-approval', why: 'the policy rule requires approval for this step' };
    return { kind: 'run', why: 'contain mode' };
  }
  if (override === 'auto-approve') return { kind: 'run', why: 'destructive step auto-approved by the policy rule' };
  return { kind: 'wait-approval', why: 'destructive steps always wait for approval unless the rule auto-approves them' };
}
