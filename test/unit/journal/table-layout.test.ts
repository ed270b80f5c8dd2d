import { describe, expect, it } from 'vitest';
import { hourBucket, keyPart, keys, minuteBucket, newIncidentId, tableDefinition } from '../../../src/journal/table-layout.js';

describe('journal table layout', () => {
  it('keeps short key parts and hashes long ones', () => {
    expect(keyPart('123456789012#us-east-1#ec2-instance#i-0abc')).toBe('123456789012#us-east-1#ec2-instance#i-0abc');
    const long = `arn:aws:s3:::${'b'.repeat(1000)}`;
    const hashed = keyPart(long);
    expect(hashed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyPart(long)).toBe(hashed);
    expect(keyPart(`${long}x`)).not.toBe(hashed);
  });

  it('builds keys that stay within DynamoDB limits for attacker-sized ids', () => {
    const k = keys.openPointer('x'.repeat(5000));
    expect(Buffer.byteLength(k.pk)).toBeLessThan(2048);
    const s = keys.step('inc-1', 'y'.repeat(5000));
    expect(Buffer.byteLength(s.sk)).toBeLessThan(1024);
  });

  it('buckets time in UTC hours and minutes', () => {
    const t = new Date('2026-11-28T23:59:59.999Z');
    expect(hourBucket(t)).toBe('2026-11-28T23');
    expect(minuteBucket(t)).toBe('2026-11-28T23:59');
    expect(keys.budget('123456789012', t)).toEqual({ pk: 'BUDGET#123456789012', sk: '2026-11-28T23' });
  });

  it('makes distinct, dated incident ids', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const ids = new Set(Array.from({ length: 200 }, () => newIncidentId(now)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^inc-20261128-[0-9a-f]{12}$/);
  });

  it('defines the table with the listing index, on demand', () => {
    const def = tableDefinition('t');
    expect(def.BillingMode).toBe('PAY_PER_REQUEST');
    expect(def.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(def.GlobalSecondaryIndexes?.[0]).toMatchObject({ IndexName: 'gsi1', Projection: { ProjectionType: 'ALL' } });
  });
});
