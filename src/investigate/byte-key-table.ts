/**
 * A set of strings numbered 0, 1, 2 … in the order first added, stored as bytes in typed arrays (one byte a character
 * when every character is below 256, two otherwise) behind an open-addressing hash table. Triage keeps hundreds of
 * thousands of distinct finding ids and subject keys: as JavaScript strings in a `Map` each costs 100–150 bytes of
 * heap (the string, its flattened copy, the map's entry) that the garbage collector walks and lets the heap grow past;
 * here a key of 40 characters costs about 60 bytes outside the JavaScript heap.
 *
 * A key may be given in parts, joined by single spaces (`kind account id`): the parts are hashed and compared where
 * they are, so no joined string is built for a lookup (on a hit, none is built at all).
 */

const SPACE = 32;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
/** Typed arrays grow by half, not double: the peak (old and new array at once) stays near the live size. */
const GROWTH = 1.5;

const MAX_BYTES = 0x7fffffff;

function grownLength(current: number, needed: number): number {
  return Math.min(Math.max(needed, Math.ceil(current * GROWTH)), MAX_BYTES);
}

function hashPart(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function widest(s: string, max: number): number {
  for (let i = 0; i < s.length && max < 256; i++) if (s.charCodeAt(i) > max) max = s.charCodeAt(i);
  return max;
}

export class ByteKeyTable {
  private bytes = new Uint8Array(1 << 14);
  /** The same memory as `bytes`, for decoding. */
  private view = Buffer.from(this.bytes.buffer);
  private end = 0;
  /** Per key, side by side (one cache line for both): its first byte, its length in UTF-16 code units (negative when stored two bytes a unit). */
  private meta = new Int32Array(512);
  /**
   * Open addressing, linear probing, kept at most half full: per slot the key's hash and its number + 1 (0: empty),
   * side by side, so a probe reads one place; the hash rules out almost every other key before its bytes are read.
   */
  private slots = new Int32Array(2 * 512);
  private count = 0;

  /** The number of keys. */
  get size(): number {
    return this.count;
  }

  /** The number of the key `a` (or `a b`, `a b c` when parts are given), or -1 when it is not in the table. */
  find(a: string, b?: string, c?: string): number {
    const h = this.hash(a, b, c);
    const units = a.length + (b === undefined ? 0 : b.length + 1) + (c === undefined ? 0 : c.length + 1);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1]! - 1;
      if (e < 0) return -1;
      if (slots[2 * s] === h && this.equals(e, units, a, b, c)) return e;
    }
  }

  /** The number of the key, added when new (a new key's number is the size before it was added). */
  add(a: string, b?: string, c?: string): number {
    const h = this.hash(a, b, c);
    const units = a.length + (b === undefined ? 0 : b.length + 1) + (c === undefined ? 0 : c.length + 1);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let s = h & mask;
    for (; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1]! - 1;
      if (e < 0) break;
      if (slots[2 * s] === h && this.equals(e, units, a, b, c)) return e;
    }
    const e = this.count;
    this.store(e, units, a, b, c);
    slots[2 * s] = h;
    slots[2 * s + 1] = e + 1;
    this.count++;
    if (this.count * 4 > slots.length) this.rehash();
    return e;
  }

  /** Key `e` as a string (parts joined by spaces), from its UTF-16 unit `from` on (a new string, not a slice). */
  value(e: number, from = 0): string {
    if (!(e >= 0 && e < this.count)) throw new RangeError(`no key ${e}`);
    const start = this.meta[2 * e]!;
    const n = this.meta[2 * e + 1]!;
    const units = n < 0 ? -n : n;
    const skip = Math.min(Math.max(0, from), units);
    return n >= 0 ? this.view.toString('latin1', start + skip, start + n) : this.view.toString('utf16le', start + 2 * skip, start - 2 * n);
  }

  /**
   * Keys `a` and `b` in UTF-16 code-unit order (what `<` on their strings gives), read from the bytes: ranking
   * compares finding ids without decoding them.
   */
  compare(a: number, b: number): number {
    const meta = this.meta;
    const na = meta[2 * a + 1]!;
    const nb = meta[2 * b + 1]!;
    const ua = na < 0 ? -na : na;
    const ub = nb < 0 ? -nb : nb;
    const sa = meta[2 * a]!;
    const sb = meta[2 * b]!;
    const wa = na < 0;
    const wb = nb < 0;
    const n = Math.min(ua, ub);
    for (let i = 0; i < n; i++) {
      const x = this.unitAt(wa ? sa + 2 * i : sa + i, wa);
      const y = this.unitAt(wb ? sb + 2 * i : sb + i, wb);
      if (x !== y) return x < y ? -1 : 1;
    }
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  }

  private hash(a: string, b: string | undefined, c: string | undefined): number {
    let h = hashPart(FNV_OFFSET, a);
    if (b !== undefined) h = hashPart(Math.imul(h ^ SPACE, FNV_PRIME), b);
    if (c !== undefined) h = hashPart(Math.imul(h ^ SPACE, FNV_PRIME), c);
    return h;
  }

  private equals(e: number, units: number, a: string, b: string | undefined, c: string | undefined): boolean {
    const n = this.meta[2 * e + 1]!;
    if ((n < 0 ? -n : n) !== units) return false;
    const wide = n < 0;
    let at = this.partEquals(this.meta[2 * e]!, wide, a);
    if (at < 0) return false;
    if (b !== undefined) {
      if (this.unitAt(at, wide) !== SPACE) return false;
      at = this.partEquals(at + (wide ? 2 : 1), wide, b);
      if (at < 0) return false;
    }
    if (c !== undefined) {
      if (this.unitAt(at, wide) !== SPACE) return false;
      at = this.partEquals(at + (wide ? 2 : 1), wide, c);
      if (at < 0) return false;
    }
    return true;
  }

  private unitAt(at: number, wide: boolean): number {
    return wide ? this.bytes[at]! | (this.bytes[at + 1]! << 8) : this.bytes[at]!;
  }

  /** The byte after `s` when the bytes at `at` spell `s`, else -1. */
  private partEquals(at: number, wide: boolean, s: string): number {
    const bytes = this.bytes;
    if (!wide) {
      for (let i = 0; i < s.length; i++) if (bytes[at + i] !== s.charCodeAt(i)) return -1;
      return at + s.length;
    }
    for (let i = 0; i < s.length; i++) if ((bytes[at + 2 * i]! | (bytes[at + 2 * i + 1]! << 8)) !== s.charCodeAt(i)) return -1;
    return at + 2 * s.length;
  }

  private store(e: number, units: number, a: string, b: string | undefined, c: string | undefined): void {
    let max = widest(a, 0);
    if (b !== undefined) max = widest(b, max);
    if (c !== undefined) max = widest(c, max);
    const wide = max > 255;
    const size = wide ? 2 * units : units;
    // Offsets are 32-bit: fail loudly rather than wrap (2 GiB of distinct keys; a Map stops at 16.7 million keys).
    if (this.end + size > MAX_BYTES) throw new RangeError(`more than ${MAX_BYTES} bytes of distinct keys`);
    if (this.end + size > this.bytes.length) {
      const next = new Uint8Array(grownLength(this.bytes.length, this.end + size));
      next.set(this.bytes.subarray(0, this.end));
      this.bytes = next;
      this.view = Buffer.from(next.buffer);
    }
    if (2 * e + 2 > this.meta.length) {
      const next = new Int32Array(2 * grownLength(this.meta.length >> 1, e + 1));
      next.set(this.meta);
      this.meta = next;
    }
    this.meta[2 * e] = this.end;
    this.meta[2 * e + 1] = wide ? -units : units;
    let at = this.writePart(this.end, wide, a);
    if (b !== undefined) at = this.writePart(this.writeUnit(at, wide, SPACE), wide, b);
    if (c !== undefined) at = this.writePart(this.writeUnit(at, wide, SPACE), wide, c);
    this.end = at;
  }

  private writeUnit(at: number, wide: boolean, unit: number): number {
    this.bytes[at] = unit & 0xff;
    if (!wide) return at + 1;
    this.bytes[at + 1] = unit >>> 8;
    return at + 2;
  }

  private writePart(at: number, wide: boolean, s: string): number {
    const bytes = this.bytes;
    if (!wide) {
      for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
      return at + s.length;
    }
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      bytes[at + 2 * i] = u & 0xff;
      bytes[at + 2 * i + 1] = u >>> 8;
    }
    return at + 2 * s.length;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let o = 0; o < old.length; o += 2) {
      if (old[o + 1] === 0) continue;
      let s = old[o]! & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = old[o]!;
      slots[2 * s + 1] = old[o + 1]!;
    }
    this.slots = slots;
  }
}
