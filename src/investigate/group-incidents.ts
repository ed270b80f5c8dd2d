/**
 * Findings → incidents: two findings belong together when they share a subject (the same instance, bucket, user …),
 * an actor (an access key, a principal, a public remote address) or an attack-sequence link. Union-find over the
 * keys, so the grouping is the connected components whatever order the findings came in.
 */
class DisjointSets {
  private readonly parent: number[] = [];

  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    // Path compression: later finds are near constant.
    while (this.parent[x] !== root) {
      const next = this.parent[x]!;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** What grouping reads of each finding: its interned subject and actor keys and its sequence links. */
export interface GroupSource {
  keys(row: number): ArrayLike<number>;
  linksOf(row: number): readonly string[];
  rowOfId(id: string): number | undefined;
}

/** The rows of each incident, every group in the order of its first row. `rows` are the findings kept after filters. */
export function groupRows(rows: readonly number[], source: GroupSource): number[][] {
  const sets = new DisjointSets();
  const position = new Map<number, number>();
  rows.forEach((row, i) => {
    sets.add();
    position.set(row, i);
  });
  // First position seen for each interned key (subjects and actors share one numbering, so one map serves both).
  const byKey = new Map<number, number>();
  rows.forEach((row, i) => {
    const keys = source.keys(row);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, i);
      else sets.union(seen, i);
    }
  });
  // Sequence links join only findings that are present (after filters): a link to a finding not in the export is kept
  // on the incident as a reference but joins nothing.
  rows.forEach((row, i) => {
    for (const id of source.linksOf(row)) {
      const other = source.rowOfId(id);
      const j = other === undefined ? undefined : position.get(other);
      if (j !== undefined) sets.union(i, j);
    }
  });
  const groups = new Map<number, number[]>();
  rows.forEach((row, i) => {
    const root = sets.find(i);
    const g = groups.get(root);
    if (g === undefined) groups.set(root, [row]);
    else g.push(row);
  });
  return [...groups.values()];
}
