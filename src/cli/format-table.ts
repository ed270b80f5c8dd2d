/**
 * Plain-text tables and terminal-safe strings for CLI output.
 *
 * Findings carry attacker-controlled strings (user agents, file paths, tag values, names). Printed raw, an escape
 * sequence could rewrite the terminal (move the cursor, hide lines, set the window title) and bidi controls could
 * reorder what the reader sees. Every cell therefore goes through `terminalSafe`, which shows such characters as
 * visible escapes instead of emitting them.
 */

import { terminalSafe } from '../safe-text.js';

// Kept here for the commands that import it from the table module.
export { terminalSafe };

/** Cuts a (terminal-safe) string to `max` characters, marking the cut with `…`. */
export function truncate(value: string, max: number): string {
  if (max < 1) return '';
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

export interface TableOptions {
  /**
   * Widest a cell may be (characters); longer cells are cut with `…`. One number for every column, or one per column
   * (`Infinity` never cuts: use it for identifiers such as finding types). Default 60.
   */
  readonly maxCellWidth?: number | readonly number[];
  /** Spaces between columns. Default 2. */
  readonly gap?: number;
}

function width(s: string): number {
  return Array.from(s).length;
}

/**
 * Lays out rows under headers, left-aligned, columns as wide as their widest cell (up to `maxCellWidth`).
 * Cells are made terminal-safe here, so callers may pass raw values. Trailing spaces are trimmed.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  return [...formatTableRows(headers, () => rows, options)];
}

/**
 * `formatTable` over rows made on demand: `rows()` is called twice, once for the columns' widths and once for the
 * lines, so a long table (tens of thousands of incidents) is never held whole. Both calls must give the same rows.
 */
export function* formatTableRows(headers: readonly string[], rows: () => Iterable<readonly string[]>, options: TableOptions = {}): Generator<string, void, undefined> {
  const limit = options.maxCellWidth ?? 60;
  const max = (i: number): number => (typeof limit === 'number' ? limit : (limit[i] ?? 60));
  const gap = ' '.repeat(options.gap ?? 2);
  const cellsOf = (row: readonly string[]): string[] => headers.map((_, i) => truncate(terminalSafe(row[i] ?? ''), max(i)));
  const widths = cellsOf(headers).map((cell) => width(cell));
  for (const row of rows()) cellsOf(row).forEach((cell, i) => (widths[i] = Math.max(widths[i]!, width(cell))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell))))
      .join(gap)
      .trimEnd();
  yield line(cellsOf(headers));
  for (const row of rows()) yield line(cellsOf(row));
}
