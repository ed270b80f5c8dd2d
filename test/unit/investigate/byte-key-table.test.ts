import { describe, expect, it } from 'vitest';
import { ByteKeyTable } from '../../../src/investigate/byte-key-table.js';

describe('ByteKeyTable', () => {
  it('numbers keys in the order first added, and a key given in parts is the same key as its parts joined by spaces', () => {
    const t = new ByteKeyTable();
    expect(t.add('ec2-instance', '111122223333', 'i-0abc')).toBe(0);
    expect(t.add('ip 198.51.100.7')).toBe(1);
    expect(t.add('ec2-instance 111122223333 i-0abc')).toBe(0);
    expect(t.add('ip', '198.51.100.7')).toBe(1);
    expect(t.find('ec2-instance 111122223333', 'i-0abc')).toBe(0);
    expect(t.size).toBe(2);
    expect(t.value(0)).toBe('ec2-instance 111122223333 i-0abc');
    expect(t.value(1)).toBe('ip 198.51.100.7');
    // From a unit on (an id after its kind and account), for narrow and wide keys alike.
    expect(t.value(0, 26)).toBe('i-0abc');
    expect(t.value(t.add('s3-bucket', '111122223333', 'データ'), 23)).toBe('データ');
    expect(t.value(0, 99)).toBe('');
  });

  it('tells apart keys that differ only in where the spaces fall, or by a prefix', () => {
    const t = new ByteKeyTable();
    const a = t.add('a b', 'c');
    const b = t.add('a', 'b c');
    expect(b).toBe(a);
    expect(t.add('a', 'bc')).not.toBe(a);
    expect(t.add('a b c d')).not.toBe(a);
    expect(t.add('a b')).not.toBe(a);
    expect(t.find('a', 'b', 'd')).toBe(-1);
    expect(t.find('')).toBe(-1);
    expect(t.add('')).toBe(t.size - 1);
    expect(t.value(t.find(''))).toBe('');
  });

  it('keeps characters above 255 and lone surrogates exactly', () => {
    const t = new ByteKeyTable();
    const keys = ['café', 'データ', 'emoji 🚀 key', 'lone \ud800 surrogate', 'ÿ', 'Āb'];
    const ids = keys.map((k) => t.add(k));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
    keys.forEach((k, i) => {
      expect(t.value(i)).toBe(k);
      expect(t.find(k)).toBe(i);
    });
    // A wide key and a narrow key of the same length are different keys.
    expect(t.find('Ā')).toBe(-1);
    expect(t.add('s3-bucket', '111122223333', 'données-µ')).toBe(6);
    expect(t.find('s3-bucket 111122223333 données-µ')).toBe(6);
  });

  it('holds 100,000 keys through its growth and gives each back', () => {
    const t = new ByteKeyTable();
    const misnumbered: number[] = [];
    for (let i = 0; i < 100_000; i++) if (t.add('k', String(i), i % 7 === 0 ? `é${i}` : `x${i}`) !== i) misnumbered.push(i);
    expect(misnumbered).toEqual([]);
    expect(t.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) {
      const key = `k ${i} ${i % 7 === 0 ? `é${i}` : `x${i}`}`;
      expect(t.value(i)).toBe(key);
      expect(t.find(key)).toBe(i);
    }
    expect(t.find('k 100000 x100000')).toBe(-1);
  });

  it('compares keys from their bytes in the order < gives their strings, narrow and wide alike', () => {
    const t = new ByteKeyTable();
    const keys = ['abc', 'abd', 'ab', '', 'abc\u00ff', 'abc\u0100', 'データ', 'デ', 'Z', 'a b', 'a\ud800', 'a\uffff', 'ab\u00e9'];
    for (const k of keys) t.add(k);
    for (let a = 0; a < keys.length; a++) {
      for (let b = 0; b < keys.length; b++) {
        const expected = keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0;
        expect(t.compare(a, b), `${JSON.stringify(keys[a])} vs ${JSON.stringify(keys[b])}`).toBe(expected);
      }
    }
  });

  it('refuses a number it never gave', () => {
    const t = new ByteKeyTable();
    t.add('a');
    expect(() => t.value(1)).toThrow(RangeError);
    expect(() => t.value(-1)).toThrow(RangeError);
  });
});
