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

  /**
   * Per key added from three parts whose first two hold no space (subject keys: `kind account id`), the numbers of
   * those two parts + 1 (0: none), so a subject is read back with one decoding (its id) instead of decoding the whole
   * key and splitting it. Recorded when the key is new only.
   */
  private parts = new Int32Array(2 * 512);

  /** The number of `value` (or of its parts joined by single spaces), added on first sight. */
  id(value: string, second?: string, third?: string): number {
    if (second !== undefined) {
      const before = this.keys.size;
      const e = this.keys.add(value, second, third);
      if (e === before && third !== undefined && !value.includes(' ') && !second.includes(' ')) this.noteParts(e, value, second);
      return e;
    }
    const known = this.recent.get(value);
    if (known !== undefined) return known;
    const id = this.keys.add(value);
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.set(value, id);
    return id;
  }

  private noteParts(e: number, first: string, second: string): void {
    const a = this.id(first);
    const b = this.id(second);
    if (2 * e + 2 > this.parts.length) {
      const next = new Int32Array(Math.max(2 * e + 2, Math.ceil(this.parts.length * 1.5)));
      next.set(this.parts);
      this.parts = next;
    }
    this.parts[2 * e] = a + 1;
    this.parts[2 * e + 1] = b + 1;
  }

  /**
   * For a key of three parts whose first two hold no space, the number of its first part (`value(firstPart(id))` is
   * the text before the key's first space); else -1.
   */
  firstPart(id: number): number {
    return 2 * id + 1 < this.parts.length ? this.parts[2 * id]! - 1 : -1;
  }

  /** The second part's number of a key `firstPart` knows, else -1. */
  secondPart(id: number): number {
    return 2 * id + 1 < this.parts.length ? this.parts[2 * id + 1]! - 1 : -1;
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
