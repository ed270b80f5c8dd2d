/**
 * The zod schema of `tourniquet.yaml` as written (before defaults are filled in). Every object is strict: an
 * unknown key is an error, because a typo such as `protectedPrincipal:` must not silently disable a guardrail.
 */
import { z } from 'zod';
import { allowedKeysIn } from '../schema-keys.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';

/** A single value is accepted where a list is expected (`type: "Backdoor:EC2/"`). */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' || typeof v === 'number' ? [v] : v),
    z.array(item).min(1, { error: 'expected at least one item' }),
  );
}

const noSpace = /^\S+$/;

export const ModeSchema = z.enum(['observe', 'approve', 'contain'], {
  error: 'expected one of "observe", "approve", "contain"',
});

export const StepOverrideSchema = z.enum(['skip', 'require-approval', 'auto-approve'], {
  error: 'expected one of "skip", "require-approval", "auto-approve"',
});

const TypePattern = z
  .string({ error: 'expected a finding-type pattern (string)' })
  .min(1, { error: 'expected a non-empty finding-type pattern' })
  .max(200, { error: 'expected at most 200 characters' })
  .regex(noSpace, { error: 'a finding-type pattern cannot contain spaces' });

const BandSchema = z.preprocess(
  // Bands are accepted in any case and normalized (`high` → `High`).
  (v) => (typeof v === 'string' && v.length > 0 ? v[0]!.toUpperCase() + v.slice(1).toLowerCase() : v),
  z.enum(['Low', 'Medium', 'High', 'Critical'], { error: 'expected one of "Low", "Medium", "High", "Critical"' }),
);

const SeverityNumber = z
  .number({ error: 'expected a number from 1 to 10' })
  .min(1, { error: 'expected a number from 1 to 10' })
  .max(10, { error: 'expected a number from 1 to 10' });

const SeveritySchema = z
  .strictObject({
    min: SeverityNumber.optional(),
    max: SeverityNumber.optional(),
    band: list(BandSchema).optional(),
  })
  .refine((s) => s.min !== undefined || s.max !== undefined || s.band !== undefined, {
    error: 'expected at least one of min, max, band',
  })
  .refine((s) => s.min === undefined || s.max === undefined || s.min <= s.max, {
    error: 'min is greater than max: the rule could never match',
  });

const SubjectKindSchema = z.enum(SUBJECT_KINDS as [string, ...string[]], {
  error: `expected a subject kind: ${SUBJECT_KINDS.join(', ')}`,
});

const AccountPattern = z
  .string({ error: 'expected a 12-digit account id or a glob such as "1111*" (quote it in YAML)' })
  .regex(/^(\d{12}|[\d*]*\*[\d*]*)$/, {
    error: 'expected a 12-digit account id or a glob such as "1111*" (quote it in YAML)',
  });

const RegionPattern = z
  .string({ error: 'expected a region or region glob such as "us-*"' })
  .regex(/^[a-z0-9*-]+$/, { error: 'expected a region or region glob such as "us-*"' });

const ArnPattern = z
  .string({ error: 'expected an ARN glob such as "arn:aws:iam::*:role/BreakGlass"' })
  .regex(/^arn:\S+$/, { error: 'expected an ARN glob such as "arn:aws:iam::*:role/BreakGlass"' });

/** AWS tag keys: 1–128 characters. Values are globs. */
const TagMap = z.record(
  z
    .string()
    .min(1, { error: 'expected a tag key' })
    .max(128, { error: 'tag keys have at most 128 characters' }),
  z.string({ error: 'expected a tag-value glob (string; "*" = any value)' }),
);

export const MatchSchema = z.strictObject({
  type: list(TypePattern).optional(),
  severity: SeveritySchema.optional(),
  subject: list(SubjectKindSchema).optional(),
  ai: z.union([z.boolean(), z.literal('any')], { error: 'expected true, false or "any"' }).optional(),
  tags: TagMap.optional(),
  notTags: TagMap.optional(),
  accounts: list(AccountPattern).optional(),
  regions: list(RegionPattern).optional(),
  resourceRole: list(z.enum(['ACTOR', 'TARGET'], { error: 'expected "ACTOR" or "TARGET"' })).optional(),
});

export const StepIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a step id (lower-case letters, digits and "-")' });

export const RuleSchema = z.strictObject({
  name: z
    .string({ error: 'expected a rule name (string)' })
    .min(1, { error: 'expected a non-empty rule name' })
    .max(100, { error: 'expected at most 100 characters' }),
  description: z.string({ error: 'expected a string' }).optional(),
  match: MatchSchema.nullable().optional(),
  playbook: z
    .string({ error: 'expected a playbook name' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a playbook name (lower-case letters, digits and "-")' })
    .optional(),
  mode: ModeSchema.optional(),
  steps: z.record(StepIdSchema, StepOverrideSchema).optional(),
  // Checked against the playbook's own options schema once the playbook is known (load-policy.ts).
  options: z.record(z.string(), z.unknown(), { error: "expected the playbook's options (a mapping)" }).optional(),
});

const PositiveInt = z.int({ error: 'expected a whole number' }).min(1, { error: 'expected a whole number ≥ 1' });

export const GuardrailsSchema = z.strictObject({
  exemptTag: z
    .strictObject({
      key: z.string({ error: 'expected a tag key' }).min(1, { error: 'expected a tag key' }).max(128),
      value: z.string({ error: 'expected a tag value (quote "true" in YAML)' }).max(256),
    })
    .optional(),
  protectedPrincipals: z.array(ArnPattern).optional(),
  protectedAccounts: z.array(AccountPattern).optional(),
  budget: z
    .strictObject({
      perAccountPerHour: z
        .int({ error: 'expected a whole number ≥ 0' })
        .min(0, { error: 'expected a whole number ≥ 0' }),
    })
    .optional(),
  breaker: z
    .strictObject({
      findings: PositiveInt,
      withinMinutes: PositiveInt.max(1440, { error: 'expected at most 1440 (one day)' }),
    })
    .optional(),
  ignoreSamples: z
    .literal(true, { error: 'must be true: sample findings never mutate anything (this cannot be turned off)' })
    .optional(),
  actOnArchived: z.boolean({ error: 'expected true or false' }).optional(),
});

export const PolicyFileSchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1 (the only policy format version)' }),
  defaults: z.strictObject({ mode: ModeSchema.optional() }).nullable().optional(),
  guardrails: GuardrailsSchema.nullable().optional(),
  rules: z.array(RuleSchema, { error: 'expected a list of rules' }).nullable().optional(),
});

export type PolicyFile = z.infer<typeof PolicyFileSchema>;
export type RuleFile = z.infer<typeof RuleSchema>;

/** The keys the schema allows for the object at `path` (for "did you mean" hints); empty when not an object. */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  return allowedKeysIn(PolicyFileSchema, path);
}
