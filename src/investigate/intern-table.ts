/**
 * Strings seen many times across an export (types, accounts, Regions, subject and actor keys) stored once: a
 * summary holds small numbers instead of strings, so triage memory grows with the number of distinct findings, not
 * with the size of the export or of its records. The strings are kept as bytes (byte-key-table.ts), outside the
 * JavaScript heap; a key made of parts (`kind account id`) is looked up from its parts, without joining them.
 */
import { ByteKeyTable } from './byte-key-table.js';

export class InternTable {
  private readonly keys = new ByteKeyTable();

  /** The number of `value` (or of its parts joined by single spaces), added on first sight. */
  id(value: string, second?: string, third?: string): number {
    return this.keys.add(value, second, third);
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
