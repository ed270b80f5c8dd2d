/**
 * Builds the engine for a CLI command from its flags: the journal (embedded DynamoDB emulator by default, or a real
 * table), the policy (built-in default, or a file), the AWS client factory (region from the finding,
 * AWS_ENDPOINT_URL honoured, cross-account AssumeRole) and the evidence location (local folder or S3).
 */
import type { Command } from 'commander';
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_HTTP_TIMEOUTS } from '../aws/http-timeouts.js';
import { endpointUrl } from './endpoint-url.js';
import { withAwsAnswerCheck } from '../aws/not-aws-answer.js';
import { createResponder } from '../engine/create-responder.js';
import type { Responder } from '../engine/responder.js';
import type { Journal } from '../journal/journal.js';
import { openJournal } from '../journal/open-journal.js';
import type { Notifier } from '../notify/notification.js';
import type { Policy } from '../policy/policy.js';
import { UsageError } from '../errors.js';
import { whoAmI } from './commands/who-am-i.js';
import { checkDestinations, destinationsFor } from './check-destinations.js';
import { loadRuntimePolicy } from './policy-messages.js';
import { refuseEmptyPathFlags } from './empty-path-flags.js';
import { playbookOptionsFromFlags } from './playbook-option-flags.js';

export interface RuntimeFlags {
  readonly policy?: string;
  readonly journalPath?: string;
  readonly journalTable?: string;
  readonly journalEndpoint?: string;
  readonly evidenceDir?: string;
  readonly evidenceS3?: string;
  readonly endpoint?: string;
  readonly roleName?: string;
  readonly isolationSettleSeconds?: string;
  readonly replacementProfileArn?: string;
  readonly blocklist?: string;
  readonly detectorId?: string;
  readonly threatIntelSetId?: string;
  readonly playbookOptions?: string;
}

/** The flags every engine command shares. */
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--policy <file>', 'policy file (default: the built-in policy, approve for everything)')
    .option('--journal-path <dir>', 'folder of the embedded journal (default: .tourniquet/journal; :memory: keeps it in memory)')
    .option('--journal-table <name>', 'use this DynamoDB table as the journal (through the normal SDK)')
    .option('--journal-endpoint <url>', 'DynamoDB endpoint of --journal-table (default: --endpoint, else $AWS_ENDPOINT_URL)')
    .option('--evidence-dir <dir>', 'local folder for case evidence (default: .tourniquet/cases)')
    .option('--evidence-s3 <uri>', 'S3 location for case evidence, s3://bucket/prefix')
    .option('--endpoint <url>', 'AWS endpoint (default: $AWS_ENDPOINT_URL, else real AWS)')
    .option('--role-name <name>', 'role assumed in member accounts (default: TourniquetResponder)')
    .option('--isolation-settle-seconds <n>', 'seconds between the untrack and the isolation security group (default 0)')
    .option('--replacement-profile-arn <arn>', 'instance profile to swap in instead of disassociating')
    .option('--blocklist <uri>', 'responder-managed GuardDuty threat list, s3://bucket/key: the finding\'s remote IPv4 address is put on it')
    .option('--detector-id <id>', 'GuardDuty detector of the blocklist\'s ThreatIntelSet (with --blocklist)')
    .option('--threat-intel-set-id <id>', 'the blocklist\'s ThreatIntelSet, re-activated after each change (with --blocklist)')
    .option('--playbook-options <json>', 'options per playbook, JSON: \'{"ec2-instance": {"isolationSettleSeconds": 5}}\' (see docs/policy.md)');
}

export interface Runtime {
  readonly responder: Responder;
  readonly journal: Journal;
  readonly policy: Policy;
  close(): Promise<void>;
}

export const DEFAULT_STATE_DIR = '.tourniquet';

export async function openRuntime(flags: RuntimeFlags, notifier?: Notifier): Promise<Runtime> {
  refuseEmptyPathFlags(flags);
  const policy = await loadRuntimePolicy(flags.policy);
  if (flags.evidenceS3 !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(flags.evidenceS3)) {
    throw new UsageError(`--evidence-s3 must look like s3://bucket/prefix, received ${JSON.stringify(flags.evidenceS3)}`);
  }
  const playbookOptions = playbookOptionsFromFlags(flags);
  // Checked here, where every engine command opens its runtime: `show` and `incidents` took a malformed one silently.
  const endpoint = endpointUrl(flags.endpoint);
  if (flags.journalEndpoint !== undefined) endpointUrl(flags.journalEndpoint, {}, '--journal-endpoint');
  if (flags.journalEndpoint !== undefined && flags.journalTable === undefined) throw new UsageError('--journal-endpoint goes with --journal-table');
  await checkDestinations(destinationsFor(flags, DEFAULT_STATE_DIR, () => withAwsAnswerCheck(new S3Client({ requestHandler: AWS_HTTP_TIMEOUTS, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }), endpoint)));
  const journal = await openJournal(
    flags.journalTable
      ? { tableName: flags.journalTable, endpoint: flags.journalEndpoint ?? endpoint }
      : flags.journalPath === ':memory:'
        ? {}
        : { path: flags.journalPath ?? `${DEFAULT_STATE_DIR}/journal` },
  );
  await journal.ensureTable();
  const evidenceS3 = flags.evidenceS3;
  const responder = createResponder({
    journal,
    policy,
    endpoint,
    roleName: flags.roleName,
    evidence: evidenceS3
      ? { s3Uri: evidenceS3, s3Client: withAwsAnswerCheck(new S3Client({ requestHandler: AWS_HTTP_TIMEOUTS, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }), endpoint) }
      : { dir: flags.evidenceDir ?? `${DEFAULT_STATE_DIR}/cases` },
    notifier,
    actor: `tourniquet-cli/${whoAmI()}`,
    playbookOptions,
  });
  return {
    responder,
    journal,
    policy,
    close: async () => {
      await journal.close();
    },
  };
}

export { blocklistFlags } from './playbook-option-flags.js';
