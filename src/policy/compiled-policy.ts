/**
 * The compiled policy: the normalized `Policy` (what `parsePolicy` returns) as JSON, with a format marker. The deploy
 * validates `tourniquet.yaml` and uploads this form, so the Lambda reads its policy with `JSON.parse` and one zod
 * schema instead of loading the YAML parser and the policy-file checks (they stay out of its bundle).
 *
 * Pure: no YAML, no I/O. What is checked here is the shape of the normalized policy (strict objects, enums for
 * modes, step overrides, subject kinds, severity bands …). Playbook names, step ids and rule options are NOT checked
 * against the playbooks again: `parsePolicy` did that at deploy, and `definePlaybook`'s `plan` validates a rule's
 * options again whenever it builds a plan from them.
 */
import { z } from 'zod';
import { PolicyError, describeValue } from '../errors.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';
import { deepFreeze } from './built-in-policy.js';
import { MODES, STEP_OVERRIDES, type Policy } from './policy.js';

/** The marker key and the only format version this code reads and writes. */
const MARKER = 'tourniquetCompiledPolicy';
const FORMAT_VERSION = 1;

/** The normalized policy as compiled-policy text (JSON). `source` is kept; the reader records its own. */
export function compilePolicy(policy: Policy): string {
  return `${JSON.stringify({ [MARKER]: FORMAT_VERSION, policy }, null, 2)}\n`;
}

/** Cheap test for the loader: does the text start like a compiled policy (rather than YAML)? */
export function isCompiledPolicy(text: string): boolean {
  return /^\s*\{\s*"tourniquetCompiledPolicy"\s*:/.test(text);
}

/**
 * Reads compiled-policy text. `source` (the S3 URI, `TOURNIQUET_POLICY` …) is recorded as the policy's source, as
 * `parsePolicy` records its file name. Throws PolicyError naming the JSON path and the value received.
 */
export function readCompiledPolicy(text: string, source: string): Policy {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(source, [{ path: '(json)', message: `not a compiled policy: ${(err as Error).message}` }], { cause: err });
  }
  const proto = protoKeyPath(data, []);
  if (proto !== undefined) throw new PolicyError(source, [{ path: formatJsonPath(proto), message: 'unsupported key "__proto__"' }]);
  const parsed = CompiledPolicySchema.safeParse(data);
  if (!parsed.success) throw new PolicyError(source, parsed.error.issues.flatMap((i) => toIssues(i, data)));
  const { policy } = parsed.data;
  return deepFreeze({ ...asPolicy(policy), source });
}

const enumOf = <T extends string>(values: readonly T[]) =>
  z.enum(values as [T, ...T[]], { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });

const Mode = enumOf(MODES);
const Text = z.string({ error: 'expected a string' });
const Texts = z.array(Text, { error: 'expected a list of strings' });
const Line = z.int({ error: 'expected a line number' }).min(1, { error: 'expected a line number' });
const Tag = z.strictObject({ key: Text, value: Text }, { error: 'expected {key, value}' });
const Severity = z
  .number({ error: 'expected a number from 1 to 10' })
  .min(1, { error: 'expected a number from 1 to 10' })
  .max(10, { error: 'expected a number from 1 to 10' });

const Match = z.strictObject(
  {
    type: Texts.optional(),
    severity: z.strictObject({ min: Severity.optional(), max: Severity.optional(), band: z.array(enumOf(['Low', 'Medium', 'High', 'Critical'] as const)).optional() }).optional(),
    subject: z.array(enumOf(SUBJECT_KINDS)).optional(),
    ai: z.union([z.boolean(), z.literal('any')], { error: 'expected true, false or "any"' }),
    tags: z.array(Tag),
    notTags: z.array(Tag),
    accounts: Texts.optional(),
    regions: Texts.optional(),
    resourceRole: z.array(enumOf(['ACTOR', 'TARGET'] as const)).optional(),
  },
  { error: 'expected an object' },
);

const Rule = z.strictObject(
  {
    name: Text.min(1, { error: 'expected a non-empty rule name' }),
    description: Text.optional(),
    line: Line.optional(),
    match: Match,
    playbook: Text.optional(),
    mode: Mode,
    // Step-id syntax, as in the policy file: keys that can never be `__proto__` or the like.
    steps: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a step id' }), enumOf(STEP_OVERRIDES)),
    options: z.strictObject({ playbook: Text, values: z.record(z.string(), z.json()) }).optional(),
  },
  { error: 'expected an object' },
);

const Count = (min: number) => z.int({ error: `expected a whole number ≥ ${min}` }).min(min, { error: `expected a whole number ≥ ${min}` });

const PolicySchema = z.strictObject(
  {
    version: z.literal(1, { error: 'expected 1' }),
    source: Text,
    defaults: z.strictObject({ mode: Mode }),
    guardrails: z.strictObject({
      exemptTag: Tag,
      protectedPrincipals: Texts,
      protectedAccounts: Texts,
      budget: z.strictObject({ perAccountPerHour: Count(0) }),
      breaker: z.strictObject({ findings: Count(1), withinMinutes: Count(1) }),
      ignoreSamples: z.literal(true, { error: 'must be true' }),
      actOnArchived: z.boolean({ error: 'expected true or false' }),
    }),
    rules: z.array(Rule, { error: 'expected a list of rules' }),
    warnings: z.array(z.strictObject({ path: Text, message: Text, line: Line.optional() })),
  },
  { error: 'expected an object' },
);

const CompiledPolicySchema = z.strictObject(
  {
    [MARKER]: z.literal(FORMAT_VERSION, {
      error: `expected ${FORMAT_VERSION} (the compiled-policy format this responder reads; deploy the policy with this version of Tourniquet)`,
    }),
    policy: PolicySchema,
  },
  { error: 'expected a compiled policy (a JSON object)' },
);

// The schema's output is a Policy: a required field added to policy.ts but not here fails to compile (an optional
// one that the schema lacks is rejected as an unknown key by the round-trip tests).
const asPolicy = (p: z.infer<typeof PolicySchema>): Policy => p;

type Segment = string | number;

function toIssues(issue: z.core.$ZodIssue, data: unknown): Array<{ path: string; message: string }> {
  const path = issue.path.filter((s): s is Segment => typeof s === 'string' || typeof s === 'number');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatJsonPath([...path, key]), message: `unknown key ${JSON.stringify(key)}` }));
  }
  if (issue.code === 'invalid_key') {
    return [{ path: formatJsonPath(path), message: `${issue.issues[0]?.message ?? issue.message}, received key ${describeValue(path[path.length - 1])}` }];
  }
  const value = valueAt(data, path);
  return [{ path: formatJsonPath(path), message: value === undefined ? `missing: ${issue.message}` : `${issue.message}, received ${describeValue(value)}` }];
}

/** The first `__proto__` key (JSON.parse keeps it as an own property; copying it into an object would set a prototype). */
function protoKeyPath(data: unknown, path: Segment[]): Segment[] | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const entries: Array<[Segment, unknown]> = Array.isArray(data) ? data.map((v, i) => [i, v]) : Object.entries(data);
  for (const [k, v] of entries) {
    if (k === '__proto__') return [...path, k];
    const found = protoKeyPath(v, [...path, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v !== null && typeof v === 'object' && Object.hasOwn(v, seg)) v = (v as Record<Segment, unknown>)[seg];
    else return undefined;
  }
  return v;
}

/** `policy.rules[0].mode` (the same form as the policy file's paths). */
function formatJsonPath(path: readonly Segment[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? '(root)' : s;
}
