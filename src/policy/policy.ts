/**
 * The normalized policy: what `tourniquet.yaml` says once validated, with every default filled in. Pure data
 * (JSON-serializable) so a decision can journal which policy produced it. See docs/policy.md for the file format.
 */
import type { Json, SeverityBand, SubjectKind } from '../findings/model.js';
import type { Mode } from '../contracts/plan.js';

/**
 * Per-step override in a rule. `skip`: never run the step. `require-approval`: the step waits for a human even
 * where the mode would run it. `auto-approve`: a destructive step runs without approval — only in `contain` mode.
 */
export type StepOverride = 'skip' | 'require-approval' | 'auto-approve';

export const STEP_OVERRIDES: readonly StepOverride[] = ['skip', 'require-approval', 'auto-approve'];

export const MODES: readonly Mode[] = ['observe', 'approve', 'contain'];

export type ResourceRole = 'ACTOR' | 'TARGET';

/** A tag criterion: the tag `key` is present and its value matches the `value` glob (`*` = any sequence). */
export interface TagCriterion {
  readonly key: string;
  readonly value: string;
}

/** What a rule matches. Absent criteria match everything; all present criteria must hold. */
export interface RuleMatch {
  /** Finding-type patterns: exact, prefix (ends in `/` or `:`), or glob (`*`). Any one must match. */
  readonly type?: readonly string[];
  /** Inclusive bounds on the numeric severity (1.0–10.0) and/or a set of bands. All given parts must hold. */
  readonly severity?: {
    readonly min?: number;
    readonly max?: number;
    readonly band?: readonly SeverityBand[];
  };
  readonly subject?: readonly SubjectKind[];
  /** `true`: only AI workloads; `false`: only non-AI; `any` (default): both. */
  readonly ai: boolean | 'any';
  /** Every listed tag must be present with a matching value. */
  readonly tags: readonly TagCriterion[];
  /** None of the listed tags may be present with a matching value (`*` = the key must be absent). */
  readonly notTags: readonly TagCriterion[];
  /** Account-id globs; the subject's account must match one. */
  readonly accounts?: readonly string[];
  /** Region globs; the subject's region must match one. */
  readonly regions?: readonly string[];
  /** The subject's role in the finding (GuardDuty `service.resourceRole`; TARGET when absent). */
  readonly resourceRole?: readonly ResourceRole[];
}

export interface PolicyRule {
  readonly name: string;
  readonly description?: string;
  /** 1-based line of the rule in its file (absent for built-in rules). */
  readonly line?: number;
  readonly match: RuleMatch;
  /** Explicit playbook; when absent the playbook is chosen by subject kind. */
  readonly playbook?: string;
  /** The rule's mode (the file's `defaults.mode` when the rule does not say). */
  readonly mode: Mode;
  /** Step id → override. Keys are validated step-id syntax (`[a-z0-9-]`), so they cannot be `__proto__`. */
  readonly steps: Readonly<Record<string, StepOverride>>;
  /**
   * The playbook's options for this rule, validated against its schema: over the responder's own (CLI flags,
   * Lambda environment) key by key. They apply when the rule's playbook is the one they were checked against.
   */
  readonly options?: { readonly playbook: string; readonly values: Readonly<Record<string, Json>> };
}

export interface Guardrails {
  /** A subject carrying this tag (value compared case-insensitively) is never mutated. */
  readonly exemptTag: { readonly key: string; readonly value: string };
  /** ARN globs of principals never contained: the built-in list plus the file's list. */
  readonly protectedPrincipals: readonly string[];
  /** Account-id globs where nothing is ever mutated. */
  readonly protectedAccounts: readonly string[];
  /** Containments (automatic, in `contain` mode) per account per hour; beyond it → approve + notify. */
  readonly budget: { readonly perAccountPerHour: number };
  /** `findings` findings of one type within `withinMinutes` → approve + notify. */
  readonly breaker: { readonly findings: number; readonly withinMinutes: number };
  /** Always true (contract): sample findings never mutate anything. */
  readonly ignoreSamples: true;
  /** Whether archived (suppressed) findings may mutate; default false → observe. */
  readonly actOnArchived: boolean;
}

/** A problem found in the policy file. `line` is 1-based when known. */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

export interface Policy {
  readonly version: 1;
  /** Where it came from: the file name, or `<built-in>`. */
  readonly source: string;
  readonly defaults: { readonly mode: Mode };
  readonly guardrails: Guardrails;
  /** Evaluated in order; the first matching rule wins. */
  readonly rules: readonly PolicyRule[];
  /** Non-fatal findings of validation (unknown step ids, type patterns that match no known type …). */
  readonly warnings: readonly PolicyIssue[];
}
