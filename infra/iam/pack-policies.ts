/**
 * Packing IAM statements into managed policies: statements with the same resources and condition are merged (actions
 * unioned; generated ones also by same actions, see mergeSameActions), a statement too large for one policy is
 * split (halving its actions or its resources, whichever weighs more), and the pieces are placed first-fit-decreasing, so each managed policy is
 * filled before the next is started. IAM counts a policy's characters without whitespace: JSON.stringify's output.
 */
import { TourniquetError } from '../../src/errors.js';

export type Effect = 'Allow' | 'Deny';
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Action: string[];
  Resource: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** IAM managed policy size limit (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6_144;
/** Default quota of managed policies attached to one role (adjustable to 20 through Service Quotas). */
export const MAX_POLICIES_PER_ROLE = 10;
/** Aggregate size of all inline policies of one role (characters, whitespace excluded; not adjustable). */
export const ROLE_INLINE_POLICY_MAX_CHARS = 10_240;

const VERSION = '2012-10-17' as const;
const EMPTY_DOCUMENT_SIZE = JSON.stringify({ Version: VERSION, Statement: [] }).length;

/** Size as IAM counts it (JSON without whitespace). */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length;
}

export interface PackOptions {
  readonly maxChars?: number;
  readonly maxPolicies?: number;
  /** Names the role or policy set in errors. */
  readonly label?: string;
}

/**
 * Merges, splits and packs `statements` into as few documents as fit `maxChars`. Throws `infra.iam-too-large` when
 * more than `maxPolicies` documents would be needed, or when a statement with one action and one resource is alone
 * larger than a policy.
 */
export function packPolicyDocuments(statements: readonly PolicyStatement[], options: PackOptions = {}): PolicyDocument[] {
  const maxChars = options.maxChars ?? MANAGED_POLICY_MAX_CHARS;
  const maxPolicies = options.maxPolicies ?? MAX_POLICIES_PER_ROLE;
  const label = options.label ?? 'policy';
  const pieces = uniqueSids(mergeStatements(statements).flatMap((s) => splitToFit(s, maxChars, label)));
  const sized = pieces.map((statement, index) => ({ statement, index, size: JSON.stringify(statement).length }));
  const bins: Array<{ size: number; items: typeof sized }> = [];
  for (const item of [...sized].sort((a, b) => b.size - a.size || a.index - b.index)) {
    const bin = bins.find((b) => b.size + 1 + item.size <= maxChars);
    if (bin !== undefined) {
      bin.size += 1 + item.size;
      bin.items.push(item);
    } else {
      bins.push({ size: EMPTY_DOCUMENT_SIZE + item.size, items: [item] });
    }
  }
  if (bins.length > maxPolicies) {
    const total = sized.reduce((sum, s) => sum + s.size, 0);
    throw new TourniquetError(
      'infra.iam-too-large',
      `${label}: the generated permissions need ${bins.length} managed policies (${total} characters of statements); a role takes ${maxPolicies} by default, ${maxChars} characters each`,
    );
  }
  return bins.map((bin) => ({ Version: VERSION, Statement: [...bin.items].sort((a, b) => a.index - b.index).map((i) => i.statement) }));
}

/** Statements with the same effect, resources and condition become one (actions unioned; the first Sid is kept). */
export function mergeStatements(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return mergeBy(statements, (s) => [s.Effect, sorted(s.Resource), canonicalCondition(s.Condition)], (into, s) => {
    into.Action = sorted([...into.Action, ...s.Action]);
  });
}

/**
 * Statements with the same effect, actions and condition become one (resources unioned). Same meaning: IAM
 * evaluates a statement per action and resource. Used for generated statements, whose Sids nobody looks up.
 */
export function mergeSameActions(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return mergeBy(mergeStatements(statements), (s) => [s.Effect, sorted(s.Action), canonicalCondition(s.Condition)], (into, s) => {
    into.Resource = sorted([...into.Resource, ...s.Resource]);
  });
}

function mergeBy(
  statements: readonly PolicyStatement[],
  keyOf: (s: PolicyStatement) => unknown[],
  merge: (into: PolicyStatement, s: PolicyStatement) => void,
): PolicyStatement[] {
  const byKey = new Map<string, PolicyStatement>();
  for (const statement of statements) {
    const key = JSON.stringify(keyOf(statement));
    const existing = byKey.get(key);
    if (existing === undefined) byKey.set(key, { ...statement, Action: sorted(statement.Action), Resource: sorted(statement.Resource) });
    else merge(existing, statement);
  }
  return [...byKey.values()];
}

/** A statement that does not fit one policy, split into pieces that do. */
function splitToFit(statement: PolicyStatement, maxChars: number, label: string): PolicyStatement[] {
  if (EMPTY_DOCUMENT_SIZE + JSON.stringify(statement).length <= maxChars) return [statement];
  const halves = <T>(list: readonly T[]): [T[], T[]] => [list.slice(0, Math.ceil(list.length / 2)), list.slice(Math.ceil(list.length / 2))];
  // Halve the list that weighs more, so the pieces stay few.
  const chars = (list: readonly string[]): number => JSON.stringify(list).length;
  const byActions = statement.Action.length > 1 && (statement.Resource.length <= 1 || chars(statement.Action) >= chars(statement.Resource));
  if (byActions) {
    const [a, b] = halves(statement.Action);
    return [...splitToFit({ ...statement, Action: a }, maxChars, label), ...splitToFit({ ...statement, Action: b }, maxChars, label)];
  }
  if (statement.Resource.length > 1) {
    const [a, b] = halves(statement.Resource);
    return [...splitToFit({ ...statement, Resource: a }, maxChars, label), ...splitToFit({ ...statement, Resource: b }, maxChars, label)];
  }
  throw new TourniquetError(
    'infra.iam-too-large',
    `${label}: statement ${statement.Sid ?? '(no Sid)'} is ${EMPTY_DOCUMENT_SIZE + JSON.stringify(statement).length} characters with one action and one resource; a managed policy holds at most ${maxChars}`,
  );
}

/** `Sid` from a sentence: alphanumerics only (IAM rule), PascalCase, at most 64 characters. */
export function toSid(why: string): string {
  const words = why.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const sid = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('').slice(0, 64);
  return sid === '' ? 'Statement' : sid;
}

/** Sids unique across all statements (so across and inside every document): repeats get a counter. */
function uniqueSids(statements: readonly PolicyStatement[]): PolicyStatement[] {
  const seen = new Map<string, number>();
  return statements.map((s) => {
    if (s.Sid === undefined) return s;
    const count = (seen.get(s.Sid) ?? 0) + 1;
    seen.set(s.Sid, count);
    return count === 1 ? s : { ...s, Sid: `${s.Sid.slice(0, 64 - String(count).length)}${count}` };
  });
}

function canonicalCondition(condition: ConditionBlock | undefined): unknown {
  if (condition === undefined) return null;
  return Object.keys(condition)
    .sort()
    .map((op) => [op, Object.entries(condition[op] ?? {}).sort(([a], [b]) => a.localeCompare(b))]);
}

function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
