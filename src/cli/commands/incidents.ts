import type { Command } from 'commander';
import type { IncidentStatus } from '../../journal/journal.js';
import { UsageError } from '../../errors.js';
import { incidentListLines } from '../attack-sequence-lines.js';
import { checkDestinations } from '../check-destinations.js';
import { countTooLarge, wholeNumberFlag } from '../number-flags.js';
import { missingJournalPath } from '../require-journal.js';
import { addRuntimeOptions, openRuntime, type RuntimeFlags } from '../runtime.js';
import type { ReportExit } from './index.js';
import { printJson, printLine } from '../print-safe.js';

const STATUSES: readonly IncidentStatus[] = ['observed', 'awaiting-approval', 'in-progress', 'contained', 'partial', 'released', 'release-failed', 'release-partial'];

/** `tourniquet incidents`: the journal's incidents, newest first. */
export function registerIncidentsCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('incidents')
      .description('list incidents in the journal, newest first')
      .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
      .option('--limit <n>', 'at most this many', '50')
      .option('--sequence <id>', 'only the incidents of this GuardDuty attack sequence (its finding id)')
      .option('--json', 'print JSON'),
  ).action(async (flags: RuntimeFlags & { status?: string; limit: string; sequence?: string; json?: boolean }) => {
    if (flags.status !== undefined && !STATUSES.includes(flags.status as IncidentStatus)) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, received ${JSON.stringify(flags.status)}`);
    }
    const limit = wholeNumberFlag(flags.limit);
    if (limit === undefined || limit < 1) throw new UsageError(`--limit must be a positive integer, received ${JSON.stringify(flags.limit)}`);
    if (!Number.isSafeInteger(limit)) throw countTooLarge('--limit', flags.limit);
    // No journal folder yet: nothing to list, and listing must not create one (a path that could never hold the
    // journal is still refused, as every command refuses it).
    const missing = await missingJournalPath(flags);
    if (missing !== undefined) {
      await checkDestinations({ journalPath: missing });
      if (flags.json) printJson([]);
      else printLine('no incidents');
      exit(0);
      return;
    }
    const runtime = await openRuntime(flags);
    try {
      const incidents = await runtime.journal.listIncidents({ status: flags.status as IncidentStatus | undefined, limit, attackSequenceId: flags.sequence });
      if (flags.json) {
        printJson(incidents);
      } else if (incidents.length === 0) {
        printLine('no incidents');
      } else {
        for (const l of incidentListLines(incidents)) printLine(l);
      }
      exit(0);
    } finally {
      await runtime.close();
    }
  });
}
