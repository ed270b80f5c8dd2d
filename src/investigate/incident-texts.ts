/**
 * The strings of one triage result, decoded from the intern table (which keeps them as bytes) and shared across its
 * incidents: types, accounts and Regions (a handful of distinct values for tens of thousands of incidents), their
 * one-value lists, subject kinds and accounts. Methods, not closures made per incident: under tsx (the CLI) each
 * closure made is also named at run time.
 */
import type { InternTable } from './intern-table.js';
import type { TriageSubject } from './triage.js';

/** The shared empty list (frozen: every list of a result is read-only). */
export const NONE: readonly string[] = Object.freeze([]);

export class IncidentTexts {
  private readonly byId = new Map<number, string>();
  private readonly lists = new Map<number, readonly string[]>();
  private readonly parts = new Map<string, string>();

  constructor(private readonly table: InternTable) {}

  /** A decoded value shared by every incident that names it. */
  shared(id: number): string {
    let t = this.byId.get(id);
    if (t === undefined) {
      t = this.table.value(id);
      this.byId.set(id, t);
    }
    return t;
  }

  /** The one-value list of `id`, shared (frozen). */
  one(id: number): readonly string[] {
    let list = this.lists.get(id);
    if (list === undefined) {
      list = Object.freeze([this.shared(id)]);
      this.lists.set(id, list);
    }
    return list;
  }

  /** The shared values of `ids`, in their order; a one-value list shared. */
  listOf(ids: ReadonlySet<number>): readonly string[] {
    const out: string[] = [];
    for (const id of ids) out.push(this.shared(id));
    return out.length === 1 ? this.one(ids.values().next().value!) : out;
  }

  /** The decoded values of `ids` (actor keys), or the shared empty list. */
  values(ids: Iterable<number>): readonly string[] {
    const out: string[] = [];
    for (const id of ids) out.push(this.table.value(id));
    return out.length === 0 ? NONE : out;
  }

  /** `values` of `pool[start]` … `pool[start + n - 1]`. */
  valuesAt(pool: Int32Array, start: number, n: number): readonly string[] {
    if (n === 0) return NONE;
    const out: string[] = [];
    for (let k = start; k < start + n; k++) out.push(this.table.value(pool[k]!));
    return out;
  }

  /** `subjects` of `pool[start]` … `pool[start + n - 1]`. */
  subjectsAt(pool: Int32Array, start: number, n: number): TriageSubject[] {
    const out: TriageSubject[] = [];
    for (let k = start; k < start + n; k++) out.push(this.subject(pool[k]!));
    return out;
  }

  /** Subject keys (`kind account id`) as subjects. */
  subjects(keys: Iterable<number>): TriageSubject[] {
    const out: TriageSubject[] = [];
    for (const key of keys) out.push(this.subject(key));
    return out;
  }

  private subject(key: number): TriageSubject {
    // The kind and account by their own numbers (a handful of values), the id decoded on its own: one decoding.
    const kindId = this.table.firstPart(key);
    if (kindId >= 0) {
      const kind = this.shared(kindId);
      const accountId = this.shared(this.table.secondPart(key));
      return { kind, accountId, id: this.table.valueFrom(key, kind.length + accountId.length + 2) };
    }
    const value = this.table.value(key);
    const a = value.indexOf(' ');
    const b = a < 0 ? -1 : value.indexOf(' ', a + 1);
    if (a < 0) return { kind: this.part(value), accountId: '', id: '' };
    if (b < 0) return { kind: this.part(value.slice(0, a)), accountId: this.part(value.slice(a + 1)), id: '' };
    // The id decoded on its own: a slice of `value` would keep the whole key alive with the result.
    return { kind: this.part(value.slice(0, a)), accountId: this.part(value.slice(a + 1, b)), id: this.table.valueFrom(key, b + 1) };
  }

  private part(t: string): string {
    const known = this.parts.get(t);
    if (known !== undefined) return known;
    this.parts.set(t, t);
    return t;
  }
}
