/**
 * A path flag given as the empty string (`--journal-path "$JOURNAL"` with the variable unset) is refused: read as
 * "no value" it would put the journal's files or the case folders in the current folder, or drop the policy for the
 * built-in one (approve for everything: evidence snapshots where the user's policy said observe).
 */
import { UsageError } from '../errors.js';

const PATH_FLAGS = { policy: '--policy', journalPath: '--journal-path', evidenceDir: '--evidence-dir', journalTable: '--journal-table' } as const;

export function refuseEmptyPathFlags(flags: Partial<Record<keyof typeof PATH_FLAGS, string>>): void {
  for (const [key, flag] of Object.entries(PATH_FLAGS) as Array<[keyof typeof PATH_FLAGS, string]>) {
    if (flags[key] !== undefined && flags[key].trim() === '') {
      throw new UsageError(`${flag} is empty (received ${JSON.stringify(flags[key])}; an unset variable?): give a value, or leave the flag out for its default`);
    }
  }
}
