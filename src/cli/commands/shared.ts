import type { FindingParseError } from '../../errors.js';
import { UsageError } from '../../errors.js';
import type { Mode } from '../../contracts/plan.js';
import { clean } from '../print-incident.js';

export function parseModeFlag(value: string | undefined): Mode | undefined {
  if (value === undefined) return undefined;
  if (value === 'observe' || value === 'approve' || value === 'contain') return value;
  throw new UsageError(`--mode must be observe, approve or contain, received ${JSON.stringify(value)}`);
}

/** Rejected records go to stderr, one line each, with source, JSON path, expected and received. */
export function printRejected(rejected: readonly FindingParseError[]): void {
  for (const r of rejected) process.stderr.write(`rejected: ${clean(r.message)}\n`);
}
