/**
 * The deployment's default destination for Bedrock model invocation logs (Pulumi `tourniquet:bedrockInvocationLogging`
 * creates a log group and a role Bedrock assumes to write it, and sets TOURNIQUET_BEDROCK_LOG_GROUP and
 * TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN): the `invocationLogging` option of every playbook that takes it, for subjects
 * in the log group's Region (AWS_REGION). Options given explicitly (TOURNIQUET_PLAYBOOK_OPTIONS, a rule's `options:`)
 * win over it. Which playbooks take it is in their options schemas, so it is applied to each playbook when that
 * playbook is loaded (lambda-playbook-options.ts), not by loading them all at cold start.
 */
import { TourniquetError } from '../errors.js';
import type { PlaybookInfo } from '../contracts/playbook-info.js';
import { allowedKeysIn } from '../schema-keys.js';
import type { LambdaConfig } from './lambda-config.js';

export const INVOCATION_LOGGING_OPTION = 'invocationLogging';

const VARS = 'TOURNIQUET_BEDROCK_LOG_GROUP / TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN';

/**
 * The destination as the `invocationLogging` option, validated at cold start against the option's schema (the
 * Bedrock action's, loaded for it); undefined when not deployed.
 */
export async function lambdaInvocationLogging(
  config: Pick<LambdaConfig, 'TOURNIQUET_BEDROCK_LOG_GROUP' | 'TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN'>,
  region: string | undefined,
): Promise<{ readonly [key: string]: unknown } | undefined> {
  const logGroupName = config.TOURNIQUET_BEDROCK_LOG_GROUP;
  const roleArn = config.TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN;
  if (logGroupName === undefined && roleArn === undefined) return undefined;
  if (logGroupName === undefined || roleArn === undefined) {
    throw new TourniquetError(
      'lambda.config',
      'invalid Lambda environment: the Bedrock invocation-logging destination needs TOURNIQUET_BEDROCK_LOG_GROUP and TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN; ' +
        `missing: ${logGroupName === undefined ? 'TOURNIQUET_BEDROCK_LOG_GROUP' : 'TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN'}`,
    );
  }
  const option = { cloudWatch: { logGroupName, roleArn }, ...(region !== undefined && region !== '' ? { region } : {}) };
  const { InvocationLoggingOptionSchema } = await import('../actions/bedrock-ensure-invocation-logging.js');
  const parsed = InvocationLoggingOptionSchema.safeParse(option);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${[INVOCATION_LOGGING_OPTION, ...i.path.map(String)].join('.')}: ${i.message}`);
    throw new TourniquetError('lambda.config', `invalid Lambda environment: ${VARS}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Whether a playbook's options take `invocationLogging`. */
export function takesInvocationLogging(playbook: PlaybookInfo): boolean {
  return allowedKeysIn(playbook.options, []).includes(INVOCATION_LOGGING_OPTION);
}
