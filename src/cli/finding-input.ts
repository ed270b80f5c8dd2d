/**
 * How `inspect`, `plan` and `respond` read findings: the input limit flags (over the TOURNIQUET_MAX_* variables, over
 * the defaults), and what to say when the input holds nothing to act on.
 */
import type { Command } from 'commander';
import { inputLimitsFromEnv, INPUT_LIMIT_SETTINGS, withOverrides, type InputLimits } from '../findings/input-limits.js';
import type { ParseBatch } from '../findings/parse-options.js';
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
 * What to print (if anything), and the exit code, when `batch` holds no finding to act on; undefined when it does. Input that held
 * nothing at all (a folder without .json/.jsonl/.jsonl.gz files) and input whose every record was rejected are bad
 * input (2); malware scan results alone are fine (0) but have no playbook.
 */
export function noFindings(target: string, batch: ParseBatch, verb: string): { readonly line?: string; readonly code: number } | undefined {
  const findings = batch.records.filter((r) => r.kind === 'finding').length;
  if (findings > 0) return undefined;
  const scans = batch.records.length - findings;
  const shown = stripControlCharacters(JSON.stringify(target));
  // Every record rejected: each rejection was printed on its own line, which is all there is to say.
  if (batch.rejected.length > 0) return { code: EXIT_BAD_INPUT };
  if (scans > 0) return { line: `tourniquet: ${shown} holds only ${scans} malware scan result(s), which have no playbook: nothing to ${verb}`, code: EXIT_OK };
  return { line: `tourniquet: no findings in ${shown} (expected a .json, .jsonl or .jsonl.gz file of GuardDuty findings, a folder of them, or - for stdin)`, code: EXIT_BAD_INPUT };
}
