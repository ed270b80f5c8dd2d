/**
 * The plan contract shared by playbooks (which build plans), the policy (which names modes), the engine (which runs
 * plans) and the journal (which stores them). A Plan is what a playbook produces for one subject: ordered, reversible
 * steps. Pure data (JSON-serializable) so it can be journaled and resumed after an approval without the finding.
 */
import type { Json } from '../findings/model.js';

/**
 * read: describes state, no AWS mutation (runs in every mode).
 * evidence: preserves evidence; may create AWS resources such as snapshots (not in observe).
 * contain: reversible containment (waits for approval in `approve` mode).
 * notify: tells humans (runs in every mode except observe, where it is recorded only).
 * destructive: hard to undo or affects more than the subject (always needs approval unless the rule auto-approves).
 */
export type EffectClass = 'read' | 'evidence' | 'contain' | 'notify' | 'destructive';

/**
 * Effects from the least to the most demanding of approval. A step may declare a higher effect than its action
 * (to make a `contain` action wait like a destructive one), never a lower one.
 */
export const EFFECT_ORDER: readonly EffectClass[] = ['read', 'notify', 'evidence', 'contain', 'destructive'];

/** The more demanding of two effects. */
export function maxEffect(a: EffectClass, b: EffectClass): EffectClass {
  return EFFECT_ORDER.indexOf(a) >= EFFECT_ORDER.indexOf(b) ? a : b;
}

export type Mode = 'observe' | 'approve' | 'contain';

export interface PlanStep {
  /** Unique within the plan, stable across re-plans of the same playbook (e.g. `isolate-network`). */
  readonly id: string;
  /** Registered action name, e.g. `ec2.isolate-network-interfaces`. */
  readonly action: string;
  readonly input: { readonly [key: string]: Json };
  readonly dependsOn: readonly string[];
  readonly effect: EffectClass;
  readonly reversible: boolean;
  /** One line for people: what this step does and why. */
  readonly description: string;
  /** When set, the step runs only if every listed step succeeded (default: dependencies must be done or skipped). */
  readonly requiresSuccessOf?: readonly string[];
  /**
   * Ordering only: the step waits until each listed step has finished, whatever its outcome. For work that should come
   * first but must not block this step when it fails (a failed snapshot must not keep a miner on the network).
   */
  readonly after?: readonly string[];
  /**
   * Order on the change only: the step may start as soon as each listed step's change has been made (its apply
   * returned, in this run) without waiting for that step's read-back, or once it is done; it is skipped when a listed
   * step fails, as with `dependsOn`. For an order AWS must see (out of the Auto Scaling group, then out of the target
   * groups) that needs the change made, not yet read back. A step that needs the listed one verified also names it in
   * `requiresSuccessOf` (or `dependsOn`), which wait for `done`.
   * A step named in both `after` and `afterChangeOf` is an ordering only, on the change: the step starts once that
   * step's change is made (not read back) or once it has finished whatever its outcome — it is never skipped for it
   * (credentials cut after the network: on the swap made, and also when the isolation could not happen).
   */
  readonly afterChangeOf?: readonly string[];
}

/**
 * Containment Tourniquet cannot or must not do itself (Identity Center assignments, the root user, federated users,
 * `kubectl` inside a cluster, a role a guardrail protects): a human does it. Shown loudly wherever the plan is shown
 * (notifications, `plan`, `show`, the timeline) and journaled with the plan. Never run, never approved: text only.
 */
export interface ManualStep {
  /** Unique within the plan, stable across re-plans (plans of several occurrences are merged by it), e.g. `remove-sso-assignment`. */
  readonly id: string;
  /** What to do, in one line: `Remove the user's Identity Center account assignment`. */
  readonly title: string;
  /** Why a human must do it (why Tourniquet does not), in one or two sentences. */
  readonly why: string;
  /** Exact commands or console paths to run, in order (may quote finding values: renderers make them print-safe). */
  readonly commands?: readonly string[];
}

export interface Plan {
  readonly playbook: string;
  /** `account#region#kind#id`: the incident key of the subject. */
  readonly incidentKey: string;
  readonly steps: readonly PlanStep[];
  /** What a human must do; absent when nothing (plans journaled before manual steps existed have none). */
  readonly manualSteps?: readonly ManualStep[];
}
