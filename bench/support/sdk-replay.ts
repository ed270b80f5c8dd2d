/**
 * Benchmark support: AWS answers without an emulator. Issue 12 asks for the latency runs of `bench:contain` with "no
 * emulator, so the count of sequential round trips is what is measured": against moto, every call also waits for
 * moto's own time (one Python process; on 2 shared cores its answers are serialized), which is neither the engine's
 * nor AWS's. So a run against moto records every call's answer (`record`), and the latency runs of the same finding
 * are served those answers at the SDK level (`replay`), each after the fixed latency, without touching the network.
 *
 * An answer is looked up by operation and input. A read asked several times in a run (the instance before and after a
 * change) gets the answer recorded when the changes that concern it were the ones this replay has made so far — the
 * same state the engine saw in the recorded run — so a read-back sees the change it checks. "Concern it": the changes
 * whose resources are in the read's scope (`Scopes`: an instance with its ENIs, volumes, snapshots and case; a VPC
 * with its security groups), so in a burst of many subjects, whose changes interleave in another order each run, the
 * other subjects' progress does not move a read's answer. A change every subject makes alike (the VPC's shared
 * isolation group: one created, the others answered `InvalidGroup.Duplicate`) has one key, answered in recorded
 * order, and a read of the VPC's groups sees the groups once that change is made, whoever made it.
 * A call never recorded fails loudly (`ReplayMissError`): a replay that silently answered something else would
 * measure another plan.
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
  /** The incident ids its input carried (the recorded run's: a replay maps them to its own). */
  readonly incidents: readonly string[];
  /** Its input as JSON, for the resource ids it names. */
  readonly inputText: string;
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
function stable(value: unknown, alike: (s: string) => string = (x) => x): string {
  if (Array.isArray(value)) return `[${value.map((v) => stable(v, alike)).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${stable(v, alike)}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(alike(normalized(value)));
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

  /**
   * `alike`: what else tells calls apart that are the same call in another run, as a rewrite of input strings (a
   * burst: which of an instance's findings opened its incident, and so names it in the instance's tags, varies).
   */
  constructor(private readonly alike?: (s: string) => string) {}

  get size(): number {
    return this.recorded.length;
  }

  /** Clients that call the emulator and record each answer. */
  record(clients: AwsClients): AwsClients {
    return wrapAll(clients, (next, context) => async (args) => {
      const key = keyOf(context, args.input, this.alike);
      const inputText = JSON.stringify(args.input);
      const incidents = inputText.match(INCIDENT_ID) ?? [];
      for (const id of incidents) this.incidentIds.add(id);
      const read = READ_ONLY.test(operationOf(context));
      const changesBefore = new Set(this.changes);
      try {
        const result = await next(args);
        this.recorded.push({ key, read, changesBefore, incidents, inputText, output: result.output });
        if (!read) this.changes.add(key);
        return result;
      } catch (error) {
        this.recorded.push({ key, read, changesBefore, incidents, inputText, error });
        throw error;
      }
    });
  }

  /** A replay of this recording: a fresh cursor each time (every run starts from the recorded start). */
  replay(): SdkReplay {
    return new SdkReplay(this.recorded, this.incidentIds, this.alike);
  }
}

export class SdkReplay {
  /** The changes made so far (keys), and by scope (a scope key → the changes in it). */
  private readonly changes = new Set<string>();
  private readonly changesIn = new Map<string, Set<string>>();
  private readonly used = new Set<Recorded>();
  private readonly byKey = new Map<string, Recorded[]>();
  private readonly scopes: Scopes;
  /** Per read key: its scope, and each recorded answer's changes before it that concern that scope. */
  private readonly readScope = new Map<string, ReadonlySet<string>>();
  private readonly concerning = new Map<Recorded, ReadonlySet<string>>();
  /** The recorded run's incident ids → this run's, learnt from inputs that carry them. */
  private readonly incidentMap = new Map<string, string>();
  /** Calls answered from the recording; `misses` lists calls it had no answer for (the run then fails). */
  answered = 0;
  readonly misses: string[] = [];

  constructor(
    recorded: readonly Recorded[],
    private readonly recordedIncidentIds: ReadonlySet<string>,
    private readonly alike?: (s: string) => string,
  ) {
    for (const r of recorded) {
      const list = this.byKey.get(r.key) ?? [];
      list.push(r);
      this.byKey.set(r.key, list);
    }
    this.scopes = new Scopes(recorded);
  }

  /** Clients whose every call is answered from the recording (no network). Wrap them with `SdkLatency` after. */
  wrap(clients: AwsClients): AwsClients {
    // Answers without calling `next`: nothing goes on the wire.
    return wrapAll(clients, (_next, context) => async (args) => {
      const a = this.answer(keyOf(context, args.input, this.alike), READ_ONLY.test(operationOf(context)));
      if (a.error !== undefined) throw a.error;
      // This run's incident ids stand where the recorded answer had the recorded run's.
      const ids = JSON.stringify(args.input).match(INCIDENT_ID) ?? [];
      ids.forEach((id, i) => {
        const was = (a as Recorded).incidents?.[i];
        if (was !== undefined) this.incidentMap.set(was, id);
      });
      return { output: this.renamed(a.output), response: { statusCode: 200, headers: {}, body: undefined } };
    });
  }

  /** A recorded answer with the recorded run's incident ids replaced by this run's (Dates and bytes kept as they are). */
  private renamed(value: unknown): unknown {
    if (this.recordedIncidentIds.size === 0 || this.incidentMap.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(INCIDENT_ID, (m) => this.incidentMap.get(m) ?? m);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    return walk(value);
  }

  /** The scope of a read key: what its input names, or (naming nothing) what any of its recorded answers name. */
  private scopeOfRead(key: string, list: readonly Recorded[]): ReadonlySet<string> {
    let scope = this.readScope.get(key);
    if (scope === undefined) {
      const named = this.scopes.ofCall(list[0]!, false);
      scope = named.size > 0 ? named : new Set(list.flatMap((r) => [...this.scopes.ofCall(r, true)]));
      this.readScope.set(key, scope);
    }
    return scope;
  }

  private concerningBefore(r: Recorded, scope: ReadonlySet<string>): ReadonlySet<string> {
    let c = this.concerning.get(r);
    if (c === undefined) {
      c = scope.size === 0 ? r.changesBefore : new Set([...r.changesBefore].filter((k) => this.scopes.touches(this.scopes.ofChangeKey(k), scope)));
      this.concerning.set(r, c);
    }
    return c;
  }

  private answer(key: string, read: boolean): Recorded | { error: unknown; output?: undefined } {
    const list = this.byKey.get(key);
    if (list === undefined || list.length === 0) {
      this.misses.push(key);
      return { error: new ReplayMissError(key) };
    }
    let chosen: Recorded;
    if (read) {
      // The state after the changes concerning this read that this run has made: of the answers recorded for it, the
      // one recorded after the most nearly the same concerning changes (the fewest made here but not before it, or
      // before it but not here), first the ones not used yet, then the latest.
      const scope = this.scopeOfRead(key, list);
      // A read that names no resource (an IAM user's keys, the account's target groups): every change concerns it.
      const made = scope.size === 0 ? this.changes : new Set<string>();
      for (const s of scope) for (const k of this.changesIn.get(s) ?? []) made.add(k);
      const score = (r: Recorded): [number, number, number] => {
        const before = this.concerningBefore(r, scope);
        let both = 0;
        for (const k of before) if (made.has(k)) both++;
        return [before.size - both + (made.size - both), this.used.has(r) ? 1 : 0, -before.size];
      };
      let best: Recorded = list[0]!;
      let bestScore = score(best);
      for (const r of list.slice(1)) {
        const sc = score(r);
        if (sc[0] < bestScore[0] || (sc[0] === bestScore[0] && (sc[1] < bestScore[1] || (sc[1] === bestScore[1] && sc[2] < bestScore[2])))) {
          best = r;
          bestScore = sc;
        }
      }
      chosen = best;
    } else {
      // A change: its answers in recorded order (a repeat after the last gets the last).
      chosen = list.find((r) => !this.used.has(r)) ?? list[list.length - 1]!;
      if (!this.changes.has(key)) {
        this.changes.add(key);
        for (const s of this.scopes.ofChangeKey(key)) {
          const set = this.changesIn.get(s) ?? new Set<string>();
          set.add(key);
          this.changesIn.set(s, set);
        }
      }
    }
    this.used.add(chosen);
    this.answered++;
    return chosen;
  }
}

/** Resource ids an input or answer names: instances and what belongs to them, security groups and VPCs. */
const RESOURCE_ID = /\b(?:i|eni|vol|snap|sg|vpc)-[0-9a-f]{8,17}\b/g;
const PART_OF_INSTANCE = /^(?:eni|vol|snap)-/;

/**
 * What a call concerns, learnt from the whole recording: an instance's ENIs, volumes and snapshots and its case
 * (incident id) belong to the instance (from the calls that name the instance alone); a security group belongs to its
 * VPC. Scope keys are instance and VPC ids (or the id itself, when nothing says whose it is).
 */
class Scopes {
  private readonly owner = new Map<string, string>();
  private readonly changeScope = new Map<string, ReadonlySet<string>>();
  private readonly callScope = new Map<Recorded, { named: ReadonlySet<string>; answered: ReadonlySet<string> }>();

  constructor(recorded: readonly Recorded[]) {
    const own = (id: string, by: string): void => {
      if (!this.owner.has(id)) this.owner.set(id, by);
    };
    for (const r of recorded) {
      const named = r.inputText.match(RESOURCE_ID) ?? [];
      const instances = [...new Set(named.filter((id) => id.startsWith('i-')))];
      if (instances.length === 1) {
        const instance = instances[0]!;
        for (const id of [...named, ...r.incidents]) if (PART_OF_INSTANCE.test(id) || id.startsWith('inc-')) own(id, instance);
        if (r.read && r.output !== undefined) for (const id of textOf(r.output).match(RESOURCE_ID) ?? []) if (PART_OF_INSTANCE.test(id)) own(id, instance);
      }
      // A group belongs to its VPC: CreateSecurityGroup's input names the VPC and its answer the group; described
      // groups carry both.
      const vpc = /"VpcId":"(vpc-[0-9a-f]+)"/.exec(r.inputText)?.[1];
      const created = (r.output as { GroupId?: unknown } | undefined)?.GroupId;
      if (vpc !== undefined && typeof created === 'string') own(created, vpc);
      if (r.output !== undefined) {
        for (const m of textOf(r.output).matchAll(/"GroupId":"(sg-[0-9a-f]+)"[^{}]*?"VpcId":"(vpc-[0-9a-f]+)"|"VpcId":"(vpc-[0-9a-f]+)"[^{}]*?"GroupId":"(sg-[0-9a-f]+)"/g)) {
          own(m[1] ?? m[4]!, m[2] ?? m[3]!);
        }
      }
      if (!r.read && !this.changeScope.has(r.key)) this.changeScope.set(r.key, new Set()); // filled below, once owners are known
    }
    for (const r of recorded) if (!r.read && this.changeScope.get(r.key)!.size === 0) this.changeScope.set(r.key, this.ofCall(r, false));
  }

  private scopeOf(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const id of ids) out.add(this.owner.get(id) ?? id);
    return out;
  }

  /** The scope keys a recorded call names in its input (its case included), or with `answered` in its answer. */
  ofCall(r: Recorded, answered: boolean): ReadonlySet<string> {
    let s = this.callScope.get(r);
    if (s === undefined) {
      s = {
        named: this.scopeOf([...(r.inputText.match(RESOURCE_ID) ?? []), ...r.incidents]),
        answered: this.scopeOf(r.output === undefined ? [] : (textOf(r.output).match(RESOURCE_ID) ?? [])),
      };
      this.callScope.set(r, s);
    }
    return answered ? s.answered : s.named;
  }

  ofChangeKey(key: string): ReadonlySet<string> {
    return this.changeScope.get(key) ?? new Set();
  }

  touches(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
    for (const x of a) if (b.has(x)) return true;
    return false;
  }
}

function textOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function operationOf(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

function keyOf(context: { commandName?: string; clientName?: string }, input: object, alike?: (s: string) => string): string {
  return `${context.clientName ?? ''} ${operationOf(context)} ${stable(input, alike)}`;
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
