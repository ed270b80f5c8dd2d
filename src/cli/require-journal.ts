/**
 * Commands about one incident (`show`, `approve`, `deny`, `resume`, `release`, `report`) read it from the journal.
 * Where the embedded journal's folder does not exist there is no incident to find, and opening the journal would
 * create an empty one as a side effect of a typo: say "not found" (exit 2) and create nothing.
 */
import { stat } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { DEFAULT_STATE_DIR, type RuntimeFlags } from './runtime.js';

export async function requireJournal(incidentId: string, flags: RuntimeFlags): Promise<void> {
  // A DynamoDB table is never created by the CLI's reads, and an in-memory journal is always empty; a wrong
  // combination of journal flags is left to openRuntime to name.
  if (flags.journalTable !== undefined || flags.journalEndpoint !== undefined || flags.journalPath === ':memory:') return;
  const path = flags.journalPath ?? `${DEFAULT_STATE_DIR}/journal`;
  try {
    await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // anything else: opening the journal says what
    throw new NotFoundError('incident', incidentId, `there is no journal at ${JSON.stringify(path)}`);
  }
}
