/**
 * Benchmark support: AWS answers without an emulator. Issue 12 asks for the latency runs of `bench:contain` with "no
 * emulator, so the count of sequential round trips is what is measured": against moto, every call also waits for
 * moto's own time (one Python process; on 2 shared cores its answers are serialized), which is neither the engine's
 * nor AWS's. So a run against moto records every call's answer (`record`), and the latency runs of the same finding
 * are served those answers at the SDK level (`replay`), each after the fixed latency, without touching the network.
 *
 * An answer is looked up by operation and input. A read asked several times in a run (the instance before and after a
 * change) gets the answer recorded after as many changes as the replay has made so far — the same state the engine
 * saw in the recorded run — so a read-back sees the change it checks. A call never recorded fails loudly
 * (`ReplayMissError`): a replay that silently answered something else would measure another plan.
 *
 * The middleware sits where `SdkLatency`'s does (`finalizeRequest`, low priority: after the engine's rate limiter and
 * the SDK's retries), so the engine's own machinery runs as against AWS; only the wire is replaced.
 */
import type { AwsClientLookup, AwsClients, SdkClient } from '../../src/aws/clients.js';

const READ_ONLY = /^(Describe|Get|List|Head|Lookup)/;

interface Recorded {
  readonly key: string;
  readonly read: boolean;
  /** The changes (mutating calls, by key) that had answered before this call went out, in the recorded run. */
  readonly changesBefore: ReadonlySet<string>;
  readonly output?: unknown;
  readonly error?: unknown;
}

export class ReplayMissError extends Error {
  override readonly name = 'ReplayMissError';
  constructor(readonly key: string) {
    super(`replay: no recorded answer for ${key.slice(0, 300)}`);
  }
}

