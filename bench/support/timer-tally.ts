/**
 * Benchmark support (a diagnostic): every setTimeout of at least `minMs` made while it is on, tallied by the first
 * stack frame in the project's own code (src/, bench/) — where a run's code chose to wait (backoff, polling, rate
 * limiting). Summed delays overlap across concurrent work: they say who waits, not how much wall time it cost.
 */
export interface TimerSite {
  count: number;
  summedMs: number;
}

export class TimerTally {
  readonly sites = new Map<string, TimerSite>();
  private original: typeof setTimeout | undefined;

  constructor(private readonly minMs = 20) {}

  start(): void {
    const original = (this.original = globalThis.setTimeout);
    const sites = this.sites;
    const minMs = this.minMs;
    const tallied = ((handler: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      if (typeof ms === 'number' && ms >= minMs) {
        // The first frame in the project's own code: who chose to wait (an SDK's socket timeout is not a wait).
        const frame = (new Error().stack ?? '').split('\n').slice(2).find((l) => /\/(src|bench)\//.test(l) && !l.includes('node_modules') && !l.includes('timer-tally'));
        if (frame === undefined) return original(handler, ms, ...rest);
        const site = frame.trim().replace(/^at /, '').replace(/\(?file:\/\/.*\/(src|bench|node_modules)\//, '$1/').replace(/\)$/, '');
        const s = sites.get(site) ?? { count: 0, summedMs: 0 };
        s.count++;
        s.summedMs += ms;
        sites.set(site, s);
      }
      return original(handler, ms, ...rest);
    }) as typeof setTimeout;
    globalThis.setTimeout = tallied;
  }

  stop(): void {
    if (this.original !== undefined) globalThis.setTimeout = this.original;
    this.original = undefined;
  }

  top(n: number): Array<[string, TimerSite]> {
    return [...this.sites].sort((a, b) => b[1].summedMs - a[1].summedMs).slice(0, n);
  }
}
