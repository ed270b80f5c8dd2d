/**
 * Benchmark support: a fixed latency added to every AWS call at the SDK level, and a record of when each call was
 * really on the wire. The middleware sits at `finalizeRequest`, priority low: after the call recorder (`initialize`)
 * and the engine's rate limiter (just before signing), so a recorded interval is one round trip: the added latency plus the
 * emulator's own time. With `sequential` a process-wide mutex lets only one call be in flight at a time — the same
 * plan run strictly one call after another, the baseline of `speedupVsSequential`.
 */
import type { AwsClientLookup, AwsClients, SdkClient } from '../../src/aws/clients.js';

export interface WireCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** performance.now() when the call went out (after any mutex wait) and when its response was back. */
  readonly start: number;
  readonly end: number;
}

export interface LatencyOptions {
  /** Added before each request is sent (0: none). */
  readonly latencyMs: number;
  /** One call in flight at a time, process-wide. */
  readonly sequential: boolean;
}

type Handler = (args: { input: object }) => Promise<unknown>;
interface MiddlewareClient {
  middlewareStack: {
    add(mw: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

export class SdkLatency {
  readonly calls: WireCall[] = [];
  private mutex: Promise<void> = Promise.resolve();
  private readonly attached = new WeakSet<object>();

  constructor(private readonly options: LatencyOptions) {}

  /** AwsClients whose every client (any class, any Region) goes through the latency middleware. */
  wrap(clients: AwsClients): AwsClients {
    const wrapLookup = (lookup: AwsClientLookup): AwsClientLookup => (ClientClass) => this.attach(lookup(ClientClass));
    const { inRegion } = clients;
    return { ...clients, aws: wrapLookup(clients.aws), ...(inRegion !== undefined ? { inRegion: (r: string) => wrapLookup(inRegion(r)) } : {}) };
  }

  private attach<C extends SdkClient>(client: C): C {
    if (this.attached.has(client)) return client;
    this.attached.add(client);
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        const release = this.options.sequential ? await this.lock() : () => undefined;
        const start = performance.now();
        try {
          if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
          return await next(args);
        } finally {
          this.calls.push({
            operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
            input: args.input as Record<string, unknown>,
            start,
            end: performance.now(),
          });
          release();
        }
      },
      { step: 'finalizeRequest', name: 'benchSdkLatency', priority: 'low', override: true },
    );
    return client;
  }

  private async lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const before = this.mutex;
    this.mutex = before.then(() => held);
    await before;
    return release;
  }
}

/**
 * Sequential round trips among `calls` up to time `until`: the longest chain of calls that do not overlap in time
 * (each starts after the previous one ended) — the most calls one after another on the way, found greedily by
 * earliest end.
 */
export function sequentialRoundTrips(calls: readonly WireCall[], until: number): number {
  const done = calls.filter((c) => c.end <= until).sort((a, b) => a.end - b.end);
  let count = 0;
  let lastEnd = -Infinity;
  for (const c of done) {
    if (c.start >= lastEnd) {
      count++;
      lastEnd = c.end;
    }
  }
  return count;
}
