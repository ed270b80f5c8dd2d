/**
 * Commands about one incident (`show`, `approve`, `deny`, `resume`, `release`, `report`) and `incidents` read the
 * journal.
 * Where the embedded journal's folder does not exist there is no incident to find, and opening the journal would
 * create an empty one as a side effect of a typo: say "not found" (exit 2) and create nothing.
 */
import { stat } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { refuseEmptyPathFlags } from './empty-path-flags.js';
import { DEFAULT_STATE_DIR, type RuntimeFlags } from './runtime.js';

/**
 * Ids are minted as `inc-yyyymmdd-<12 hex>` (25 bytes). A longer one can name no incident, and a journal key past
 * DynamoDB's 2 KiB limit made the read fail (`ValidationException`, exit 1) instead of "not found".
 */
const MAX_INCIDENT_ID_BYTES = 256;

export async function requireJournal(incidentId: string, flags: RuntimeFlags): Promise<void> {
  const bytes = Buffer.byteLength(incidentId);
  if (bytes > MAX_INCIDENT_ID_BYTES) {
    throw new NotFoundError('incident', incidentId, `incident ids are inc-yyyymmdd-<12 hex>, as \`tourniquet incidents\` lists them; this one has ${bytes} bytes`);
  }
  const missing = await missingJournalPath(flags);
  if (missing !== undefined) throw new NotFoundError('incident', incidentId, `there is no journal at ${JSON.stringify(missing)}`);
}

/**
 * The embedded journal's folder when it does not exist (so a read would only create an empty one), else undefined.
 * `incidents` then lists nothing without creating it.
 */
export async function missingJournalPath(flags: RuntimeFlags): Promise<string | undefined> {
  refuseEmptyPathFlags(flags);
  // A DynamoDB table is never created by the CLI's reads, and an in-memory journal is always empty; a wrong
  // combination of journal flags is left to openRuntime to name.
  if (flags.journalTable !== undefined || flags.journalEndpoint !== undefined || flags.journalPath === ':memory:') return undefined;
  const path = flags.journalPath ?? `${DEFAULT_STATE_DIR}/journal`;
  try {
    await stat(path);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined; // anything else: opening the journal says what
    return path;
  }
}
