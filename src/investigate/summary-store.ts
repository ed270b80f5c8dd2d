/**
 * The latest occurrence of every finding, stored by columns (typed arrays) rather than one object per finding:
 * triage keeps a summary of every distinct finding in an export, and at ~60 bytes of columns a row (plus its id) that
 * is a few megabytes for a hundred thousand findings, where objects cost ten times as much.
 */
import { ByteKeyTable } from './byte-key-table.js';
import type { FindingSummary } from './finding-summary.js';
import { isLaterOccurrence } from './finding-summary.js';

const AI = 1;
const SAMPLE = 2;
const ARCHIVED = 4;
const SEQUENCE = 8;

const NO_LINKS: readonly string[] = Object.freeze([]);

class Growable<T extends Float64Array | Int32Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  ensure(n: number): void {
    if (n <= this.data.length) return;
    // By half, not double: the old and the new array live at once while copying, and the end of a large export
    // should not leave a column twice the rows it holds.
    const next = this.make(Math.max(n, Math.ceil(this.data.length * 1.5)));
    next.set(this.data);
    this.data = next;
  }
}

const f64 = (n: number): Growable<Float64Array> => new Growable(new Float64Array(n), (m) => new Float64Array(m));
const i32 = (n: number): Growable<Int32Array> => new Growable(new Int32Array(n), (m) => new Int32Array(m));

export class SummaryStore {
  /** Finding ids as bytes, numbered by row (a row is its id's number in the table). */
  private readonly ids = new ByteKeyTable();
  private readonly times = f64(1024); // updatedAt, firstSeen, lastSeen per row
  private readonly nums = f64(1024); // severity, count per row
  private readonly ints = i32(4096); // type, account, region, flags per row
  private readonly keyAt = i32(4096); // start, subject count, actor count, link count (per row)
  private readonly pool = i32(8192);
  private poolEnd = 0;
  /**
   * The finding ids of attack-sequence links, numbered; a row's link numbers follow its keys in the pool. As strings
   * each link kept its whole ARN alive (a slice of it) and an array per row: 24 MB of heap at 200,000 findings.
   */
  private readonly linkIds = new ByteKeyTable();

  get size(): number {
    return this.ids.size;
  }

  /** Adds `s`, or replaces the stored occurrence of its finding when `s` is later; false when it was a repeat. */
  put(s: FindingSummary): boolean {
    const before = this.ids.size;
    const row = this.ids.add(s.id);
    if (row === before) {
      this.write(row, s, true);
      return true;
    }
    // Compared with the columns: no summary object is built for the kept occurrence.
    if (isLaterOccurrence(s.updatedAt, s.count, this.updatedAt(row), this.count(row))) this.write(row, s, false);
    return false;
  }

  // Element by element: `set([...])` would allocate an array per field group on every line of an export.
  private write(r: number, s: FindingSummary, fresh: boolean): void {
    this.times.ensure(3 * r + 3);
    this.nums.ensure(2 * r + 2);
    this.ints.ensure(4 * r + 4);
    this.keyAt.ensure(4 * r + 4);
    const t = this.times.data;
    t[3 * r] = s.updatedAt;
    t[3 * r + 1] = s.firstSeen;
    t[3 * r + 2] = s.lastSeen;
    const m = this.nums.data;
    m[2 * r] = s.severity;
    m[2 * r + 1] = s.count;
    const i = this.ints.data;
    i[4 * r] = s.type;
    i[4 * r + 1] = s.account;
    i[4 * r + 2] = s.region;
    i[4 * r + 3] = (s.ai ? AI : 0) | (s.sample ? SAMPLE : 0) | (s.archived ? ARCHIVED : 0) | (s.isSequence ? SEQUENCE : 0);
    const n = s.subjects.length + s.actors.length + s.links.length;
    const k = this.keyAt.data;
    // A later occurrence usually names the same keys: rewrite in place when they fit.
    let start = fresh ? -1 : k[4 * r]!;
    const had = fresh ? 0 : k[4 * r + 1]! + k[4 * r + 2]! + k[4 * r + 3]!;
    if (start < 0 || n > had) {
      start = this.poolEnd;
      this.pool.ensure(this.poolEnd + n);
      this.poolEnd += n;
    }
    const pool = this.pool.data;
    for (let j = 0; j < s.subjects.length; j++) pool[start + j] = s.subjects[j]!;
    const at = start + s.subjects.length;
    for (let j = 0; j < s.actors.length; j++) pool[at + j] = s.actors[j]!;
    const linksAt = at + s.actors.length;
    for (let j = 0; j < s.links.length; j++) pool[linksAt + j] = this.linkIds.add(s.links[j]!);
    k[4 * r] = start;
    k[4 * r + 1] = s.subjects.length;
    k[4 * r + 2] = s.actors.length;
    k[4 * r + 3] = s.links.length;
  }

  // Column reads for filtering and ranking without building a summary object per row.
  severity(row: number): number {
    return this.nums.data[2 * row]!;
  }

