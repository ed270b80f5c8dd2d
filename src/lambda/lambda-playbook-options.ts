/**
 * The deployed responder's playbook options, read at cold start: `TOURNIQUET_PLAYBOOK_OPTIONS` (JSON, every option of
 * every playbook; the Pulumi config `tourniquet:playbookOptions`) and the managed blocklist the infrastructure sets
 * (TOURNIQUET_BLOCKLIST_* → the EC2 playbook's `blocklist`) and Bedrock invocation-logging destination
 * (TOURNIQUET_BEDROCK_* → `invocationLogging`, lambda-invocation-logging.ts). Validated once against the playbooks' schemas; an error
 * names the variable.
 */
import { TourniquetError } from '../errors.js';
import { PlaybookOptionsError, parsePlaybookOptions, type PlaybookOptions, type PlaybookOptionsSource } from '../playbooks/playbook-options.js';
import { lambdaBlocklist } from './lambda-blocklist.js';
import { INVOCATION_LOGGING_OPTION, lambdaInvocationLogging, takesInvocationLogging } from './lambda-invocation-logging.js';
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

/**
 * Every playbook's options. Explicit options in TOURNIQUET_PLAYBOOK_OPTIONS win over the managed blocklist and the
 * invocation-logging destination. With a destination deployed, the options are a function of the playbook (it adds
 * `invocationLogging` to each playbook whose schema takes it, when the engine loads that playbook).
 */
export async function lambdaPlaybookOptions(config: LambdaConfig, region: string | undefined = process.env.AWS_REGION): Promise<PlaybookOptionsSource> {
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
  const logging = await lambdaInvocationLogging(config, region);
  const explicit = await explicitOptions(config);
  const merged: Record<string, PlaybookOptions[string]> = { ...managed };
  for (const [name, options] of Object.entries(explicit)) merged[name] = { ...managed[name], ...options };
  if (logging === undefined) return merged;
  return (playbook) => (takesInvocationLogging(playbook) ? { [INVOCATION_LOGGING_OPTION]: logging, ...merged[playbook.name] } : merged[playbook.name]);
}

/** TOURNIQUET_PLAYBOOK_OPTIONS, validated against the playbooks it names. */
async function explicitOptions(config: LambdaConfig): Promise<PlaybookOptions> {
  const text = config.TOURNIQUET_PLAYBOOK_OPTIONS;
  if (text === undefined || text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(`TOURNIQUET_PLAYBOOK_OPTIONS: expected JSON such as {"ec2-instance": {"isolationSettleSeconds": 5}} (${err instanceof Error ? err.message : String(err)})`, err);
  }
  try {
    const named = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
    return parsePlaybookOptions(raw, 'TOURNIQUET_PLAYBOOK_OPTIONS', await playbooksFor(named));
  } catch (err) {
    if (err instanceof PlaybookOptionsError) throw invalid(err.message, err);
    throw err;
  }
}
