/**
 * `JSON.stringify(value, null, 2)` in pieces, for plain data (objects, arrays, strings, numbers, booleans, null). A
 * value with a long array is written element by element; anything else is one piece from `JSON.stringify`. One
 * triage incident can hold tens of thousands of findings (the generated 200,000-finding export has one of about
 * 70,000): as one string its text, and the copy that indents it, were tens of megabytes in V8's large-object space,
 * which only a full collection frees.
 */

/** Arrays longer than this are written an element at a time. */
const LONG = 256;

function hasLongArray(value: object): boolean {
  if (Array.isArray(value)) return value.length > LONG;
  for (const v of Object.values(value)) if (Array.isArray(v) && v.length > LONG) return true;
  return false;
}

/** `JSON.stringify(value, null, 2)` as it reads nested `indent` deep (JSON escapes newlines in strings, so every raw one is layout). */
export function nestedJson(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
}

/** The text of `JSON.stringify(value, null, 2)` nested `indent` deep, in pieces that join to exactly that text. */
export function* jsonChunks(value: unknown, indent = ''): Generator<string, void, undefined> {
  if (value === null || typeof value !== 'object' || !hasLongArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield nestedJson(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    yield '[';
    for (let k = 0; k < value.length; k++) {
      yield `${k === 0 ? '' : ','}\n${inner}`;
      const v: unknown = value[k];
      // As JSON.stringify: an array's undefined, function or symbol is null.
      yield* jsonChunks(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const [key, v] of Object.entries(value)) {
    // As JSON.stringify: a property whose value is undefined, a function or a symbol is left out.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonChunks(v, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}
