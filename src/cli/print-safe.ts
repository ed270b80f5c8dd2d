/**
 * Everything the engine commands print goes through here, so no attacker-controlled string (finding ids and types,
 * subject ids, tag values, AI reasons, approval reasons, error messages) reaches the terminal with its escape
 * sequences or bidi controls intact: they are shown as visible escapes instead (see `terminalSafe`).
 */
import { terminalSafe, terminalSafeJson } from '../safe-text.js';

/** Prints one line; line breaks inside it are shown as `\x0a`, so a value cannot forge extra lines. */
export function printLine(line = ''): void {
  process.stdout.write(`${terminalSafe(line)}\n`);
}

/** Prints lines, each made safe on its own. */
export function printBlock(lines: readonly string[]): void {
  for (const line of lines) printLine(line);
}

/** Prints a value as indented JSON whose strings carry no raw control, bidi or separator characters. */
export function printJson(value: unknown): void {
  process.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
}
