/**
 * The deployed responder's playbook options, read at cold start: `TOURNIQUET_PLAYBOOK_OPTIONS` (JSON, every option of
 * every playbook; the Pulumi config `tourniquet:playbookOptions`) and the managed blocklist the infrastructure sets
 * (TOURNIQUET_BLOCKLIST_* → the EC2 playbook's `blocklist`) and Bedrock invocation-logging destination
 * (TOURNIQUET_BEDROCK_* → `invocationLogging`, lambda-invocation-logging.ts). Validated once against the playbooks' schemas; an error
 * names the variable.
 */
import { TourniquetError } from '../errors.js';
import { EC2_INSTANCE_PLAYBOOK } from '../playbooks/ec2-instance.js';
import { PlaybookOptionsError, parsePlaybookOptions, type PlaybookOptions } from '../playbooks/playbook-options.js';
import { lambdaBlocklist } from './lambda-blocklist.js';
import { lambdaInvocationLogging } from './lambda-invocation-logging.js';
import { PLAYBOOKS } from '../playbooks/playbook-list.js';
import type { LambdaConfig } from './lambda-config.js';

const BLOCKLIST_VARS: Readonly<Record<string, string>> = {
  bucket: 'TOURNIQUET_BLOCKLIST_BUCKET',
  key: 'TOURNIQUET_BLOCKLIST_KEY',
  threatIntelSetId: 'TOURNIQUET_BLOCKLIST_SET_ID',
  detectorId: 'TOURNIQUET_DETECTOR_ID',
  accountId: 'TOURNIQUET_RESPONDER_ROLE_ARN',
  region: 'AWS_REGION',
};

function invalid(message: string, cause?: unknown): TourniquetError {
  return new TourniquetError('lambda.config', `invalid Lambda environment: ${message}`, cause === undefined ? undefined : { cause });
}

/** Every playbook's options. Explicit options in TOURNIQUET_PLAYBOOK_OPTIONS win over the managed blocklist. */
export function lambdaPlaybookOptions(config: LambdaConfig, region: string | undefined = process.env.AWS_REGION): PlaybookOptions {
  const blocklist = lambdaBlocklist(config, region);
  let managed: PlaybookOptions = {};
  if (blocklist !== undefined) {
    try {
      managed = parsePlaybookOptions({ [EC2_INSTANCE_PLAYBOOK]: { blocklist } }, 'blocklist');
    } catch (err) {
      if (!(err instanceof PlaybookOptionsError)) throw err;
      const issue = err.issues[0]!;
      const field = issue.path.split('.').at(-1) ?? '';
      throw invalid(`${BLOCKLIST_VARS[field] ?? issue.path}: ${issue.message}`, err);
    }
  }
  const logging = lambdaInvocationLogging(config, PLAYBOOKS, region);
  if (Object.keys(logging).length > 0) {
    try {
      const parsed = parsePlaybookOptions(logging, 'TOURNIQUET_BEDROCK_LOG_GROUP / TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN');
      for (const [name, options] of Object.entries(parsed)) managed = { ...managed, [name]: { ...managed[name], ...options } };
    } catch (err) {
      if (err instanceof PlaybookOptionsError) throw invalid(err.message, err);
      throw err;
    }
  }
  const text = config.TOURNIQUET_PLAYBOOK_OPTIONS;
  if (text === undefined || text.trim() === '') return managed;
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(`TOURNIQUET_PLAYBOOK_OPTIONS: expected JSON such as {"ec2-instance": {"isolationSettleSeconds": 5}} (${err instanceof Error ? err.message : String(err)})`, err);
  }
  let explicit: PlaybookOptions;
  try {
    explicit = parsePlaybookOptions(raw, 'TOURNIQUET_PLAYBOOK_OPTIONS');
  } catch (err) {
    if (err instanceof PlaybookOptionsError) throw invalid(err.message, err);
    throw err;
  }
  const merged: Record<string, PlaybookOptions[string]> = { ...managed };
  for (const [name, options] of Object.entries(explicit)) merged[name] = { ...managed[name], ...options };
  return merged;
}
