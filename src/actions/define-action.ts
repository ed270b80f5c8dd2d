/**
 * `defineAction`: the one shape of an action. The input is a zod schema (its type is inferred, and a playbook step
 * passing the action object is checked against it); the engine parses a step's input once and hands every phase the
 * parsed value and a context bound to the action, whose `fail()` builds the step's error. `release` present = the
 * action is reversible. Every action that changes something must `verify` it.
 */
import type { z } from 'zod';
import type { EffectClass } from '../contracts/plan.js';
import { StepError, TourniquetError } from '../errors.js';
import type { Json } from '../findings/model.js';
import type { Action, ActionContext, BoundActionContext, IamPermission, PrefetchContext, VerifyResult } from './action.js';
import { parseInput } from './action-support.js';

export interface ActionDefinition<S extends z.ZodType, P extends Json, O extends Json> {
  /** `<service>.<capability>`, the name plans reference (`ec2.tag-instance`). */
  readonly name: string;
  readonly effect: EffectClass;
  readonly description: string;
  /** The step input: validated once by the engine; its output type is what the phases get. */
  readonly input: S;
  readonly permissions: readonly IamPermission[];
  /** Irreversible on purpose, and kept when the incident is released: why (see Action.keptOnRelease). */
  readonly keptOnRelease?: string;
  /** Read the state the action is about to change. Must not mutate. */
  capture(input: z.output<S>, ctx: BoundActionContext): Promise<P>;
  /** Mutate. Idempotent. Returns what it did (ids created, etc.). */
  apply(input: z.output<S>, preImage: P, ctx: BoundActionContext): Promise<O>;
  /** Restore the pre-image. Idempotent. Present = the action is reversible. */
  release?(input: z.output<S>, preImage: P, output: O | undefined, ctx: BoundActionContext): Promise<Json>;
  /** Read the state back: does the change hold? Required unless the effect is `read`. */
  verify?(input: z.output<S>, ctx: BoundActionContext): Promise<VerifyResult>;
  /** Reads of the subject's state `capture` will need, started before the incident is opened (see Action.prefetch). */
  prefetch?(ctx: PrefetchContext): Promise<unknown>;
  /** Reads `capture` will need, started when the plan's run starts (see Action.readAhead). */
  readAhead?(ctx: PrefetchContext): Promise<unknown>;
}

/** What `defineAction` returns: an engine action that also carries its input schema (for typed plan steps). */
export interface DefinedAction<S extends z.ZodType = z.ZodType, P extends Json = Json, O extends Json = Json> extends Action<z.output<S>, P, O> {
  readonly input: S;
}

/** Binds the engine's context to one action: `fail()` names the step (or the action) and the action; `aws()` looks up clients. */
export function bindContext(ctx: ActionContext, action: string): BoundActionContext {
  return {
    ...ctx,
    action,
    aws: (ClientClass) => ctx.clients.aws(ClientClass),
    fail: (message, cause) => new StepError(ctx.stepId ?? action, `${action}: ${message}`, cause === undefined ? undefined : { cause }),
  };
}

export function defineAction<S extends z.ZodType, P extends Json, O extends Json>(def: ActionDefinition<S, P, O>): DefinedAction<S, P, O> {
  if (def.effect !== 'read' && def.verify === undefined) {
    // A change the engine cannot read back could be reported done while it does not hold.
    throw new TourniquetError('action.definition', `action ${def.name}: a ${def.effect} action must have verify`);
  }
  const { release, verify, prefetch, readAhead } = def;
  return {
    name: def.name,
    effect: def.effect,
    reversible: release !== undefined,
    description: def.description,
    permissions: def.permissions,
    ...(def.keptOnRelease !== undefined ? { keptOnRelease: def.keptOnRelease } : {}),
    input: def.input,
    parseInput: (raw, ctx) => parseInput(def.input, raw, ctx, def.name),
    capture: (input, ctx) => def.capture(input, bindContext(ctx, def.name)),
    apply: (input, pre, ctx) => def.apply(input, pre, bindContext(ctx, def.name)),
    ...(release !== undefined ? { release: (input, pre, output, ctx) => release.call(def, input, pre, output, bindContext(ctx, def.name)) } : {}),
    ...(verify !== undefined ? { verify: (input, ctx) => verify.call(def, input, bindContext(ctx, def.name)) } : {}),
    ...(prefetch !== undefined ? { prefetch: (ctx) => prefetch.call(def, ctx) } : {}),
    ...(readAhead !== undefined ? { readAhead: (ctx) => readAhead.call(def, ctx) } : {}),
  };
}
