import { describe, expect, it } from 'vitest';
import { replayCalls } from '../../../bench/support/emulator-replay.js';
import type { LoggedCall } from '../../../bench/support/sdk-call-log.js';

/** A client that answers each command after the delay its input names, and logs when each went out and came back. */
const events: string[] = [];
class FakeClient {
  constructor(readonly config: object) {}
  readonly middlewareStack = { add: () => undefined };
  async send(command: { input: { id: string; ms: number } }): Promise<unknown> {
    events.push(`start ${command.input.id}`);
    await new Promise((r) => setTimeout(r, command.input.ms));
    events.push(`end ${command.input.id}`);
    return {};
  }
  destroy(): void {}
}
class FakeCommand {
  constructor(readonly input: object) {}
}

function call(group: number, id: string, start: number, end: number, ms: number): LoggedCall {
  return { group, service: 'Fake', region: 'us-east-1', operation: 'Fake', Client: FakeClient, Command: FakeCommand, input: { id, ms }, start, end };
}

describe('replayCalls (bench:burst emulator floor)', () => {
  it('keeps a group chained where the engine chained it, parallel where it overlapped, all groups at once within the peak in flight', async () => {
    events.length = 0;
    const log = [
      // Group 0: a and b overlapped in the engine's run; c went out after both had answered.
      call(0, 'a', 0, 10, 30),
      call(0, 'b', 1, 12, 5),
      call(0, 'c', 20, 30, 5),
      // Group 1 went out late in the engine's run: the replay starts it with the others.
      call(1, 'z', 500, 510, 5),
    ];
    const result = await replayCalls(log, { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    expect(result.calls).toBe(4);
    expect(result.errors.size).toBe(0);
    // The engine's run had 2 calls in flight at most (a and b): the replay too. a and b start first; z waits for a
    // slot (b's, the quick one), c only for a (the slow one) and b.
    expect(events.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    expect(events.indexOf('start z')).toBeLessThan(events.indexOf('end a'));
    expect(events.indexOf('start c')).toBeGreaterThan(events.indexOf('end a'));
    expect(events.indexOf('start c')).toBeGreaterThan(events.indexOf('end b'));
  });

  it('counts the errors the emulator answers with, by name', async () => {
    class Failing extends FakeClient {
      override async send(): Promise<unknown> {
        throw Object.assign(new Error('dup'), { name: 'InvalidGroup.Duplicate' });
      }
    }
    const log = [{ ...call(0, 'a', 0, 1, 0), Client: Failing }, { ...call(0, 'b', 2, 3, 0), Client: Failing }];
    const result = await replayCalls(log, { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    expect([...result.errors]).toEqual([['InvalidGroup.Duplicate', 2]]);
  });
});

describe('peakInFlight', () => {
  it('is the most calls the engine had on the wire at once (a call ending as another starts does not overlap it)', async () => {
    const { peakInFlight } = await import('../../../bench/support/emulator-replay.js');
    expect(peakInFlight([call(0, 'a', 0, 10, 0), call(0, 'b', 5, 20, 0), call(1, 'c', 6, 8, 0), call(1, 'd', 10, 12, 0)])).toBe(3);
    expect(peakInFlight([call(0, 'a', 0, 10, 0), call(0, 'b', 10, 20, 0)])).toBe(1);
  });
});
