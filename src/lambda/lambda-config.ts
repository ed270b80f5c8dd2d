/**
 * The responder Lambda's configuration, from its environment (set by the Pulumi program), validated at cold start
 * so a misconfiguration fails loudly with the variable's name instead of half-working.
 */
import { z } from 'zod';
import { describeValue, TourniquetError } from '../errors.js';
import { byteSizeSchema } from '../findings/input-limits.js';

const Mode = z.enum(['observe', 'approve', 'contain']);

/**
 * A number from its text. A blank value (a variable cleared in the console stays set to "") is refused, not 0; so is
 * what `Number()` alone would also take (`0x10`, `1e3`, `Infinity`): decimal digits with an optional fraction, as the
 * CLI's number flags (src/cli/number-flags.ts).
 */
const envNumber = (n: z.ZodNumber) =>
  z
    .string()
    .trim()
    .min(1, 'expected a number, received an empty value')
    .regex(/^\d+(\.\d+)?$/, 'expected a number in decimal digits (such as 30 or 4.5)')
    .transform(Number)
    .pipe(n);

export const LambdaConfigSchema = z.object({
  TOURNIQUET_JOURNAL_TABLE: z.string().min(3),
  TOURNIQUET_EVIDENCE_BUCKET: z.string().min(3),
  TOURNIQUET_EVIDENCE_PREFIX: z.string().default('cases/'),
  TOURNIQUET_QUARANTINE_PREFIX: z.string().default('quarantine/'),
  TOURNIQUET_EVIDENCE_KMS_KEY_ID: z.string().optional(),
  TOURNIQUET_OBJECT_LOCK_MODE: z.enum(['GOVERNANCE', 'COMPLIANCE']).optional(),
  TOURNIQUET_OBJECT_LOCK_DAYS: envNumber(z.number().int().min(1).max(36500)).optional(),
  /** The policy as YAML text, or `s3://bucket/key` of the policy file; default the built-in policy (approve). */
  TOURNIQUET_POLICY: z.string().optional(),
  /** Forces a mode ceiling for a first rollout, e.g. `observe`. */
  TOURNIQUET_MODE: Mode.optional(),
  TOURNIQUET_ROLE_NAME: z.string().default('TourniquetResponder'),
  TOURNIQUET_TOPIC_ARN: z.string().optional(),
  TOURNIQUET_EMAIL_MIN_SEVERITY: envNumber(z.number().min(0).max(10)).default(0),
  TOURNIQUET_SLACK_SECRET_ARN: z.string().optional(),
  TOURNIQUET_SLACK_MIN_SEVERITY: envNumber(z.number().min(0).max(10)).default(4),
  TOURNIQUET_APPROVAL_SECRET_ARN: z.string().optional(),
  TOURNIQUET_APPROVAL_URL: z.string().url().optional(),
  TOURNIQUET_APPROVAL_TTL_MINUTES: envNumber(z.number().int().min(5).max(7 * 24 * 60)).default(24 * 60),
  /** The responder's own role ARN: never contained. */
  TOURNIQUET_RESPONDER_ROLE_ARN: z.string().optional(),
  /** This account's GuardDuty detector in this Region. */
  TOURNIQUET_DETECTOR_ID: z.string().regex(/^[A-Za-z0-9]{1,300}$/).optional(),
  /**
   * The responder-managed threat list (all three, and the detector id, or none): see lambda-blocklist.ts. Validated
   * as the EC2 playbook's `blocklist` option (lambda-playbook-options.ts).
   */
  TOURNIQUET_BLOCKLIST_BUCKET: z.string().optional(),
  TOURNIQUET_BLOCKLIST_KEY: z.string().optional(),
  TOURNIQUET_BLOCKLIST_SET_ID: z.string().optional(),
  /** The default destination of Bedrock invocation logs (both or neither): see lambda-invocation-logging.ts. */
  TOURNIQUET_BEDROCK_LOG_GROUP: z.string().optional(),
  TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN: z.string().optional(),
  /** Options per playbook, JSON (`{"ec2-instance": {"isolationSettleSeconds": 5}}`): see lambda-playbook-options.ts. */
  TOURNIQUET_PLAYBOOK_OPTIONS: z.string().optional(),
  /** Input limits for S3 export objects (see src/findings/input-limits.ts): `16MiB`, `1GiB`, or bytes. */
  TOURNIQUET_MAX_LINE_BYTES: byteSizeSchema('maxLineBytes').optional(),
  TOURNIQUET_MAX_DECOMPRESSED_BYTES: byteSizeSchema('maxDecompressedBytes').optional(),
  /**
   * The findings rule's severity threshold and type prefixes, applied to every finding (S3 export objects pass no
   * EventBridge rule) with the rule's own logic: src/policy/finding-intake.ts. Unset: every finding is handled.
   */
  TOURNIQUET_SEVERITY_THRESHOLD: envNumber(z.number().min(1).max(10)).optional(),
  /** Comma-separated finding-type prefixes (config `findingTypePrefixes`); unset or empty: every type. */
  TOURNIQUET_FINDING_TYPE_PREFIXES: z.string().optional(),
});

export type LambdaConfig = z.infer<typeof LambdaConfigSchema>;

export function readLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const parsed = LambdaConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => {
        const name = i.path.map(String).join('.');
        return `${name}: ${i.message} (received ${describeValue(env[name])})`;
      })
      .join('; ');
    throw new TourniquetError('lambda.config', `invalid Lambda environment: ${issues}`);
  }
  return parsed.data;
}
