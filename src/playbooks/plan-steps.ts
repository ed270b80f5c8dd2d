/**
 * Typed plan steps. A playbook declares its steps as `step id → action object`; `step(id, spec)` then builds a
 * PlanStep whose input the compiler checks against the action's input schema and whose effect and reversibility
 * come from the action. A step may raise the effect (make a `contain` action wait like a destructive one), never
 * lower it: that would let a playbook run a destructive action without approval, so it is a PlanError.
 */
import type { z } from 'zod';
import type { AnyAction } from '../actions/action.js';
import { EFFECT_ORDER, type EffectClass, type PlanStep } from '../contracts/plan.js';
import { PlanError } from '../errors.js';
import type { Json } from '../findings/model.js';

/** An action a step can run: a registered action with its input schema (what `defineAction` returns). */
export type StepAction = AnyAction & { readonly input: z.ZodType };

/** A playbook's steps: step id → the action it runs (in plan order). */
export type StepActions = { readonly [stepId: string]: StepAction };

export interface StepSpec<A extends StepAction, Id extends string> {
  /** The action's input as the plan journals it (before the schema's defaults and transforms). */
  readonly input: z.input<A['input']>;
  readonly dependsOn: readonly Id[];
  /** The step runs only if every listed step succeeded. */
  readonly requiresSuccessOf?: readonly Id[];
  /** Ordering only: wait until each listed step has finished, whatever its outcome. */
  readonly after?: readonly Id[];
  /**
   * Wait for each listed step's change to be made, not for its read-back; skipped if it fails (PlanStep.afterChangeOf).
   * Also in `after`: ordering only, satisfied by the change made or by the step finishing whatever its outcome.
   */
  readonly afterChangeOf?: readonly Id[];
  /** Raise the action's effect; never lower it (PlanError). */
  readonly effect?: EffectClass;
  /** One line for people: what this step does and why. */
  readonly description: string;
}

export type StepBuilder<T extends StepActions> = <Id extends keyof T & string>(id: Id, spec: StepSpec<T[Id], keyof T & string>) => PlanStep;

/** The `step()` function of one playbook. */
export function stepBuilder<T extends StepActions>(playbook: string, actions: T): StepBuilder<T> {
  return (id, spec) => {
    const action = Object.hasOwn(actions, id) ? actions[id] : undefined;
    if (action === undefined) throw new PlanError(playbook, `step ${JSON.stringify(id)} is not one of its declared steps`);
    const effect = spec.effect ?? action.effect;
    if (EFFECT_ORDER.indexOf(effect) < EFFECT_ORDER.indexOf(action.effect)) {
      throw new PlanError(playbook, `step ${id} declares effect ${effect}, lower than its action ${action.name} (${action.effect}); a step may only raise it`);
    }
    return {
      id,
      action: action.name,
      input: jsonInput(spec.input),
      dependsOn: [...spec.dependsOn],
      ...(spec.after !== undefined ? { after: [...spec.after] } : {}),
      ...(spec.afterChangeOf !== undefined ? { afterChangeOf: [...spec.afterChangeOf] } : {}),
      ...(spec.requiresSuccessOf !== undefined ? { requiresSuccessOf: [...spec.requiresSuccessOf] } : {}),
      effect,
      reversible: action.reversible,
      description: spec.description,
    };
  };
}

/** The input as pure JSON data (absent optional fields dropped), the form the journal keeps. */
function jsonInput(input: unknown): { readonly [key: string]: Json } {
  return JSON.parse(JSON.stringify(input ?? {})) as { readonly [key: string]: Json };
}
