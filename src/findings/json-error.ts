/**
 * Describes why JSON text failed to parse, with its position (line, column, offset). V8 names the offset for most
 * errors but not for "Unexpected token …"; then a small validator finds the first offending offset. This runs only
 * on failure.
 */

const POSITION = /at position (\d+)/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Offset of the first syntax error in `text`, or -1 when it is valid JSON. Iterative: deep nesting is fine. */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: number[] = []; // 0 = array, 1 = object
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return false;
        }
        continue;
      }
      if (c < 32) return false;
      i++;
    }
    return false;
  };
  const key = (): boolean => {
    ws();
    if (text[i] !== '"' || !str()) return false;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  let expectValue = true;
  for (;;) {
    ws();
    if (expectValue) {
      if (i >= n) return n;
      const c = text[i];
      if (c === '{') {
        i++;
        ws();
        if (text[i] === '}') {
          i++;
          expectValue = false;
        } else {
          stack.push(1);
          if (!key()) return Math.min(i, n);
        }
      } else if (c === '[') {
        i++;
        ws();
        if (text[i] === ']') {
          i++;
          expectValue = false;
        } else {
          stack.push(0);
        }
      } else if (c === '"') {
        if (!str()) return Math.min(i, n);
        expectValue = false;
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
        i += 4;
        expectValue = false;
      } else if (text.startsWith('false', i)) {
        i += 5;
        expectValue = false;
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return i;
        i = NUMBER.lastIndex;
        expectValue = false;
      }
      continue;
    }
    if (stack.length === 0) return i < n ? i : -1;
    if (i >= n) return n;
    const top = stack[stack.length - 1];
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === 1 && !key()) return Math.min(i, n);
      expectValue = true;
    } else if ((top === 0 && c === ']') || (top === 1 && c === '}')) {
      i++;
      stack.pop();
    } else {
      return i;
    }
  }
}

/** Line and column (1-based) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const MAX_MESSAGE = 100;

/** "truncated JSON …" / "invalid JSON at line L, column C (offset O): …", for FindingParseError.received. */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const m = POSITION.exec(message);
  let offset = m !== null ? Number(m[1]) : message.includes('end of JSON input') ? text.length : jsonErrorOffset(text);
  if (offset < 0) offset = text.length;
  const { line, column } = lineColumn(text, offset);
  const where = `line ${line}, column ${column} (offset ${offset})`;
  if (offset >= text.trimEnd().length) return `truncated JSON: input ends at ${where} before the value is complete`;
  // V8 quotes the input in some messages (`…, "{"a":}" is not valid JSON`, `…, ..."ng text"... is not valid JSON`);
  // keep only its own words and show a short excerpt ourselves.
  const own = message.replace(/,\s*(?:\.\.\.)?".*$/s, '').slice(0, MAX_MESSAGE);
  const excerpt = JSON.stringify(text.slice(offset, offset + 20));
  return `invalid JSON at ${where}: ${own}; text there: ${excerpt}`;
}
