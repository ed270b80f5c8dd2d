/**
 * Benchmark support: a log of every AWS call that went to the emulator, at the SDK level, with its input, its client
 * group (one `wrap()` = one AwsClients the engine built for one respond() call's incident), when it was on the wire
 * and how it ended — what `emulator-replay.ts` replays without the engine. The middleware sits at `finalizeRequest`,
 * priority low, added after the emulated AWS token buckets: a call those buckets throttle (requestId
 * `bench-throttle`) never reached the emulator and is not logged as one.
 */
import type { AwsClientLookup, AwsClients, SdkClient } from '../../src/aws/clients.js';

export interface LoggedCall {
  /** One AwsClients (one incident's clients in one respond() call). */
  readonly group: number;
  /** The client's service as the SDK names it (`EC2`, `IAM`, `STS` …) and the Region it was built for. */
  readonly service: string;
  readonly region: string;
  readonly operation: string;
  /** The client's and the command's classes, to send the call again (emulator-replay.ts). */
  readonly Client: new (config: object) => SdkClient;
  readonly Command: (new (input: object) => unknown) | undefined;
  /** The command's input, copied when the call went out. */
  readonly input: Record<string, unknown>;
  /** performance.now() when the call went on the wire and when its answer was back. */
  readonly start: number;
  readonly end: number;
  /** The error's name when the emulator answered with one. */
  readonly error?: string;
}

type Handler = (args: { input: object }) => Promise<unknown>;
interface MiddlewareClient {
  middlewareStack: {
    add(mw: (next: Handler, context: { commandName?: string; clientName?: string }) => Handler, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

export class SdkCallLog {
  readonly calls: LoggedCall[] = [];
  /** Calls on the wire now, and the intervals during which at least one was (emulator busy for us). */
  private inFlight = 0;
  private busySince = 0;
  busyMs = 0;
  private groups = 0;
  private readonly attached = new WeakSet<object>();
  /** The command each input object came with (the middleware sees the input, not the command). */
  private readonly commandOf = new WeakMap<object, new (input: object) => unknown>();

  wrap(clients: AwsClients): AwsClients {
    const group = this.groups++;
    const wrapLookup = (lookup: AwsClientLookup, region: string): AwsClientLookup => (ClientClass) => this.attach(lookup(ClientClass), group, region);
    const { inRegion } = clients;
    return { ...clients, aws: wrapLookup(clients.aws, clients.region), ...(inRegion !== undefined ? { inRegion: (r: string) => wrapLookup(inRegion(r), r) } : {}) };
  }

  private attach<C extends SdkClient>(client: C, group: number, region: string): C {
    if (this.attached.has(client)) return client;
    this.attached.add(client);
    const send = client.send.bind(client) as (command: { input: object }, ...rest: unknown[]) => Promise<unknown>;
    (client as unknown as { send: typeof send }).send = (command, ...rest) => {
      this.commandOf.set(command.input, command.constructor as new (input: object) => unknown);
      return send(command, ...rest);
    };
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        const input = structuredClone(args.input) as Record<string, unknown>;
        const start = performance.now();
        if (this.inFlight++ === 0) this.busySince = start;
        let error: string | undefined;
        let throttledHere = false;
        try {
          return await next(args);
        } catch (err) {
          error = (err as { name?: string }).name ?? 'Error';
          // Whatever the middleware order, a call the emulated buckets refused never reached the emulator.
          throttledHere = (err as { $metadata?: { requestId?: string } }).$metadata?.requestId === 'bench-throttle';
          throw err;
        } finally {
          const end = performance.now();
          if (--this.inFlight === 0) this.busyMs += end - this.busySince;
          if (!throttledHere) this.calls.push({
            group,
            service: (context.clientName ?? '').replace(/Client$/, ''),
            region,
            operation: (context.commandName ?? '').replace(/Command$/, ''),
            Client: client.constructor as new (config: object) => SdkClient,
            Command: this.commandOf.get(args.input),
            input,
            start,
            end,
            ...(error !== undefined ? { error } : {}),
          });
        }
      },
      { step: 'finalizeRequest', name: 'benchSdkCallLog', priority: 'low', override: true },
    );
    return client;
  }
}
