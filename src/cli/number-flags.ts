/**
 * Number flags read as a person types them. `Number()` also takes `0x10`, `1e3`, `0b1` and `1.5`, so
 * `--wait-seconds 0x10` waited 16 s and `--top 1.5` slipped through where a count was meant: whole-number flags take
 * decimal digits only, decimal flags digits with an optional fraction (surrounding spaces trimmed, as shells leave
 * them from variables).
 */
import { UsageError } from '../errors.js';

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** The whole number `value` spells in decimal digits, or undefined when it is anything else. */
export function wholeNumberFlag(value: string): number | undefined {
  const text = value.trim();
  return WHOLE.test(text) ? Number(text) : undefined;
}

/** The number `value` spells as decimal digits with an optional fraction (`1`, `7.5`), or undefined. */
export function decimalFlag(value: string): number | undefined {
  const text = value.trim();
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * A count flag with no limit of its own past 2^53 − 1, where a whole number is no longer held exactly (zod said
 * `Too big: expected int to be <=9007199254740991`): the flag, the value and the limit in words.
 */
export function countTooLarge(flag: string, value: string): UsageError {
  return new UsageError(`${flag} is too large: received ${JSON.stringify(value)}; a count can be at most ${Number.MAX_SAFE_INTEGER} (2^53 − 1, the largest whole number held exactly)`);
}
