/**
 * `tourniquet triage` output (table, Markdown, JSON) written from a ranking as its incidents are built, so what is
 * held is the ranking's columns and one page of incidents or text, never the whole result or the whole output (for
 * 200,000 findings the result alone held 71.6 MB of heap, and `JSON.stringify` of it a string several times that).
 * The text is the same, byte for byte, as formatting the whole result at once (`test/unit/cli/triage-output.test.ts`).
 */
import { once } from 'node:events';
import type { TriageIncident, TriageRejected, TriageStats } from '../investigate/triage.js';
import { markdownSafe } from '../safe-text.js';
import { formatTableRows, terminalSafe } from './format-table.js';
import { jsonChunks, nestedJson } from './json-chunks.js';

/** What the output reads: the incidents in rank order, built on demand (`TriageRanking`), and the totals. */
export interface RankedIncidents {
  readonly size: number;
  readonly rejected: readonly TriageRejected[];
  readonly stats: TriageStats;
  incidents(from?: number, to?: number): Iterable<TriageIncident>;
}

/**
 * Text gathered before each write. Small on purpose: a string over 128 KiB is allocated in V8's large-object space,
 * collected only by a full garbage collection, so pages of that size (300 KiB: 256 incidents) piled up as garbage and
 * raised the peak of a large export's JSON output by 70 MB.
 */
const WRITE_CHARS = 16 * 1024;

function subjectsText(i: TriageIncident, max = 3): string {
  const shown = i.subjects.slice(0, max).map((s) => `${s.kind}:${s.id}`);
  return i.subjects.length > max ? `${shown.join(', ')} +${i.subjects.length - max} more` : shown.join(', ') || '—';
}

function typesText(i: TriageIncident, max = 2): string {
  return i.types.length > max ? `${i.types.slice(0, max).join(', ')} +${i.types.length - max} more` : i.types.join(', ');
}

function statsLine(r: RankedIncidents): string {
  const s = r.stats;
  return (
    `${s.incidents} incident(s) from ${s.findings} finding(s) (${s.records} record(s); ${s.superseded} earlier occurrence(s) replaced; ` +
    `${s.samples} sample(s), ${s.archived} archived and ${s.filtered} filtered out; ${s.rejected} rejected)`
  );
}

function tableRow(i: TriageIncident): string[] {
  return [
    String(i.rank),
    i.score.toFixed(1),
    String(i.maxSeverity),
    i.ai ? 'AI' : '',
    typesText(i),
    subjectsText(i),
    i.actors.slice(0, 2).join(', ') + (i.actors.length > 2 ? ` +${i.actors.length - 2}` : ''),
    String(i.count),
    i.lastSeen,
    i.why.join('; '),
  ];
}

/** The table's lines (the first `top` incidents when given). Incidents are built twice: once for widths, once to print. */
export function* triageTableLines(r: RankedIncidents, top?: number): Generator<string, void, undefined> {
  const shown = top === undefined ? r.size : Math.min(top, r.size);
  if (shown > 0) {
    yield* formatTableRows(
      ['#', 'SCORE', 'SEV', 'AI', 'TYPES', 'SUBJECTS', 'ACTORS', 'COUNT', 'LAST SEEN', 'WHY'],
      function* rows() {
        for (const i of r.incidents(0, shown)) yield tableRow(i);
      },
      { maxCellWidth: [6, 6, 4, 2, 70, 80, 60, 8, 24, 120] },
    );
  }
  if (top !== undefined && r.size > top) yield `… ${r.size - top} more (without --top)`;
  yield terminalSafe(statsLine(r));
}

export function* triageMarkdownLines(r: RankedIncidents, top?: number): Generator<string, void, undefined> {
  yield '| # | Score | Severity | AI | Types | Subjects | Actors | Count | First seen | Last seen | Why |';
  yield '|---:|---:|---:|:---:|---|---|---|---:|---|---|---|';
  for (const i of r.incidents(0, top ?? r.size)) {
    const cells = [
      String(i.rank),
      i.score.toFixed(1),
      String(i.maxSeverity),
      i.ai ? 'AI' : '',
      i.types.join(', '),
      i.subjects.map((s) => `${s.kind}:${s.id}`).join(', '),
      i.actors.join(', '),
      String(i.count),
      i.firstSeen,
      i.lastSeen,
      i.why.join('; '),
    ];
    yield `| ${cells.map((c) => markdownSafe(c)).join(' | ')} |`;
  }
  yield '';
  yield markdownSafe(statsLine(r));
  if (r.rejected.length > 0) {
    yield '';
    yield `**Rejected records (${r.rejected.length})**`;
    yield '';
    for (const x of r.rejected.slice(0, 50)) yield `- ${markdownSafe(`${x.source}${x.line !== undefined ? `:${x.line}` : ''} ${x.path}: ${x.message}`)}`;
    if (r.rejected.length > 50) yield `- … ${r.rejected.length - 50} more (see --json)`;
  }
}

/**
 * The text of `JSON.stringify({ incidents, rejected, stats }, null, 2)` and a newline, in pieces: an incident at a
 * time, and a large incident's long lists an element at a time (`jsonChunks`).
 */
export function* triageJsonChunks(r: RankedIncidents): Generator<string, void, undefined> {
  yield '{\n  "incidents": [';
  let n = 0;
  for (const i of r.incidents()) {
    yield n++ === 0 ? '\n    ' : ',\n    ';
    yield* jsonChunks(i, '    ');
  }
  yield `${n === 0 ? ']' : '\n  ]'},\n  "rejected": `;
  yield* jsonChunks(r.rejected, '  ');
  yield `,\n  "stats": ${nestedJson(r.stats, '  ')}\n}\n`;
}

/** Each line followed by a newline. */
export function* withNewlines(lines: Iterable<string>): Generator<string, void, undefined> {
  for (const line of lines) yield `${line}\n`;
}

/** Writes `chunks` to `out` in writes of about 16 KiB, waiting when the stream asks to (a slow pipe). */
export async function writeText(out: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let text = '';
  for (const chunk of chunks) {
    text += chunk;
    if (text.length >= WRITE_CHARS) {
      const more = out.write(text);
      text = '';
      if (!more) await once(out, 'drain');
    }
  }
  if (text.length > 0 && !out.write(text)) await once(out, 'drain');
}
