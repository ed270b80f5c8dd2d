/**
 * How `inspect`, `plan` and `respond` read findings: the input limit flags (over the TOURNIQUET_MAX_* variables, over
 * the defaults), and what to say when the input holds nothing to act on.
 */
import type { Command } from 'commander';
import { inputLimitsFromEnv, INPUT_LIMIT_SETTINGS, withOverrides, type InputLimits } from '../findings/input-limits.js';
import type { Finding } from '../findings/model.js';
import type { ParseBatch } from '../findings/parse-options.js';
import { scanResultFinding } from '../findings/scan-result-finding.js';
import { stripControlCharacters } from '../safe-text.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.js';

export interface InputLimitFlags {
  readonly maxLineBytes?: string;
  readonly maxDecompressedBytes?: string;
}

export function addInputLimitOptions(cmd: Command): Command {
  return cmd
    .option(`${INPUT_LIMIT_SETTINGS.maxLineBytes.flag} <size>`, `longest line (or JSON document) read, e.g. 32MiB (default: $${INPUT_LIMIT_SETTINGS.maxLineBytes.env}, else 16MiB)`)
    .option(
      `${INPUT_LIMIT_SETTINGS.maxDecompressedBytes.flag} <size>`,
      `most a gzip input may unpack to, e.g. 4GiB (default: $${INPUT_LIMIT_SETTINGS.maxDecompressedBytes.env}, else 1GiB)`,
    );
}

/** Flags win over the environment, which wins over the defaults. Throws UsageError naming the flag or variable. */
export function inputLimitsFromFlags(flags: InputLimitFlags, env: NodeJS.ProcessEnv = process.env): InputLimits {
  return withOverrides(inputLimitsFromEnv(env), (name) => flags[name], (name) => INPUT_LIMIT_SETTINGS[name].flag);
}

/**
 * The findings `plan` and `respond` act on: the batch's findings, and each Malware Protection for S3 scan result with
 * THREATS_FOUND as the `Object:S3/MaliciousFile` finding the respond handler makes of it (scan-result-finding.ts).
 */
export function findingsToHandle(batch: ParseBatch): Finding[] {
  const out: Finding[] = [];
  for (const r of batch.records) {
    const finding = r.kind === 'finding' ? r : scanResultFinding(r);
    if (finding !== undefined) out.push(finding);
  }
  return out;
}

/** One line per scan result that found no threat (NO_THREATS_FOUND, UNSUPPORTED, …): the object is not touched. */
export function cleanScanLines(batch: ParseBatch): string[] {
  return batch.records.flatMap((r) =>
    r.kind === 'malware-scan-result' && scanResultFinding(r) === undefined
      ? [stripControlCharacters(`tourniquet: malware scan result ${r.scanResultStatus} for s3://${r.bucketName}/${r.objectKey}: no threat found: nothing to do`)]
      : [],
  );
}

/**
 * What to print (if anything), and the exit code, when `batch` holds no finding to act on; undefined when it does. Input that held
 * nothing at all (a folder without .json/.jsonl/.jsonl.gz files) and input whose every record was rejected are bad
 * input (2); scan results that found no threat are fine (0), and each was reported by `cleanScanLines`.
 */
export function noFindings(target: string, batch: ParseBatch): { readonly line?: string; readonly code: number } | undefined {
  if (findingsToHandle(batch).length > 0) return undefined;
  // Every record rejected: each rejection was printed on its own line, which is all there is to say.
  if (batch.rejected.length > 0) return { code: EXIT_BAD_INPUT };
  if (batch.records.length > 0) return { code: EXIT_OK };
  return { line: noRecordsLine(target), code: EXIT_BAD_INPUT };
}

/** What to say of an input that held no record at all. */
export function noRecordsLine(target: string): string {
  const shown = stripControlCharacters(JSON.stringify(target));
  const expected = target.startsWith('s3://') ? 'GuardDuty export objects (.jsonl.gz) under the prefix' : 'a .json, .jsonl or .jsonl.gz file of GuardDuty findings, a folder of them, or - for stdin';
  return `tourniquet: no findings in ${shown} (expected ${expected})`;
}
