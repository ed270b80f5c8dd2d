/**
 * `--wait-seconds <n>`: how long a command waits for steps another live responder holds on the same incident (it
 * renews its lease while it works; a crashed one's lease runs out within a minute) before it reports the incident as
 * still in progress.
 */
import { UsageError } from '../errors.js';
import { wholeNumberFlag } from './number-flags.js';

export const DEFAULT_WAIT_SECONDS = 120;
const MAX_WAIT_SECONDS = 600;

export function parseWaitSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WAIT_SECONDS;
  const n = wholeNumberFlag(value);
  if (n === undefined || n > MAX_WAIT_SECONDS) {
    throw new UsageError(`--wait-seconds must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}, received ${JSON.stringify(value)}`);
  }
  return n;
}
