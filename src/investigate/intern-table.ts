/**
 * Strings seen many times across an export (types, accounts, Regions, subject and actor keys) stored once: a
 * summary holds small numbers instead of strings, so triage memory grows with the number of distinct findings, not
 * with the size of the export or of its records.
 */
import { subjectKey } from './finding-summary.js';

export class InternTable {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [];

  /** The number of `value`, added on first sight. */
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** Joined keys by their last part (several when the leading parts differ), with those parts. */
  private readonly byLast = new Map<string, Array<{ readonly first: string; readonly middle: string | undefined; readonly id: number }>>();

  /**
   * The number of the key `first middle last` (`first last` without a middle): subject keys (`kind account id`) and
   * actor keys (`access-key AKIA…`, `principal account name`, `ip address`). Looked up by the last part, so the joined
   * string is built only the first time: a concatenated key would be built, flattened and hashed for every key of
   * every line of an export.
   */
  joined(first: string, middle: string | undefined, last: string): number {
    let entries = this.byLast.get(last);
    if (entries !== undefined) {
      for (const e of entries) if (e.first === first && e.middle === middle) return e.id;
    } else {
      entries = [];
      this.byLast.set(last, entries);
    }
    const id = this.id(middle === undefined ? `${first} ${last}` : subjectKey(first, middle, last));
    const entry = { first, middle, id, last };
    entries.push(entry);
    this.partsById[id] ??= entry;
    return id;
  }

  /** The parts `joined` was given for key `id` (first given, if several spell the same key); undefined for others. */
  parts(id: number): { readonly first: string; readonly middle: string | undefined; readonly last: string } | undefined {
    return this.partsById[id];
  }

  private readonly partsById: Array<{ readonly first: string; readonly middle: string | undefined; readonly last: string } | undefined> = [];

  value(id: number): string {
    const v = this.values[id];
    if (v === undefined) throw new RangeError(`no interned string ${id}`);
    return v;
  }
}
