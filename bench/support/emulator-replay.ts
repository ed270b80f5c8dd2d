/**
 * Benchmark support: the emulator's own capacity for a run's AWS calls, with no engine in the way. The calls the
 * engine sent (sdk-call-log.ts: operation, input, client group, when each was on the wire) are sent again, with the
 * same inputs, against the same emulator, with the same shape of concurrency: every group (one incident's clients)
 * starts at once, and inside a group a call waits only for the calls that had answered before it went out in the
 * engine's run (so the engine's parallel steps stay parallel and its chains stay chains); never more calls in flight
 * than the engine's run had at its peak (at 1,000 findings, all at once swamped moto: 3,848 of 17,682 calls timed
 * out and the replay took longer than the engine). No journal, no planning,
 * no rate limiter, no retries: the time it takes is the least the emulator needs for that work at that concurrency.
 * The emulator's state is the one the engine left (resources already contained): creates may now answer with an
 * error (a duplicate name), which the result counts apart, so it can be told from the engine's own errors. What a
 * replay adds that would slow the next one down (the snapshots it took: every DescribeSnapshots scans them) is
 * deleted after it, untimed, so successive replays see the same state.
 */
import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import type { LoggedCall } from './sdk-call-log.js';

interface ReplayClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

export interface ReplayResult {
  readonly ms: number;
  readonly calls: number;
  /** Errors the emulator answered with in the replay, by name (the engine's run's errors are in the log). */
  readonly errors: ReadonlyMap<string, number>;
  /** The most calls it had in flight: the engine's run's peak. */
  readonly concurrency: number;
  /** Snapshots the replay took, deleted after it. */
  readonly snapshotsDeleted: number;
}

export interface ReplayOptions {
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The most calls the log had in flight at once. */
export function peakInFlight(log: readonly LoggedCall[]): number {
  const edges = log.flatMap((c) => [{ at: c.start, d: 1 }, { at: c.end, d: -1 }]).sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (now += e.d));
  return peak;
}

export async function replayCalls(log: readonly LoggedCall[], options: ReplayOptions): Promise<ReplayResult> {
  const limit = Math.max(1, peakInFlight(log));
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<void> => {
    if (inFlight < limit) {
      inFlight++;
      return;
    }
    await new Promise<void>((r) => waiting.push(r));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next !== undefined) next();
    else inFlight--;
  };
  const unknown = log.find((c) => c.Command === undefined);
  if (unknown !== undefined) throw new Error(`the call log has no command class for ${unknown.service}.${unknown.operation}`);
  const groups = new Map<number, LoggedCall[]>();
  for (const c of log) {
    const g = groups.get(c.group) ?? [];
    g.push(c);
    groups.set(c.group, g);
  }
  const clients: ReplayClient[] = [];
  const errors = new Map<string, number>();
  const snapshots: Array<{ client: ReplayClient; id: string }> = [];
  const runGroup = async (calls: LoggedCall[]): Promise<void> => {
    const own = new Map<string, ReplayClient>();
    const clientFor = ({ service, region, Client }: LoggedCall): ReplayClient => {
      let client = own.get(`${service}|${region}`);
      if (client === undefined) {
        client = new Client({ endpoint: options.endpoint, region, credentials: options.credentials, maxAttempts: 1, forcePathStyle: true });
        own.set(`${service}|${region}`, client as ReplayClient);
        clients.push(client as ReplayClient);
      }
      return client as ReplayClient;
    };
    const byStart = [...calls].sort((a, b) => a.start - b.start);
    const byEnd = [...calls].sort((a, b) => a.end - b.end);
    const done = new Map<LoggedCall, Promise<void>>();
    let answered = 0;
    for (const call of byStart) {
      // The calls that had answered when this one went out in the engine's run: it waits for those alone.
      while (answered < byEnd.length && byEnd[answered]!.end <= call.start) answered++;
      const before = byEnd.slice(0, answered);
      const Command = call.Command!;
      done.set(
        call,
        Promise.all(before.map((b) => done.get(b))).then(async () => {
          await slot();
          try {
            const client = clientFor(call);
            const out = (await client.send(new Command(structuredClone(call.input)))) as { SnapshotId?: string; Snapshots?: Array<{ SnapshotId?: string }> };
            if (call.service === 'EC2' && /^CreateSnapshots?$/.test(call.operation)) {
              for (const id of [out.SnapshotId, ...(out.Snapshots ?? []).map((x) => x.SnapshotId)]) if (id !== undefined) snapshots.push({ client, id });
            }
          } catch (err) {
            const name = (err as { name?: string }).name ?? 'Error';
            errors.set(name, (errors.get(name) ?? 0) + 1);
          } finally {
            release();
          }
        }),
      );
    }
    await Promise.all(done.values());
  };
  const started = performance.now();
  await Promise.all([...groups.values()].map(runGroup));
  const ms = performance.now() - started;
  for (const { client, id } of snapshots) await client.send(new DeleteSnapshotCommand({ SnapshotId: id }));
  for (const c of clients) c.destroy();
  return { ms, calls: log.length, errors, snapshotsDeleted: snapshots.length, concurrency: limit };
}
