/**
 * The responder Lambda's configuration, from its environment (set by the Pulumi program), validated at cold start
 * so a misconfiguration fails loudly with the variable's name instead of half-working.
 */
import { z } from 'zod';
import { TourniquetError } from '../errors.js';

const Mode = z.enum(['observe', 'approve', 'contain']);

export const LambdaConfigSchema = z.object({
  TOURNIQUET_JOURNAL_TABLE: z.string().min(3),
  TOURNIQUET_EVIDENCE_BUCKET: z.string().min(3),
  TOURNIQUET_EVIDENCE_PREFIX: z.string().default('cases/'),
  TOURNIQUET_QUARANTINE_PREFIX: z.string().default('quarantine/'),
  TOURNIQUET_EVIDENCE_KMS_KEY_ID: z.string().optional(),
  TOURNIQUET_OBJECT_LOCK_MODE: z.enum(['GOVERNANCE', 'COMPLIANCE']).optional(),
  TOURNIQUET_OBJECT_LOCK_DAYS: z.coerce.number().int().min(1).max(36500).optional(),
  /** The policy as YAML text, or `s3://bucket/key` of the policy file; default the built-in policy (approve). */
  TOURNIQUET_POLICY: z.string().optional(),
  /** Forces a mode ceiling for a first rollout, e.g. `observe`. */
  TOURNIQUET_MODE: Mode.optional(),
  TOURNIQUET_ROLE_NAME: z.string().default('TourniquetResponder'),
  TOURNIQUET_TOPIC_ARN: z.string().optional(),
  TOURNIQUET_EMAIL_MIN_SEVERITY: z.coerce.number().min(0).max(10).default(0),
  TOURNIQUET_SLACK_SECRET_ARN: z.string().optional(),
  TOURNIQUET_SLACK_MIN_SEVERITY: z.coerce.number().min(0).max(10).default(4),
  TOURNIQUET_APPROVAL_SECRET_ARN: z.string().optional(),
  TOURNIQUET_APPROVAL_URL: z.string().url().optional(),
  TOURNIQUET_APPROVAL_TTL_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(24 * 60),
  /** The responder's own role ARN: never contained. */
  TOURNIQUET_RESPONDER_ROLE_ARN: z.string().optional(),
});

export type LambdaConfig = z.infer<typeof LambdaConfigSchema>;

export function readLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const parsed = LambdaConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TourniquetError('lambda.config', `invalid Lambda environment: ${issues}`);
  }
  return parsed.data;
}
