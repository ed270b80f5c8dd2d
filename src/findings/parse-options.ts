/** Options and results shared by the parsing entry points. */
import { UsageError } from '../errors.js';
import type { FindingParseError } from '../errors.js';
import { DEFAULT_AI_TAG_KEYS } from './ai-context.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits.js';
import type { GuardDutyRecord } from './model.js';

export interface ParseOptions {
  /**
   * Tag keys that mark a resource as an AI workload (reason `ai-tag`). Entry syntax: `key` (exact,
   * case-insensitive) or `prefix*`, optionally `=<regex>` the value must match (case-insensitive). A bare key
   * matches any value except `false`/`no`/`0`/`off`/`none`/`disabled`. Default: `DEFAULT_AI_TAG_KEYS`
   * (`ai-workload`, `ml-workload`, `tourniquet:ai`, `ai:*`, `ml:*`, `sagemaker:*`, `workload-type`/`workload`/`purpose`
   * with an AI/ML value, Cluster Autoscaler GPU/Neuron node-template tags). SageMaker-managed `aws:sagemaker:*` tags
   * always count (reason `sagemaker`).
   */
  readonly aiTagKeys?: readonly string[];
  /** Longest line / largest document and gzip unpacked size for streamed input. Default: DEFAULT_INPUT_LIMITS. */
  readonly limits?: InputLimits;
}

export interface ParseBatch {
  readonly records: GuardDutyRecord[];
  /** Every record that could not be read, in input order; nothing is dropped silently. */
  readonly rejected: FindingParseError[];
}

export interface ResolvedOptions {
  readonly aiTagKeys: readonly string[];
  readonly limits: InputLimits;
}

const DEFAULTS: ResolvedOptions = { aiTagKeys: DEFAULT_AI_TAG_KEYS, limits: DEFAULT_INPUT_LIMITS };
const checked = new WeakSet<readonly string[]>([DEFAULT_AI_TAG_KEYS]);

/** Validates options once per distinct `aiTagKeys` array (regexes must compile). */
export function resolveOptions(options: ParseOptions | undefined): ResolvedOptions {
  const keys = options?.aiTagKeys;
  const limits = options?.limits ?? DEFAULT_INPUT_LIMITS;
  if (keys === undefined) return limits === DEFAULT_INPUT_LIMITS ? DEFAULTS : { aiTagKeys: DEFAULT_AI_TAG_KEYS, limits };
  if (!checked.has(keys)) {
    for (const entry of keys) {
      if (typeof entry !== 'string' || entry.length === 0) throw new UsageError(`aiTagKeys: expected non-empty strings, received ${JSON.stringify(entry)}`);
      const eq = entry.indexOf('=');
      if (eq !== -1) {
        try {
          new RegExp(entry.slice(eq + 1), 'i');
        } catch (err) {
          throw new UsageError(`aiTagKeys: ${JSON.stringify(entry)} has an invalid value pattern: ${(err as Error).message}`);
        }
      }
    }
    checked.add(keys);
  }
  return { aiTagKeys: keys, limits };
}