  count(row: number): number {
    return this.nums.data[2 * row + 1]!;
  }

  updatedAt(row: number): number {
    return this.times.data[3 * row]!;
  }

  firstSeen(row: number): number {
    return this.times.data[3 * row + 1]!;
  }

  lastSeen(row: number): number {
    return this.times.data[3 * row + 2]!;
  }

  type(row: number): number {
    return this.ints.data[4 * row]!;
  }

  account(row: number): number {
    return this.ints.data[4 * row + 1]!;
  }

  region(row: number): number {
    return this.ints.data[4 * row + 2]!;
  }

  ai(row: number): boolean {
    return (this.ints.data[4 * row + 3]! & AI) !== 0;
  }

  sample(row: number): boolean {
    return (this.ints.data[4 * row + 3]! & SAMPLE) !== 0;
  }

  archived(row: number): boolean {
    return (this.ints.data[4 * row + 3]! & ARCHIVED) !== 0;
  }

  isSequence(row: number): boolean {
    return (this.ints.data[4 * row + 3]! & SEQUENCE) !== 0;
  }

  /**
   * Every row's keys side by side (subjects, then actors, then link numbers): read with `keyStart`, `subjectCount` and
   * `actorCount` where a view per row would be an allocation per row (ranking reads every row). Do not keep it across
   * `put`.
   */
  get keyPool(): Int32Array {
    return this.pool.data;
  }

  /** Where `row`'s keys start in `keyPool`. */
  keyStart(row: number): number {
    return this.keyAt.data[4 * row]!;
  }

  subjectCount(row: number): number {
    return this.keyAt.data[4 * row + 1]!;
  }

  actorCount(row: number): number {
    return this.keyAt.data[4 * row + 2]!;
  }

  linkCount(row: number): number {
    return this.keyAt.data[4 * row + 3]!;
  }

  /** The interned subject keys of `row` (a view: do not keep it across `put`). */
  subjectKeys(row: number): Int32Array {
    const k = this.keyAt.data;
    const start = k[4 * row]!;
    return this.pool.data.subarray(start, start + k[4 * row + 1]!);
  }

  /** The interned actor keys of `row` (a view: do not keep it across `put`). */
  actorKeys(row: number): Int32Array {
    const k = this.keyAt.data;
    const start = k[4 * row]! + k[4 * row + 1]!;
    return this.pool.data.subarray(start, start + k[4 * row + 2]!);
  }

  /** The interned subject and actor keys of `row` (a view: do not keep it across `put`). */
  keys(row: number): Int32Array {
    const k = this.keyAt.data;
    const start = k[4 * row]!;
    return this.pool.data.subarray(start, start + k[4 * row + 1]! + k[4 * row + 2]!);
  }

  /** The finding ids `row` is linked to by an attack sequence, in the order given (a new array). */
  linksOf(row: number): readonly string[] {
    const k = this.keyAt.data;
    const n = k[4 * row + 3]!;
    if (n === 0) return NO_LINKS;
    const at = k[4 * row]! + k[4 * row + 1]! + k[4 * row + 2]!;
    const out: string[] = [];
    for (let j = 0; j < n; j++) out.push(this.linkIds.value(this.pool.data[at + j]!));
    return out;
  }

  idOf(row: number): string {
    return this.ids.value(row);
  }

  /** The finding ids of two rows in code-unit order (as `<` compares their strings), without decoding them. */
  compareIds(a: number, b: number): number {
    return this.ids.compare(a, b);
  }

  /** The row of finding `id`, if stored. */
  rowOfId(id: string): number | undefined {
    const row = this.ids.find(id);
    return row < 0 ? undefined : row;
  }

  /** The summary stored in `row` (a new object: callers keep only what they need). */
  get(row: number): FindingSummary {
    const t = this.times.data;
    const m = this.nums.data;
    const i = this.ints.data;
    const k = this.keyAt.data;
    const start = k[4 * row]!;
    const subjects = k[4 * row + 1]!;
    const actors = k[4 * row + 2]!;
    const flags = i[4 * row + 3]!;
    return {
      id: this.ids.value(row),
      updatedAt: t[3 * row]!,
      firstSeen: t[3 * row + 1]!,
      lastSeen: t[3 * row + 2]!,
      severity: m[2 * row]!,
      count: m[2 * row + 1]!,
      type: i[4 * row]!,
      account: i[4 * row + 1]!,
      region: i[4 * row + 2]!,
      subjects: Array.from(this.pool.data.subarray(start, start + subjects)),
      actors: Array.from(this.pool.data.subarray(start + subjects, start + subjects + actors)),
      ai: (flags & AI) !== 0,
      sample: (flags & SAMPLE) !== 0,
      archived: (flags & ARCHIVED) !== 0,
      isSequence: (flags & SEQUENCE) !== 0,
      links: this.linksOf(row),
    };
  }
}
