import { describe, expect, it } from 'vitest';
import { summarizeInput } from '../../../src/aws/call-recorder.js';

describe('summarizeInput', () => {
  it('redacts secrets, summarizes bytes and streams, keeps the rest', () => {
    const input = {
      GroupId: 'sg-1',
      Tags: [{ Key: 'tourniquet:case', Value: 'inc-1' }],
      Body: new Uint8Array(1234),
      Stream: { pipe: () => undefined },
      SecretAccessKey: 'abc',
      Password: 'p',
      Environment: { Variables: { API_KEY: 'k' } },
      When: new Date('2026-11-28T10:00:00Z'),
      Skip: undefined,
    };
    expect(summarizeInput(input)).toEqual({
      GroupId: 'sg-1',
      Tags: [{ Key: 'tourniquet:case', Value: 'inc-1' }],
      Body: { $bytes: 1234 },
      Stream: '[stream]',
      SecretAccessKey: '[redacted]',
      Password: '[redacted]',
      Environment: { Variables: '[redacted]' },
      When: '2026-11-28T10:00:00.000Z',
    });
  });

  it('keeps attacker-chosen keys as data and bounds size', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const out = summarizeInput({ Metadata: hostile }) as { Metadata: object };
    expect(Object.getOwnPropertyNames(out.Metadata)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((summarizeInput('x'.repeat(20_000)) as string).length).toBeLessThan(10_100);
  });
});
