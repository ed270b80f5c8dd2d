/**
 * Limits on what one input may cost before it is rejected: the longest line (a JSON Lines record, or a whole JSON
 * document), and how far a gzip stream may unpack. A 100 KB gzip can unpack to one 100 MB line; without limits the
 * reader spends minutes and gigabytes before anything says no. The CLI (flags) and the Lambda (environment) apply the
 * same limits to files, stdin and S3 export objects.
 */
import { z } from 'zod';
import { describeValue, UsageError } from '../errors.js';

export interface InputLimits {
  /** Longest line of JSON Lines, and largest JSON document, in bytes (UTF-8, without the newline). */
  readonly maxLineBytes: number;
  /** Most bytes a gzip input may unpack to; reading stops there. Uncompressed input is not capped (it streams). */
  readonly maxDecompressedBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxLineBytes: 16 * MiB, maxDecompressedBytes: GiB };

/** Where each limit is set, for messages and docs. */
export const INPUT_LIMIT_SETTINGS = {
  maxLineBytes: { flag: '--max-line-bytes', env: 'TOURNIQUET_MAX_LINE_BYTES', min: KiB, max: 256 * MiB },
  maxDecompressedBytes: { flag: '--max-decompressed-bytes', env: 'TOURNIQUET_MAX_DECOMPRESSED_BYTES', min: KiB, max: TiB },
} as const;

export type InputLimitName = keyof typeof INPUT_LIMIT_SETTINGS;

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: KiB, kib: KiB, m: MiB, mib: MiB, g: GiB, gib: GiB, t: TiB, tib: TiB };
const SIZE = /^(\d+)\s*([a-z]*)$/i;

/** `16777216`, `16MiB`, `16 M`, `1GiB` (binary units) → bytes; within the limit's range. */
export function byteSizeSchema(name: InputLimitName): z.ZodType<number, string> {
  const { min, max } = INPUT_LIMIT_SETTINGS[name];
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const m = SIZE.exec(text);
      const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
      if (m === null || unit === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a size in bytes, e.g. 16777216, 16MiB or 1GiB' });
        return z.NEVER;
      }
      return Number(m[1]) * unit;
    })
    // Digits times a unit are whole; no `.int()`: past 2^53 it said zod's `Too big: expected int to be <=9007199254740991`
    // before the limit in words.
    .pipe(z.number().min(min, `expected at least ${formatBytes(min)}`).max(max, `expected at most ${formatBytes(max)}`));
}

/** Parses one limit's text; the error names where it came from (`--max-line-bytes`, `TOURNIQUET_MAX_LINE_BYTES`). */
export function parseByteSize(name: InputLimitName, text: string, from: string): number {
  const parsed = byteSizeSchema(name).safeParse(text);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${from}: ${parsed.error.issues[0]?.message ?? 'invalid size'}, received ${describeValue(text)}`);
}

/** The limits from `TOURNIQUET_MAX_LINE_BYTES` / `TOURNIQUET_MAX_DECOMPRESSED_BYTES`, defaults for unset ones. */
export function inputLimitsFromEnv(env: NodeJS.ProcessEnv): InputLimits {
  return withOverrides(DEFAULT_INPUT_LIMITS, (name) => env[INPUT_LIMIT_SETTINGS[name].env], (name) => INPUT_LIMIT_SETTINGS[name].env);
}

/** `base` with the limits given as text (CLI flags) replaced. An empty value is refused, not taken as unset. */
export function withOverrides(base: InputLimits, text: (name: InputLimitName) => string | undefined, from: (name: InputLimitName) => string): InputLimits {
  const value = (name: InputLimitName): number => {
    const t = text(name);
    return t === undefined ? base[name] : parseByteSize(name, t, from(name));
  };
  return { maxLineBytes: value('maxLineBytes'), maxDecompressedBytes: value('maxDecompressedBytes') };
}

/** `16 MiB`, `1 GiB`, `1536 KiB`, `100 bytes`: the largest binary unit that divides exactly. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['TiB', TiB], ['GiB', GiB], ['MiB', MiB], ['KiB', KiB]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

/** "at most 16 MiB (raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES)": the `expected` of a rejection. */
export function limitText(name: InputLimitName, limits: InputLimits): string {
  const s = INPUT_LIMIT_SETTINGS[name];
  return `at most ${formatBytes(limits[name])} (raise with ${s.flag} or ${s.env})`;
}
