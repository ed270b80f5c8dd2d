/**
 * Finds the 1-based line of a value (or of its key) in a parsed YAML document, so every policy error can point at
 * a line. When the path does not exist (a missing required key) the line of the deepest existing parent is used.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

type Segment = string | number;

interface Ranged {
  range?: readonly [number, number, number] | null;
}

function lineOf(node: unknown, lc: LineCounter): number | undefined {
  const range = (node as Ranged | null | undefined)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

/**
 * Line of the node at `path`. With `key: true` the line of the map key naming the last segment (for unknown-key
 * errors, the key is what is wrong).
 */
export function lineAt(
  doc: Document,
  lc: LineCounter,
  path: readonly Segment[],
  options: { key?: boolean } = {},
): number | undefined {
  let node: unknown = doc.contents;
  let line = lineOf(node, lc) ?? 1;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return line;
      const keyLine = lineOf(pair.key, lc) ?? line;
      if (last && options.key) return keyLine;
      node = pair.value;
      line = lineOf(node, lc) ?? keyLine;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return line;
      node = item;
      line = lineOf(node, lc) ?? line;
    } else {
      // A scalar where a list was expected (`type: "X"` read as a list of one): point at the scalar.
      return line;
    }
  }
  return line;
}
