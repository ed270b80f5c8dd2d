/**
 * Strings seen many times across an export (types, accounts, Regions, subject and actor keys) stored once: a
 * summary holds small numbers instead of strings, so triage memory grows with the number of distinct findings, not
 * with the size of the export or of its records. The strings are kept as bytes (byte-key-table.ts), outside the
 * JavaScript heap; a key made of parts (`kind account id`) is looked up from its parts, without joining them.
 */
import { ByteKeyTable } from './byte-key-table.js';

/** Single strings remembered in front of the table; cleared when full, so it holds at most this many strings. */
const RECENT_LIMIT = 256;

export class InternTable {
  private readonly keys = new ByteKeyTable();
  /**
   * The last few single strings looked up (finding types, accounts, Regions: a handful of values on every line of an
   * export), found by the engine's own string hash instead of hashing and comparing their characters in JavaScript.
   * Bounded: a key looked up from parts, or any key once this is full, goes to the table as before.
   */
  private readonly recent = new Map<string, number>();

  /** The number of `value` (or of its parts joined by single spaces), added on first sight. */
  id(value: string, second?: string, third?: string): number {
    if (second !== undefined) return this.keys.add(value, second, third);
    const known = this.recent.get(value);
    if (known !== undefined) return known;
    const id = this.keys.add(value);
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.set(value, id);
    return id;
  }

  value(id: number): string {
    if (!(id >= 0 && id < this.keys.size)) throw new RangeError(`no interned string ${id}`);
    return this.keys.value(id);
  }

  /** `value(id).slice(from)`, decoded on its own (not a slice that keeps the whole value alive). */
  valueFrom(id: number, from: number): string {
    if (!(id >= 0 && id < this.keys.size)) throw new RangeError(`no interned string ${id}`);
    return this.keys.value(id, from);
  }
}
