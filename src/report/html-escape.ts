/**
 * Escaping for the report: every string that came from a finding or from AWS (titles, tags, user names, bucket
 * names) is attacker-controlled. Text and attribute values are escaped for HTML; control and bidi characters are
 * shown as escapes, as on the terminal, so a name cannot reorder what a reader sees.
 */
import { terminalSafe } from '../safe-text.js';

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Safe as element text and as a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return terminalSafe(text ?? '').replace(/[&<>"'`]/g, (c) => HTML[c]!);
}

/** A template tag: `html\`<td>${name}</td>\`` escapes every interpolation unless it is already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(v);
}
