/**
 * Findings → incidents: two findings belong together when they share a subject (the same instance, bucket, user …),
 * an actor (an access key, a principal, a public remote address) or an attack-sequence link. Union-find over the
 * keys, so the grouping is the connected components whatever order the findings came in.
 */
/** Union-find over positions 0 … n-1, in a typed array: an export's kept findings number hundreds of thousands. */
class DisjointSets {
  private readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    let root = x;
    while (parent[root] !== root) root = parent[root]!;
    // Path compression: later finds are near constant.
    while (parent[x] !== root) {
      const next = parent[x]!;
      parent[x] = root;
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
  /** The number of rows (every row is below it). */
  readonly size: number;
  /** Every row's keys, side by side: row `r`'s subject and actor keys are the `subjectCount(r) + actorCount(r)` from `keyStart(r)`. */
  readonly keyPool: ArrayLike<number>;
  keyStart(row: number): number;
  subjectCount(row: number): number;
  actorCount(row: number): number;
  linkCount(row: number): number;
  linksOf(row: number): readonly string[];
  rowOfId(id: string): number | undefined;
}

/** Incidents as rows: group `g`'s rows are `rows[starts[g]]` … `rows[starts[g + 1] - 1]`, in the order kept. */
export interface RowGroups {
  readonly count: number;
  readonly starts: Int32Array;
  readonly rows: Int32Array;
}

/**
 * The rows of each incident, every group in the order of its first row. `rows` are the findings kept after filters.
 * Positions and first sightings are kept in typed arrays indexed by row and by key, not in maps: at the end of a
 * large export this runs once over every finding, and maps of that size were most of the peak memory of a triage.
 * The groups come back in two typed arrays, not an array per group (tens of thousands of them).
 */
export function groupRows(rows: readonly number[], source: GroupSource): RowGroups {
  const n = rows.length;
  const sets = new DisjointSets(n);
  const position = new Int32Array(source.size).fill(-1);
  let maxKey = -1;
  // Keys read from the pool in place: a view per row would be an allocation per row, twice.
  const pool = source.keyPool;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    position[row] = i;
    const start = source.keyStart(row);
    const end = start + source.subjectCount(row) + source.actorCount(row);
    for (let k = start; k < end; k++) if (pool[k]! > maxKey) maxKey = pool[k]!;
  }
  // First position seen for each interned key (subjects and actors share one numbering, so one array serves both).
  const byKey = new Int32Array(maxKey + 1).fill(-1);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const start = source.keyStart(row);
    const end = start + source.subjectCount(row) + source.actorCount(row);
    for (let k = start; k < end; k++) {
      const key = pool[k]!;
      const seen = byKey[key]!;
      if (seen < 0) byKey[key] = i;
      else sets.union(seen, i);
    }
  }
  // Sequence links join only findings that are present (after filters): a link to a finding not in the export is kept
  // on the incident as a reference but joins nothing.
  for (let i = 0; i < n; i++) {
    if (source.linkCount(rows[i]!) === 0) continue;
    for (const id of source.linksOf(rows[i]!)) {
      const other = source.rowOfId(id);
      const j = other === undefined ? -1 : position[other]!;
      if (j >= 0) sets.union(i, j);
    }
  }
  // A group's number by its root; roots come in the order of their first position, as the groups must. Then each
  // group's size, its start, and its rows in the order of their positions.
  const groupOf = new Int32Array(n).fill(-1);
  const groupAt = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const root = sets.find(i);
    if (groupOf[root]! < 0) groupOf[root] = count++;
    groupAt[i] = groupOf[root]!;
  }
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) starts[groupAt[i]! + 1] = starts[groupAt[i]! + 1]! + 1;
  for (let g = 0; g < count; g++) starts[g + 1] = starts[g + 1]! + starts[g]!;
  const next = starts.slice(0, count);
  const grouped = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = groupAt[i]!;
    grouped[next[g]!] = rows[i]!;
    next[g] = next[g]! + 1;
  }
  return { count, starts, rows: grouped };
}
