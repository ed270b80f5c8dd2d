/**
 * A separate process that opens the embedded journal on disk (for the lock race test). It loads everything, says
 * `ready`, waits for `go` on stdin (so every child starts at the same moment), opens the journal, writes and reads
 * an item, holds it for `holdMs`, closes, and prints one JSON line: `{ ok, start, end, budget }` (start: the journal is open) or `{ ok: false, message }`.
 * Any other failure (a stack trace, "Database is closed") ends the process with a non-zero code and output on stderr.
 */
import { TourniquetError } from '../../src/errors.js';
import { openJournal } from '../../src/journal/open-journal.js';

const [path, holdMs] = process.argv.slice(2) as [string, string];

process.stdout.write('ready\n');
await new Promise<void>((go) => process.stdin.once('data', () => go()));
let journal;
try {
  journal = await openJournal({ path });
} catch (err) {
  if (!(err instanceof TourniquetError)) throw err;
  process.stdout.write(`${JSON.stringify({ ok: false, message: err.message })}\n`);
  process.exit(0);
}
const start = Date.now();
const budget = await journal.takeBudget('123456789012', new Date(), 1000);
await new Promise((r) => setTimeout(r, Number(holdMs)));
const end = Date.now();
await journal.close();
process.stdout.write(`${JSON.stringify({ ok: true, start, end, budget })}\n`);
process.exit(0);
