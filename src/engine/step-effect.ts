/**
 * The effect the engine gates a step by: the step's own, raised to its action's. A plan can make a step wait longer
 * than its action would (mark a `contain` action destructive), never shorter, so a playbook (or a journaled plan)
 * that labels a destructive action `contain` still waits for approval. The plan builder refuses such a step too.
 */
import type { AnyAction } from '../actions/action.js';
import { maxEffect, type PlanStep } from '../contracts/plan.js';
import { NotFoundError } from '../errors.js';

export function withActionEffects(steps: readonly PlanStep[], getAction: (name: string) => AnyAction): PlanStep[] {
  return steps.map((step) => {
    let action: AnyAction;
    try {
      action = getAction(step.action);
    } catch (err) {
      // An unknown action fails its step when it would run; there is nothing to raise the effect to.
      if (err instanceof NotFoundError) return step;
      throw err;
    }
    const effect = maxEffect(step.effect, action.effect);
    return effect === step.effect ? step : { ...step, effect };
  });
}