type Handler = (args: { input: object }) => Promise<{ output?: unknown; response?: unknown }>;
interface MiddlewareClient {
  middlewareStack: {
    add(mw: (next: Handler, context: { commandName?: string; clientName?: string }) => Handler, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

/** Stable JSON: object keys sorted, so equal inputs give equal keys whatever order the code built them in. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(normalized(value));
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * What differs from run to run of the same finding and plan: the incident id (random) and the times the engine
 * writes (tags, policy conditions). Equal but for these, two inputs are the same call.
 */
const INCIDENT_ID = /inc-\d{8}-[0-9a-f]{12}/g;

function normalized(s: string): string {
  return s.replace(INCIDENT_ID, 'inc-*').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'T*');
}

/** One recorded run's answers; `record()` while the run talks to the emulator, then `replay()` as often as needed. */
export class SdkRecording {
  private readonly recorded: Recorded[] = [];
  private readonly changes = new Set<string>();
  /** The recorded run's incident ids, as its inputs carried them (its answers carry them too). */
  readonly incidentIds = new Set<string>();

  get size(): number {
    return this.recorded.length;
  }

  /** Clients that call the emulator and record each answer. */
  record(clients: AwsClients): AwsClients {
    return wrapAll(clients, (next, context) => async (args) => {
      const key = keyOf(context, args.input);
      for (const id of JSON.stringify(args.input).match(INCIDENT_ID) ?? []) this.incidentIds.add(id);
      const read = READ_ONLY.test(operationOf(context));
      const changesBefore = new Set(this.changes);
      try {
        const result = await next(args);
        this.recorded.push({ key, read, changesBefore, output: result.output });
        if (!read) this.changes.add(key);
        return result;
      } catch (error) {
        this.recorded.push({ key, read, changesBefore, error });
        throw error;
      }
    });
  }

  /** A replay of this recording: a fresh cursor each time (every run starts from the recorded start). */
  replay(): SdkReplay {
    return new SdkReplay(this.recorded, this.incidentIds);
  }
}

export class SdkReplay {
  private readonly changes = new Set<string>();
  private readonly used = new Set<Recorded>();
  private readonly byKey = new Map<string, Recorded[]>();
  /** Calls answered from the recording; `misses` lists calls it had no answer for (the run then fails). */
  answered = 0;
  readonly misses: string[] = [];

  /** This run's incident id, once an input carried it: recorded answers name the recorded run's instead. */
  private incidentId: string | undefined;

  constructor(
    recorded: readonly Recorded[],
    private readonly recordedIncidentIds: ReadonlySet<string>,
  ) {
    for (const r of recorded) {
      const list = this.byKey.get(r.key) ?? [];
      list.push(r);
      this.byKey.set(r.key, list);
    }
  }

  /** Clients whose every call is answered from the recording (no network). Wrap them with `SdkLatency` after. */
  wrap(clients: AwsClients): AwsClients {
    // Answers without calling `next`: nothing goes on the wire.
    return wrapAll(clients, (_next, context) => async (args) => {
      const ids = JSON.stringify(args.input).match(INCIDENT_ID);
      if (ids !== null) this.incidentId = ids[0];
      const a = this.answer(keyOf(context, args.input), READ_ONLY.test(operationOf(context)));
      if (a.error !== undefined) throw a.error;
      return { output: this.renamed(a.output), response: { statusCode: 200, headers: {}, body: undefined } };
    });
  }

  /** A recorded answer with the recorded run's incident ids replaced by this run's (Dates and bytes kept as they are). */
  private renamed(value: unknown): unknown {
    const id = this.incidentId;
    if (id === undefined || this.recordedIncidentIds.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(INCIDENT_ID, (m) => (this.recordedIncidentIds.has(m) ? id : m));
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    return walk(value);
  }

  private answer(key: string, read: boolean): { output?: unknown; error?: unknown } {
    const list = this.byKey.get(key);
    if (list === undefined || list.length === 0) {
      this.misses.push(key);
      return { error: new ReplayMissError(key) };
    }
    let chosen: Recorded;
    if (read) {
      // The state after the changes this run has made: of the answers recorded for this read, the one whose earlier
      // changes include most of those made so far, and the fewest not made yet (the earliest such), first the ones
      // not used yet. The order of independent changes may differ from the recorded run's; a count would not do.
      const score = (r: Recorded): [number, number] => {
        let made = 0;
        for (const k of r.changesBefore) if (this.changes.has(k)) made++;
        return [made, r.changesBefore.size - made];
      };
      let best: Recorded = list[0]!;
      let bestScore = score(best);
      for (const r of list.slice(1)) {
        const sc = score(r);
        const better = sc[0] > bestScore[0] || (sc[0] === bestScore[0] && (sc[1] < bestScore[1] || (sc[1] === bestScore[1] && this.used.has(best) && !this.used.has(r))));
        if (better) {
          best = r;
          bestScore = sc;
        }
      }
      chosen = best;
    } else {
      // A change: its answers in recorded order (a repeat after the last gets the last).
      chosen = list.find((r) => !this.used.has(r)) ?? list[list.length - 1]!;
      this.changes.add(key);
    }
    this.used.add(chosen);
    this.answered++;
    return chosen;
  }
}

function operationOf(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

function keyOf(context: { commandName?: string; clientName?: string }, input: object): string {
  return `${context.clientName ?? ''} ${operationOf(context)} ${stable(input)}`;
}

/** Adds the middleware to every client (any class, any Region) the engine asks for. */
function wrapAll(
  clients: AwsClients,
  middleware: (next: Handler, context: { commandName?: string; clientName?: string }) => Handler,
): AwsClients {
  const attached = new WeakSet<object>();
  const attach = <C extends SdkClient>(client: C): C => {
    if (attached.has(client)) return client;
    attached.add(client);
    (client as unknown as MiddlewareClient).middlewareStack.add(
      middleware,
      // Below SdkLatency's middleware (added after it, same step and priority): the latency is spent, then answered.
      { step: 'finalizeRequest', name: 'benchSdkWire', priority: 'low', override: true },
    );
    return client;
  };
  const wrapLookup = (lookup: AwsClientLookup): AwsClientLookup => (ClientClass) => attach(lookup(ClientClass));
  const { inRegion } = clients;
  return { ...clients, aws: wrapLookup(clients.aws), ...(inRegion !== undefined ? { inRegion: (r: string) => wrapLookup(inRegion(r)) } : {}) };
}
