/**
 * Validates GuardDuty IP lists before they are uploaded. The parsing, validation and address arithmetic live in
 * src/lists/ip-list.ts (the responder's blocklist action uses them too, and src never imports from infra); this
 * module re-exports them and adds reading a list file from disk.
 */
import { readFile } from 'node:fs/promises';
import { TourniquetError } from '../../src/errors.js';
import { validateIpListText } from '../../src/lists/ip-list.js';
import type { ValidateOptions, ValidatedList } from '../../src/lists/ip-list.js';

export {
  GUARDDUTY_LIST_LIMITS,
  MIN_PREFIX,
  bigIntToIpv4,
  ipv4ToBigInt,
  ipv6ToBigInt,
  isPubliclyRoutable,
  parseIpEntry,
  rangeContains,
  validateIpListText,
} from '../../src/lists/ip-list.js';
export type { ListEntry, ListKind, ListLimits, ParsedEntry, ParsedRange, ValidateOptions, ValidatedList } from '../../src/lists/ip-list.js';

/** Reads and validates a list file from disk. */
export async function readIpListFile(path: string, options: Omit<ValidateOptions, 'source'> & { source?: string }): Promise<ValidatedList> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TourniquetError('infra.list-missing', `cannot read the ${options.kind} IP list ${path}`, { cause });
  }
  return validateIpListText(text, { ...options, source: options.source ?? path });
}
