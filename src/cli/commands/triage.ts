/**
 * `tourniquet triage <dir|file|s3://bucket/prefix|->`: GuardDuty exports → ranked incidents (see src/investigate/).
 * A table on a terminal, `--markdown` for a ticket, `--json` for tools. Exit 0, or 2 when records were rejected (the
 * rest is still triaged and printed).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_HTTP_TIMEOUTS } from '../../aws/http-timeouts.js';
import { withAwsAnswerCheck } from '../../aws/not-aws-answer.js';
import type { Command } from 'commander';
import { UsageError, describeValue } from '../../errors.js';
import { normalizeIsoTimestamp } from '../../findings/timestamps.js';
import { isS3Target, triageBatches } from '../../investigate/triage-input.js';
import { Triage, type TriageFilters, type TriageRanking } from '../../investigate/triage.js';
import { EXIT_BAD_INPUT, EXIT_OK } from '../exit-codes.js';
import { endpointUrl } from '../endpoint-url.js';
import { countTooLarge, decimalFlag, wholeNumberFlag } from '../number-flags.js';
import { addInputLimitOptions, inputLimitsFromFlags, noRecordsLine, type InputLimitFlags } from '../finding-input.js';
import { terminalSafe } from '../format-table.js';
import { markdownSafe } from '../../safe-text.js';
import { triageJsonChunks, triageMarkdownLines, triageTableLines, withNewlines, writeText } from '../triage-output.js';
import { bar, ProgressLine } from '../progress-line.js';
import type { ReportExit } from './index.js';

interface Flags extends InputLimitFlags {
  readonly json?: boolean;
  readonly markdown?: boolean;
  readonly since?: string;
  readonly minSeverity?: string;
  readonly type?: readonly string[];
  readonly account?: readonly string[];
  readonly region?: readonly string[];
  readonly ai?: boolean;
  readonly includeSamples?: boolean;
  readonly includeArchived?: boolean;
  readonly top?: string;
  readonly endpoint?: string;
}

const DURATION = /^(\d+)\s*(m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

// A date alone (`2026-12-01`, what a person types for "since the first") was refused: midnight UTC of that day, as
// GuardDuty's times are UTC.
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `--since`: an ISO 8601 date (midnight UTC) or date and time, or a duration back from now (`90m`, `24h`, `7d`). */
export function parseSince(value: string, now: Date = new Date()): number {
  const text = value.trim();
  const d = DURATION.exec(text);
  if (d !== null) return now.getTime() - Number(d[1]) * UNIT_MS[d[2]!]!;
  const iso = normalizeIsoTimestamp(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  if (iso === undefined) throw new UsageError(`--since must be an ISO 8601 date, a date and time, or a duration such as 24h or 7d, received ${JSON.stringify(value)}`);
  return Date.parse(iso);
}

function parseSeverity(value: string): number {
  const n = decimalFlag(value);
  if (n === undefined || n > 10) throw new UsageError(`--min-severity must be a number from 0 to 10, received ${JSON.stringify(value)}`);
  return n;
}

// The filters compare exactly: a typo (11 digits, `us-east1`) matched nothing and triage said "0 incident(s)", exit 0.
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

function parseEach(flag: string, values: readonly string[], pattern: RegExp, expected: string): readonly string[] {
  const bad = values.find((v) => !pattern.test(v));
  if (bad !== undefined) throw new UsageError(`${flag} must be ${expected}, received ${describeValue(bad)}`);
  return values;
}

function parseTop(value: string): number {
  const n = wholeNumberFlag(value);
  if (n === undefined || n < 1) throw new UsageError(`--top must be a whole number of at least 1, received ${JSON.stringify(value)}`);
  if (!Number.isSafeInteger(n)) throw countTooLarge('--top', value);
  return n;
}

const collect = (v: string, prev: readonly string[] = []): string[] => [...prev, v];

export function filtersFrom(flags: Flags): TriageFilters {
  return {
    ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
    ...(flags.minSeverity !== undefined ? { minSeverity: parseSeverity(flags.minSeverity) } : {}),
    ...(flags.type ? { types: flags.type } : {}),
    ...(flags.account ? { accounts: parseEach('--account', flags.account, ACCOUNT_ID, 'a 12-digit account id') } : {}),
    ...(flags.region ? { regions: parseEach('--region', flags.region, REGION, 'a Region name such as us-east-1') } : {}),
    ...(flags.ai ? { ai: true } : {}),
    ...(flags.includeSamples ? { includeSamples: true } : {}),
    ...(flags.includeArchived ? { includeArchived: true } : {}),
  };
}

/** A cell for a Markdown table (see `markdownSafe`). */
export const markdownCell = markdownSafe;

/**
 * The export bucket's client. A bucket answers in its own Region: the SDK follows S3's redirect, so any starting
 * Region works (the configured one, else us-east-1 rather than failing for want of one).
 */
function exportClient(endpoint: string | undefined): S3Client {
  const client = new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    followRegionRedirects: true,
    requestHandler: AWS_HTTP_TIMEOUTS,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
  return withAwsAnswerCheck(client, endpoint);
}

export async function runTriage(target: string, flags: Flags, progress = new ProgressLine()): Promise<TriageRanking> {
  const filters = filtersFrom(flags);
  // Only an s3:// target talks to AWS.
  const endpoint = isS3Target(target) ? endpointUrl(flags.endpoint) : undefined;
  const triage = new Triage(filters);
  let source = '';
  let sourceIndex = 0;
  let sourceTotal: number | undefined;
  let records = 0;
  const status = (): string =>
    `triage ${sourceTotal !== undefined ? `${bar(sourceIndex, sourceTotal)} ${sourceIndex}/${sourceTotal} objects` : `${sourceIndex} file(s)`} · ${records} record(s) · ${triage.findingsSeen} finding(s) · ${terminalSafe(source)}`;
  for await (const batch of triageBatches(target, {
    limits: inputLimitsFromFlags(flags),
    ...(isS3Target(target) ? { s3: () => exportClient(endpoint) } : {}),
    onSource: (name, index, total) => {
      source = name;
      sourceIndex = index + 1;
      sourceTotal = total;
      progress.update(status, true);
    },
  })) {
    for (const item of batch) triage.add(item);
    const before = records;
    records += batch.length;
    if (records >> 10 !== before >> 10) progress.update(status);
  }
  progress.done();
  return triage.ranked();
}

export function registerTriageCommand(program: Command, exit: ReportExit): void {
  addInputLimitOptions(
    program
      .command('triage')
      .description('rank the incidents in GuardDuty exports: latest occurrence of each finding, grouped by subject, actor and attack sequence')
      .argument('<target>', 'a file (.json, .jsonl, .jsonl.gz), a folder, s3://bucket/prefix (the findings export), or - for stdin')
      .option('--json', 'print { incidents, rejected, stats } as JSON')
      .option('--markdown', 'print a Markdown table (for a ticket)')
      .option('--since <when>', 'only findings last seen since an ISO 8601 date (midnight UTC) or time, or a duration back from now (24h, 7d)')
      .option('--min-severity <n>', 'only findings of at least this severity (0–10)')
      .option('--type <glob>', 'only these finding types (repeatable; * matches anything)', collect)
      .option('--account <id>', 'only these accounts (repeatable)', collect)
      .option('--region <region>', 'only these Regions (repeatable)', collect)
      .option('--ai', 'only findings about an AI workload')
      .option('--include-samples', 'keep sample findings (left out by default)')
      .option('--include-archived', 'keep archived findings (left out by default)')
      .option('--top <n>', 'show only the first n incidents (table and Markdown)')
      .option('--endpoint <url>', 'S3 endpoint for s3:// targets (default: $AWS_ENDPOINT_URL, else real AWS)'),
  ).action(async (target: string, flags: Flags) => {
    if (flags.json && flags.markdown) throw new UsageError('--json and --markdown are exclusive: choose one output');
    const top = flags.top === undefined ? undefined : parseTop(flags.top);
    const result = await runTriage(target, flags);
    // Written as the incidents are built, a page at a time: never the whole result or its text at once.
    await writeText(process.stdout, flags.json ? triageJsonChunks(result) : withNewlines(flags.markdown ? triageMarkdownLines(result, top) : triageTableLines(result, top)));
    if (!flags.json && !flags.markdown) {
      for (const x of result.rejected.slice(0, 20)) process.stderr.write(`${terminalSafe(`rejected ${x.source}${x.line !== undefined ? `:${x.line}` : ''}: ${x.path}: ${x.message}`)}\n`);
      if (result.rejected.length > 20) process.stderr.write(`… ${result.rejected.length - 20} more rejected record(s) (see --json)\n`);
    }
    // An input that held no record at all (an empty folder or prefix, `[]`) is bad input, as for inspect and respond.
    if (result.stats.records === 0 && result.rejected.length === 0) process.stderr.write(`${noRecordsLine(target)}\n`);
    exit(result.rejected.length > 0 || result.stats.records === 0 ? EXIT_BAD_INPUT : EXIT_OK);
  });
}
