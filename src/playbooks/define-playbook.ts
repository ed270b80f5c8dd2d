/**
 * `definePlaybook`: a playbook is its name, the subject kinds it handles, its steps (step id → action, in plan
 * order), an options schema and `plan()`, which turns one finding and subject into steps with the typed `step()`
 * builder, and optionally `manualSteps()`: what a human must do that Tourniquet does not (text, never run). Pure: no
 * I/O; the plan is data the engine journals and runs. Register it with one line in playbook-catalog.ts.
 */
import type { z } from 'zod';
import type { ManualStep, Plan, PlanStep } from '../contracts/plan.js';
import { NO_PLAYBOOK, type PlaybookInfo } from '../contracts/playbook-info.js';
import { PlanError } from '../errors.js';
import type { Finding, Subject, SubjectKind } from '../findings/model.js';
import type { GuardrailVerdict } from '../policy/guardrails.js';
import { incidentKeyOf } from './incident-key.js';
import { stepBuilder, type StepAction, type StepActions, type StepBuilder } from './plan-steps.js';

/** The subject of one of the kinds `K`. */
export type SubjectOfKind<K extends SubjectKind> = Extract<Subject, { readonly kind: K }> extends never ? Subject & { readonly kind: K } : Extract<Subject, { readonly kind: K }>;

export interface PlanArgs<K extends SubjectKind, T extends StepActions, O extends z.ZodType> {
  readonly finding: Finding;
  readonly subject: SubjectOfKind<K>;
  /** The validated options (the rule's `options:` over the responder's settings). */
  readonly options: z.output<O>;
  /** Builds one step: `step('isolate-network', { input, dependsOn, description })`. */
  readonly step: StepBuilder<T>;
  /**
   * The decision's guardrail verdicts (empty when planned without a decision). A guardrail that blocks (e.g.
   * `responder-self`, `protected-principal`) keeps every step from running anyway; a playbook may then plan no
   * mutating step and tell a human, in manual steps, what to do instead.
   */
  readonly guardrails: readonly GuardrailVerdict[];
}

export interface PlaybookDefinition<K extends SubjectKind, T extends StepActions, O extends z.ZodType> {
  readonly name: string;
  readonly subjectKinds: readonly K[];
  /** Step id → the action it runs, in plan order. Steps a plan may leave out are declared too. */
  readonly steps: T;
  /** A strict object schema; every key optional (a playbook must work with no options at all). */
  readonly options: O;
  plan(args: PlanArgs<K, T, O>): PlanStep[];
  /**
   * What a human must do for this subject (Identity Center, root, `kubectl` …), shown loudly with the plan. Gets the
   * same arguments as `plan()` plus the steps it planned, so it can say what the steps do not cover.
   */
  manualSteps?(args: PlanArgs<K, T, O> & { readonly steps: readonly PlanStep[] }): ManualStep[];
}

export interface Playbook extends PlaybookInfo {
  /** The actions its steps run (the engine registers these). */
  readonly actions: readonly StepAction[];
  /**
   * The plan for one subject. `options` is validated against the options schema (a PlanError when invalid: the
   * edges validate first, with the user's names for things). A subject of another kind gets the `none` plan.
   */
  plan(finding: Finding, subject: Subject, options?: unknown, guardrails?: readonly GuardrailVerdict[]): Plan;
}

export function definePlaybook<K extends SubjectKind, T extends StepActions, O extends z.ZodType>(def: PlaybookDefinition<K, T, O>): Playbook {
  const step = stepBuilder(def.name, def.steps);
  const kinds: readonly SubjectKind[] = def.subjectKinds;
  return {
    name: def.name,
    subjectKinds: def.subjectKinds,
    stepIds: Object.keys(def.steps),
    options: def.options,
    actions: Object.values(def.steps),
    plan(finding, subject, options, guardrails = []) {
      const incidentKey = incidentKeyOf(subject);
      if (!kinds.includes(subject.kind)) return { playbook: NO_PLAYBOOK, incidentKey, steps: [] };
      const parsed = def.options.safeParse(options ?? {});
      if (!parsed.success) {
        throw new PlanError(def.name, `invalid options: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(options)'}: ${i.message}`).join('; ')}`);
      }
      const args = { finding, subject: subject as SubjectOfKind<K>, options: parsed.data as z.output<O>, step, guardrails };
      const steps = def.plan(args);
      const manualSteps = def.manualSteps?.({ ...args, steps }) ?? [];
      const seen = new Set<string>();
      for (const m of manualSteps) {
        if (seen.has(m.id)) throw new PlanError(def.name, `manual step ${JSON.stringify(m.id)} is listed twice`);
        seen.add(m.id);
      }
      return { playbook: def.name, incidentKey, steps, ...(manualSteps.length > 0 ? { manualSteps } : {}) };
    },
  };
}
