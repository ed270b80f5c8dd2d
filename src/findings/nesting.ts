/**
 * Nesting limit for every input record, checked once when the record is parsed. JSON.parse itself is iterative and
 * accepts any depth, but everything downstream that walks a value recursively (JSON.stringify of the evidence and the
 * journal, structuredClone, the PascalCase mapper) overflows the stack on a field nested 100,000 levels deep. A
 * record that could not be written as evidence must never be journaled, so it is rejected here, with its path.
 *
 * GuardDuty findings nest about 12 levels; 256 is the limit the PascalCase mapper already used.
 */
import { childPath, indexPath } from './json-path.js';

export const MAX_NESTING = 256;

/** Path segments shown before `…` when reporting a too-deep value (the full path has more than 256). */
const SHOWN_SEGMENTS = 8;

/**
 * True when `value` holds an object or array more than `limit` levels deep (the value itself is level 1).
 * Recursive, with no path bookkeeping: this runs on every record, so the common case stays cheap, and the recursion
 * stops at `limit` + 1 levels however deep the input is (the stack never holds more than that).
 */
export function nestedDeeperThan(value: unknown, limit: number = MAX_NESTING): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return deeperThan(value, 1, limit);
}

function deeperThan(node: object, level: number, limit: number): boolean {
  if (level > limit) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (typeof child === 'object' && child !== null && deeperThan(child, level + 1, limit)) return true;
    }
    return false;
  }
  const obj = node as Record<string, unknown>;
  for (const key in obj) {
    const child = obj[key];
    if (typeof child === 'object' && child !== null && deeperThan(child, level + 1, limit)) return true;
  }
  return false;
}

interface Frame {
  readonly node: object;
  readonly keys: readonly string[] | undefined;
  next: number;
  readonly segment: string;
}

/**
 * The JSON path (relative to `value`, e.g. `.resource.deep[0][0]…`) of the first value nested more than `limit` levels
 * deep, cut after a few segments; undefined when there is none. Only called once a record is known to be too deep.
 */
export function tooDeepPath(value: unknown, limit: number = MAX_NESTING): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const frames: Frame[] = [{ node: value, keys: Array.isArray(value) ? undefined : Object.keys(value), next: 0, segment: '' }];
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (frames.length > limit) return shownPath(frames.map((f) => f.segment));
    const size = top.keys === undefined ? (top.node as unknown[]).length : top.keys.length;
    if (top.next >= size) {
      frames.pop();
      continue;
    }
    const i = top.next++;
    const key = top.keys === undefined ? undefined : top.keys[i]!;
    const child: unknown = key === undefined ? (top.node as unknown[])[i] : (top.node as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) {
      const segment = key === undefined ? indexPath('', i) : childPath('', key);
      frames.push({ node: child, keys: Array.isArray(child) ? undefined : Object.keys(child), next: 0, segment });
    }
  }
  return undefined;
}

function shownPath(segments: readonly string[]): string {
  const real = segments.slice(1); // the root's own segment is empty
  return real.length > SHOWN_SEGMENTS ? `${real.slice(0, SHOWN_SEGMENTS).join('')}…` : real.join('');
}
