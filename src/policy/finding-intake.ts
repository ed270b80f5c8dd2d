/**
 * Which findings reach the responder at all: the one rule both the deployed EventBridge rule (infra) and the
 * responder Lambda (for S3 export objects, which no EventBridge rule filters) apply.
 *
 * A severity threshold alone is wrong for AI workloads: every AI Protection type is Low (2) by default, so a
 * threshold of 4 would drop exactly the findings Tourniquet exists for. A finding is admitted when
 *   - its severity is at or above the threshold, or
 *   - its type is AI-related (AI Protection types, and catalogued types naming Bedrock or SageMaker), whatever its
 *     severity, or
 *   - its type matches a `type:` pattern of a policy rule that acts on it (mode approve or contain, a playbook other
 *     than `none`), at or above that rule's own severity floor (`severity.min` / lowest `band`), if it has one.
 * Observe-only rules add nothing: they only record, so the threshold decides whether their findings are recorded.
 * `findingTypePrefixes`, when given, restricts all of the above (the operator asked for those types only).
 */
import { defaultPlaybookIn, NO_PLAYBOOK } from '../contracts/playbook-info.js';
import { describeValue, TourniquetError } from '../errors.js';
import type { SeverityBand } from '../findings/model.js';
import aiTypesFile from '../../data/ai-finding-types.json' with { type: 'json' };
import { PLAYBOOK_CATALOG } from '../playbooks/playbook-catalog.js';
import { typeMatches } from './glob.js';
import type { Policy, PolicyRule } from './policy.js';

/** Finding types admitted below the threshold, down to `minSeverity` when set (else at any severity). */
export interface IntakeBranch {
  /** Policy type patterns (exact, prefix ending in `/` or `:`, or `*` glob: see glob.ts). */
  readonly types: readonly string[];
  readonly minSeverity?: number;
  /** Why these types pass (for the rule's description and logs). */
  readonly why: string;
}

export interface FindingIntake {
  readonly severityThreshold: number;
  /** Below-threshold branches, AI types first, then one per severity floor of the policy's acting rules. */
  readonly branches: readonly IntakeBranch[];
  /** Restricts everything when non-empty: the type must start with one of these. */
  readonly findingTypePrefixes: readonly string[];
}

export interface IntakeOptions {
  readonly severityThreshold: number;
  readonly findingTypePrefixes?: readonly string[];
}

/** The lowest severity of each band (guardduty_findings-severity; see src/findings/severity.ts). */
const BAND_FLOOR: Readonly<Record<SeverityBand, number>> = { Low: 1, Medium: 4, High: 7, Critical: 9 };

let aiTypes: readonly string[] | undefined;

/**
 * AI-related types: the AI Protection types, and current catalogued types whose name says Bedrock or SageMaker
 * (data/ai-finding-types.json, generated from the catalogue by `npm run data:type-index`; a test fails when stale).
 */
export function aiFindingTypes(): readonly string[] {
  if (aiTypes === undefined) {
    const rows: unknown = aiTypesFile;
    if (!Array.isArray(rows) || !rows.every((t) => typeof t === 'string' && t !== '')) {
      throw new TourniquetError('catalogue.invalid', `data/ai-finding-types.json: $: expected an array of finding types, received ${describeValue(rows)}`);
    }
    aiTypes = Object.freeze([...(rows as string[])]);
  }
  return aiTypes;
}

/** The rule's severity floor: `severity.min`, else the lowest listed band, else none (any severity). */
function ruleFloor(rule: PolicyRule): number | undefined {
  const s = rule.match.severity;
  if (s === undefined) return undefined;
  const bands = (s.band ?? []).map((b) => BAND_FLOOR[b]);
  const floors = [...(s.min !== undefined ? [s.min] : []), ...(bands.length > 0 ? [Math.min(...bands)] : [])];
  return floors.length > 0 ? Math.max(...floors) : undefined;
}

/** Whether a rule can run a playbook: it does not only observe, and its playbook (named or by kind) is not `none`. */
function ruleActs(rule: PolicyRule): boolean {
  if (rule.mode === 'observe') return false;
  if (rule.playbook !== undefined) return rule.playbook !== NO_PLAYBOOK;
  const kinds = rule.match.subject;
  if (kinds === undefined) return true;
  return kinds.some((k) => defaultPlaybookIn(PLAYBOOK_CATALOG, k) !== NO_PLAYBOOK);
}

export function findingIntake(policy: Policy, options: IntakeOptions): FindingIntake {
  const threshold = options.severityThreshold;
  const aiTypes = aiFindingTypes();
  const branches: IntakeBranch[] = [{ types: aiTypes, why: 'AI-related finding types (AI Protection types are Low by default)' }];
  // One branch per severity floor below the threshold; a floor at or above it adds nothing.
  const byFloor = new Map<number | undefined, { types: Set<string>; rules: string[] }>();
  for (const rule of policy.rules) {
    if (rule.match.type === undefined || !ruleActs(rule)) continue;
    const floor = ruleFloor(rule);
    if (floor !== undefined && floor >= threshold) continue;
    let entry = byFloor.get(floor);
    if (entry === undefined) byFloor.set(floor, (entry = { types: new Set(), rules: [] }));
    // An AI type named exactly is admitted at any severity already.
    for (const t of rule.match.type) if (!aiTypes.includes(t)) entry.types.add(t);
    entry.rules.push(rule.name);
  }
  const floors = [...byFloor.keys()].sort((a, b) => (a ?? 0) - (b ?? 0));
  for (const floor of floors) {
    const entry = byFloor.get(floor)!;
    if (entry.types.size === 0) continue;
    branches.push({
      types: [...entry.types],
      ...(floor !== undefined ? { minSeverity: floor } : {}),
      why: `routed by policy rule(s) ${entry.rules.join(', ')}`,
    });
  }
  return { severityThreshold: threshold, branches, findingTypePrefixes: [...(options.findingTypePrefixes ?? [])] };
}

export type IntakeVerdict = { readonly admitted: true; readonly why: string } | { readonly admitted: false; readonly why: string };

/** Whether a finding of this type and severity gets in, and why. */
export function admitFinding(intake: FindingIntake, finding: { readonly type: string; readonly severity: number }): IntakeVerdict {
  const { type, severity } = finding;
  if (intake.findingTypePrefixes.length > 0 && !intake.findingTypePrefixes.some((p) => type.startsWith(p))) {
    return { admitted: false, why: `type ${type} outside the configured prefixes ${intake.findingTypePrefixes.join(', ')}` };
  }
  if (severity >= intake.severityThreshold) return { admitted: true, why: `severity ${severity} ≥ threshold ${intake.severityThreshold}` };
  for (const b of intake.branches) {
    if ((b.minSeverity === undefined || severity >= b.minSeverity) && b.types.some((p) => typeMatches(p, type))) {
      return { admitted: true, why: `${b.why}${b.minSeverity !== undefined ? ` (severity ≥ ${b.minSeverity})` : ''}` };
    }
  }
  return { admitted: false, why: `severity ${severity} below threshold ${intake.severityThreshold} and type ${type} not routed below it` };
}
