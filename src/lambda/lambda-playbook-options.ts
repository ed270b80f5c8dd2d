/**
 * The deployed responder's playbook options, read at cold start: `TOURNIQUET_PLAYBOOK_OPTIONS` (JSON, every option of
 * every playbook; the Pulumi config `tourniquet:playbookOptions`) and the managed blocklist the infrastructure sets
 * (TOURNIQUET_BLOCKLIST_* → the EC2 playbook's `blocklist`) and Bedrock invocation-logging destination
 * (TOURNIQUET_BEDROCK_* → `invocationLogging`, lambda-invocation-logging.ts). Validated once against the playbooks' schemas; an error
 * names the variable.
 */
import { TourniquetError } from '../errors.js';
import { PlaybookOptionsError, parsePlaybookOptions, type PlaybookOptions } from '../playbooks/playbook-options.js';
import { lambdaBlocklist } from './lambda-blocklist.js';
import { lambdaInvocationLogging } from './lambda-invocation-logging.js';
import type { PlaybookInfo } from '../contracts/playbook-info.js';
import { catalogEntry } from '../playbooks/playbook-catalog.js';
import { loadAllPlaybooks, loadPlaybook } from '../playbooks/loaded-playbooks.js';
import type { LambdaConfig } from './lambda-config.js';

/**
 * The playbook whose `blocklist` option the managed list sets, by its catalogue name: importing the constant from
 * ec2-instance.ts would load the EC2 playbook (and its actions) at every cold start, whatever the finding.
 */
const BLOCKLIST_PLAYBOOK = 'ec2-instance';

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

/**
 * The playbooks named, loaded, to validate their options against; every playbook when a name is not in the
 * catalogue (the error then lists the known ones). Only the playbooks the environment configures are loaded.
 */
async function playbooksFor(names: readonly string[]): Promise<PlaybookInfo[]> {
  if (names.some((n) => catalogEntry(n) === undefined)) return loadAllPlaybooks();
  const loaded = await Promise.all(names.map((n) => loadPlaybook(n)));
  return loaded.filter((p): p is NonNullable<typeof p> => p !== undefined);
}

/** Every playbook's options. Explicit options in TOURNIQUET_PLAYBOOK_OPTIONS win over the managed blocklist. */
export async function lambdaPlaybookOptions(config: LambdaConfig, region: string | undefined = process.env.AWS_REGION): Promise<PlaybookOptions> {
  const blocklist = lambdaBlocklist(config, region);
  let managed: PlaybookOptions = {};
  if (blocklist !== undefined) {
    try {
      managed = parsePlaybookOptions({ [BLOCKLIST_PLAYBOOK]: { blocklist } }, 'blocklist', await playbooksFor([BLOCKLIST_PLAYBOOK]));
    } catch (err) {
      if (!(err instanceof PlaybookOptionsError)) throw err;
      const issue = err.issues[0]!;
      const field = issue.path.split('.').at(-1) ?? '';
      throw invalid(`${BLOCKLIST_VARS[field] ?? issue.path}: ${issue.message}`, err);
    }
  }
  // Which playbooks take the option is in their schemas: a deployment with a logging destination loads them all.
  const loggingSet = config.TOURNIQUET_BEDROCK_LOG_GROUP !== undefined || config.TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN !== undefined;
  const logging = lambdaInvocationLogging(config, loggingSet ? await loadAllPlaybooks() : [], region);
  if (Object.keys(logging).length > 0) {
    try {
      const parsed = parsePlaybookOptions(logging, 'TOURNIQUET_BEDROCK_LOG_GROUP / TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN', await playbooksFor(Object.keys(logging)));
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
    const named = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
    explicit = parsePlaybookOptions(raw, 'TOURNIQUET_PLAYBOOK_OPTIONS', await playbooksFor(named));
  } catch (err) {
    if (err instanceof PlaybookOptionsError) throw invalid(err.message, err);
    throw err;
  }
  const merged: Record<string, PlaybookOptions[string]> = { ...managed };
  for (const [name, options] of Object.entries(explicit)) merged[name] = { ...managed[name], ...options };
  return merged;
}
