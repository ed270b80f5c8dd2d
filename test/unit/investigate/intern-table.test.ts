import { describe, expect, it } from 'vitest';
import { InternTable } from '../../../src/investigate/intern-table.js';

describe('InternTable', () => {
  it('gives a string the same number every time, whether remembered in front of the table or not (past the front limit)', () => {
    const t = new InternTable();
    const first = new Map<string, number>();
    // 1,000 distinct strings, each looked up three times in different orders: the front map is cleared along the way.
    const values = Array.from({ length: 1000 }, (_, i) => `value-${i}`);
    for (const v of values) first.set(v, t.id(v));
    expect(new Set(first.values()).size).toBe(1000);
    for (const v of [...values].reverse()) expect(t.id(v)).toBe(first.get(v));
    for (let i = 0; i < values.length; i += 7) expect(t.id(values[i]!)).toBe(first.get(values[i]!));
    for (const [v, id] of first) expect(t.value(id)).toBe(v);
  });

  it('a key given in parts and the same key as one string are one number, in either order of first sight', () => {
    const t = new InternTable();
    const joined = t.id('ip 198.51.100.7');
    expect(t.id('ip', '198.51.100.7')).toBe(joined);
    const parts = t.id('principal', '111122223333', 'AIDAEXAMPLE');
    expect(t.id('principal 111122223333 AIDAEXAMPLE')).toBe(parts);
    expect(t.id('principal 111122223333 AIDAEXAMPLE')).toBe(parts);
  });

  it('knows the first two parts of a subject key by their own numbers, unless a part holds a space', () => {
    const t = new InternTable();
    const key = t.id('ec2-instance', '111122223333', 'i-0abc');
    expect(t.value(t.firstPart(key))).toBe('ec2-instance');
    expect(t.value(t.secondPart(key))).toBe('111122223333');
    expect(t.valueFrom(key, 'ec2-instance'.length + '111122223333'.length + 2)).toBe('i-0abc');
    // An account with a space: the key is split at its first two spaces when read back, not by its parts.
    const odd = t.id('s3-bucket', '1111 2222', 'b');
    expect(t.firstPart(odd)).toBe(-1);
    // A key first seen whole (or in two parts) has no parts recorded, and the same number from three parts.
    const whole = t.id('iam-user 111122223333 alice');
    expect(t.id('iam-user', '111122223333', 'alice')).toBe(whole);
    expect(t.firstPart(whole)).toBe(-1);
  });
});
