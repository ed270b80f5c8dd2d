/**
 * Strings seen many times across an export (types, accounts, Regions, subject and actor keys) stored once: a
 * summary holds small numbers instead of strings, so triage memory grows with the number of distinct findings, not
 * with the size of the export or of its records.
 */
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

  value(id: number): string {
    const v = this.values[id];
    if (v === undefined) throw new RangeError(`no interned string ${id}`);
    return v;
  }
}
