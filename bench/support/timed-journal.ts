/**
 * Benchmark support: the journal with every method call timed — how many calls, their summed time and the time
 * during which at least one was in flight (the run's wall time spent with the journal busy). The journal of the
 * benchmark is the embedded one (dynalite in a worker thread of this process): its CPU is this process's, not the AWS
 * emulator's.
 */
import type { Journal } from '../../src/journal/journal.js';

export interface JournalTiming {
  calls: number;
  summedMs: number;
  busyMs: number;
  readonly byMethod: Map<string, { calls: number; summedMs: number }>;
}

export function timeJournal(journal: Journal): { journal: Journal; timing: JournalTiming } {
  const timing: JournalTiming = { calls: 0, summedMs: 0, busyMs: 0, byMethod: new Map() };
  let inFlight = 0;
  let busySince = 0;
  const timed = new Proxy(journal, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'close') return value;
      return (...args: unknown[]): unknown => {
        const start = performance.now();
        if (inFlight++ === 0) busySince = start;
        const finish = (): void => {
          const end = performance.now();
          if (--inFlight === 0) timing.busyMs += end - busySince;
          timing.calls++;
          timing.summedMs += end - start;
          const m = timing.byMethod.get(prop) ?? { calls: 0, summedMs: 0 };
          m.calls++;
          m.summedMs += end - start;
          timing.byMethod.set(prop, m);
        };
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          finish();
          throw err;
        }
        if (result instanceof Promise) return result.finally(finish);
        finish();
        return result;
      };
    },
  });
  return { journal: timed, timing };
}
