/**
 * YAML anchors and aliases, checked before the document becomes data. The yaml library's own guard
 * (`maxAliasCount`) throws a bare `ReferenceError` and trips on ordinary files (one anchor reused 150 times); a
 * self-referencing alias (`x: &a [*a]`) becomes a cyclic object that overflows the stack of whatever walks it next.
 *
 * Here every alias is resolved the way the library resolves it (the last node with that anchor before the alias, in
 * document order) and the size of the document once aliases are expanded is counted, each anchored node's size
 * computed once. Limits are on what the data costs to walk, not on how often an anchor is used.
 */
import { isAlias, isCollection, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { PolicyIssue } from './policy.js';

/** Values (scalars, lists, maps) the expanded document may hold: plenty for any real policy, cheap to walk. */
export const MAX_EXPANDED_NODES = 100_000;

interface Ranged {
  range?: readonly [number, number, number] | null;
}

class AliasProblem extends Error {
  constructor(
    readonly issue: PolicyIssue,
  ) {
    super(issue.message);
  }
}

/**
 * Returns the problem with the document's aliases (unresolved, self-referencing, or expanding beyond `limit`
 * values), or undefined when `doc.toJS()` is safe to call and to walk.
 */
export function checkAliases(doc: Document, lc: LineCounter, limit = MAX_EXPANDED_NODES): PolicyIssue | undefined {
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Ranged | null | undefined)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  const issue = (node: unknown, message: string): AliasProblem => {
    const line = lineOf(node);
    return new AliasProblem({ path: '(yaml)', message, ...(line === undefined ? {} : { line }) });
  };

  // Anchors seen so far in document order (a later anchor of the same name shadows an earlier one).
  const anchors = new Map<string, Node>();
  // Expanded size of each anchored node whose walk has finished. An anchored node seen by an alias but not in
  // here is still being walked: it contains the alias.
  const sizes = new Map<Node, number>();
  let total = 0;

  const walk = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isPair(node)) return walk(node.key) + walk(node.value);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) throw issue(node, `alias *${node.source} has no anchor &${node.source} before it`);
      const size = sizes.get(target);
      if (size === undefined) {
        throw issue(node, `alias *${node.source} refers to its own anchor: a value that contains itself has no end`);
      }
      total += size;
      if (total > limit) {
        throw issue(
          node,
          `alias *${node.source} expands the file beyond ${limit.toLocaleString('en-US')} values (anchors nested or reused too much)`,
        );
      }
      return size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as Node);
    const before = total;
    total += 1;
    if (isCollection(node)) for (const item of node.items) walk(item);
    else if (!isScalar(node)) return 0;
    if (total > limit) throw issue(node, `the file holds more than ${limit.toLocaleString('en-US')} values`);
    const size = total - before;
    if (anchor) sizes.set(node as Node, size);
    return size;
  };

  try {
    walk(doc.contents);
    return undefined;
  } catch (err) {
    if (err instanceof AliasProblem) return err.issue;
    throw err;
  }
}
