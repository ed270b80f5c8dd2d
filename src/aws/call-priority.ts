/**
 * The priority of the AWS calls made inside a piece of work, carried by AsyncLocalStorage so the rate limiter's
 * middleware (which sees a call, not the step that made it) can let containment go ahead of evidence reads when
 * both wait for the same bucket. The engine sets it around each step (src/engine/run-plan.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EffectClass } from '../contracts/plan.js';

/** `high`: containment (a step that changes or cuts something); `low`: reading evidence, which can wait. */
export type CallPriority = 'high' | 'low';

const storage = new AsyncLocalStorage<CallPriority>();

/** Runs `work` with every AWS call it makes (and the calls of what it starts) at `priority`. */
export function withCallPriority<T>(priority: CallPriority, work: () => T): T {
  return storage.run(priority, work);
}

/** The priority set around the current work; `high` outside any (an unclassified call is not held back). */
export function currentCallPriority(): CallPriority {
  return storage.getStore() ?? 'high';
}

/**
 * A step's priority from its effect: `contain` and `destructive` steps (their reads included: they capture the
 * pre-image the mutation needs) are `high`; `read`, `evidence` and `notify` steps are `low`. A mutating call is
 * `high` whatever its step (the rate limiter decides that from the operation).
 */
export function priorityOfEffect(effect: EffectClass): CallPriority {
  return effect === 'contain' || effect === 'destructive' ? 'high' : 'low';
}
