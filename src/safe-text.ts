/**
 * Finding text (titles, user agents, paths, tag values) is attacker-controlled. Printed raw, an escape sequence can
 * rewrite the operator's terminal (move the cursor, clear lines, set the window title) and bidi controls can reorder
 * what the reader sees. Two treatments:
 *  - `stripControlCharacters` for messages (e-mail, chat): control characters become spaces;
 *  - `terminalSafe` for the terminal: they become visible escapes (`\x1b`, `\u202e`), so the reader sees they were there.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function stripControlCharacters(s: string): string {
  return s.replace(CONTROL, ' ');
}

/** C0 and C1 control characters and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TERMINAL_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional marks, embeddings, overrides and isolates; line and paragraph separators. */
const BIDI_AND_SEPARATORS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
/** What JSON.stringify leaves raw but a terminal may act on: DEL, C1 controls, bidi controls, separators. */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}

/** The string with control, bidi and separator characters replaced by visible escapes (`\x1b`, `\u202e`). */
export function terminalSafe(value: string): string {
  return value.replace(TERMINAL_CONTROL, (c) => `\\x${hex(c, 2)}`).replace(BIDI_AND_SEPARATORS, (c) => `\\u${hex(c, 4)}`);
}

/**
 * JSON text safe for a terminal and still the same JSON: JSON.stringify escapes C0 controls itself; the remaining
 * unsafe characters can only occur inside strings, where `\uXXXX` decodes to the same value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${hex(c, 4)}`);
}

/** Text for a Markdown table cell or line: attacker-controlled text must not break the table or render as markup. */
export function markdownSafe(text: string): string {
  return terminalSafe(text)
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/\r?\n/g, ' ');
}
