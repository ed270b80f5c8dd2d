/**
 * The deployment's default destination for Bedrock model invocation logs (Pulumi `tourniquet:bedrockInvocationLogging`
 * creates a log group and a role Bedrock assumes to write it, and sets TOURNIQUET_BEDROCK_LOG_GROUP and
 * TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN): the `invocationLogging` option of every playbook that takes it, for subjects
 * in the log group's Region (AWS_REGION). Options given explicitly (TOURNIQUET_PLAYBOOK_OPTIONS, a rule's `options:`)
 * win over it.
 */
import { TourniquetError } from '../errors.js';
import type { PlaybookInfo } from '../contracts/playbook-info.js';
import { allowedKeysIn } from '../schema-keys.js';
import type { LambdaConfig } from './lambda-config.js';

const OPTION = 'invocationLogging';

/** Playbook name → `{ invocationLogging }`, for the playbooks whose options take it; {} when not deployed. */
export function lambdaInvocationLogging(
  config: Pick<LambdaConfig, 'TOURNIQUET_BEDROCK_LOG_GROUP' | 'TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN'>,
  playbooks: readonly PlaybookInfo[],
  region: string | undefined,
): Record<string, { [OPTION]: unknown }> {
  const logGroupName = config.TOURNIQUET_BEDROCK_LOG_GROUP;
  const roleArn = config.TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN;
  if (logGroupName === undefined && roleArn === undefined) return {};
  if (logGroupName === undefined || roleArn === undefined) {
    throw new TourniquetError(
      'lambda.config',
      'invalid Lambda environment: the Bedrock invocation-logging destination needs TOURNIQUET_BEDROCK_LOG_GROUP and TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN; ' +
        `missing: ${logGroupName === undefined ? 'TOURNIQUET_BEDROCK_LOG_GROUP' : 'TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN'}`,
    );
  }
  const option = { cloudWatch: { logGroupName, roleArn }, ...(region !== undefined && region !== '' ? { region } : {}) };
  const out: Record<string, { [OPTION]: unknown }> = {};
  for (const p of playbooks) if (allowedKeysIn(p.options, []).includes(OPTION)) out[p.name] = { [OPTION]: option };
  return out;
}
