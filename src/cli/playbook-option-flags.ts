/**
 * The CLI's playbook options: `--playbook-options '{"ec2-instance": {…}}'` (JSON, any playbook, any option) and the
 * EC2 shortcuts `--isolation-settle-seconds`, `--replacement-profile-arn`, `--blocklist` / `--detector-id` /
 * `--threat-intel-set-id`. Both map onto the same options, validated once against the playbook's schema; an error
 * names the flag and the value received.
 */
import { UsageError, describeValue } from '../errors.js';
import { decimalFlag } from './number-flags.js';
import { EC2_INSTANCE_PLAYBOOK, type Ec2BlocklistOptions } from '../playbooks/ec2-instance.js';
import { PLAYBOOKS, findPlaybook } from '../playbooks/playbook-list.js';
import { PlaybookOptionsError, checkPlaybookOptions, formatOptionPath, parsePlaybookOptions, type PlaybookOptions } from '../playbooks/playbook-options.js';

export interface PlaybookOptionFlags {
  readonly playbookOptions?: string;
  readonly isolationSettleSeconds?: string;
  readonly replacementProfileArn?: string;
  readonly blocklist?: string;
  readonly detectorId?: string;
  readonly threatIntelSetId?: string;
}

/** The flag each EC2 option comes from, for error messages. */
const FLAG_OF: Readonly<Record<string, string>> = {
  isolationSettleSeconds: '--isolation-settle-seconds',
  replacementProfileArn: '--replacement-profile-arn',
  'blocklist.bucket': '--blocklist',
  'blocklist.key': '--blocklist',
  'blocklist.detectorId': '--detector-id',
  'blocklist.threatIntelSetId': '--threat-intel-set-id',
};

/** The blocklist flags as the EC2 playbook's `blocklist` option: all three or none (not yet validated). */
export function blocklistFlagValues(flags: Pick<PlaybookOptionFlags, 'blocklist' | 'detectorId' | 'threatIntelSetId'>): Record<string, string> | undefined {
  const given = [flags.blocklist, flags.detectorId, flags.threatIntelSetId].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 3) {
    throw new UsageError('--blocklist, --detector-id and --threat-intel-set-id go together: give all three or none');
  }
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(flags.blocklist!);
  if (!m) throw new UsageError(`--blocklist must look like s3://bucket/key, received ${JSON.stringify(flags.blocklist)}`);
  return { bucket: m[1]!, key: m[2]!, detectorId: flags.detectorId!, threatIntelSetId: flags.threatIntelSetId! };
}

/** The EC2 options the shortcut flags give, validated; a UsageError names the flag. */
function ec2OptionsFromFlags(flags: PlaybookOptionFlags): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  if (flags.isolationSettleSeconds !== undefined) {
    const n = decimalFlag(flags.isolationSettleSeconds);
    // Not a number: keep the text, so the error shows what was typed.
    raw.isolationSettleSeconds = n ?? flags.isolationSettleSeconds;
  }
  if (flags.replacementProfileArn !== undefined) raw.replacementProfileArn = flags.replacementProfileArn;
  const blocklist = blocklistFlagValues(flags);
  if (blocklist !== undefined) raw.blocklist = blocklist;
  const check = checkPlaybookOptions(findPlaybook(EC2_INSTANCE_PLAYBOOK)!, raw);
  if (check.ok) return check.options;
  const first = check.issues[0]!;
  const path = formatOptionPath(first.path);
  const flag = FLAG_OF[path] ?? FLAG_OF[path.split('.')[0]!] ?? path;
  const typed = path === 'isolationSettleSeconds' ? flags.isolationSettleSeconds : valueAt(raw, first.path);
  const expected = first.message.replace(/^expected /, '').replace(/, received .*$/, '');
  throw new UsageError(`${flag} must be ${expected}, received ${JSON.stringify(typed)}`);
}

function valueAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = value;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/**
 * Every playbook's options from the command line. An option given both in `--playbook-options` and by its own flag
 * is a usage error (which one was meant?).
 */
export function playbookOptionsFromFlags(flags: PlaybookOptionFlags): PlaybookOptions {
  let fromJson: PlaybookOptions = {};
  if (flags.playbookOptions !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.playbookOptions) as unknown;
    } catch (err) {
      throw new UsageError(`--playbook-options must be JSON such as '{"ec2-instance": {"isolationSettleSeconds": 5}}', received ${describeValue(flags.playbookOptions)} (${err instanceof Error ? err.message : String(err)})`);
    }
    try {
      fromJson = parsePlaybookOptions(parsed, '--playbook-options', PLAYBOOKS);
    } catch (err) {
      if (err instanceof PlaybookOptionsError) throw new UsageError(err.message);
      throw err;
    }
  }
  const ec2 = ec2OptionsFromFlags(flags);
  const twice = Object.keys(ec2).filter((k) => fromJson[EC2_INSTANCE_PLAYBOOK]?.[k] !== undefined);
  if (twice.length > 0) {
    throw new UsageError(`${twice.map((k) => `${EC2_INSTANCE_PLAYBOOK}.${k}`).join(', ')} given both in --playbook-options and by ${twice.map((k) => FLAG_OF[k] ?? FLAG_OF[`${k}.bucket`]).join(', ')}: give it once`);
  }
  if (Object.keys(ec2).length === 0) return fromJson;
  return { ...fromJson, [EC2_INSTANCE_PLAYBOOK]: { ...fromJson[EC2_INSTANCE_PLAYBOOK], ...ec2 } };
}

/** The validated blocklist the three blocklist flags give (undefined when none is given). */
export function blocklistFlags(flags: Pick<PlaybookOptionFlags, 'blocklist' | 'detectorId' | 'threatIntelSetId'>): Ec2BlocklistOptions | undefined {
  if (blocklistFlagValues(flags) === undefined) return undefined;
  const { blocklist, detectorId, threatIntelSetId } = flags;
  return ec2OptionsFromFlags({ blocklist, detectorId, threatIntelSetId }).blocklist as Ec2BlocklistOptions;
}
