/**
 * The fence between a step's lease and the calls it sends. A lease fences the journal (a taken-over holder's writes
 * lose), not AWS: a holder whose renewals stopped landing, or whose call waited in the rate limiter past its lease,
 * could still send a change after another responder took the step over — the same non-idempotent call twice (two
 * snapshots of one instance). The engine sets the step's fence around its work (AsyncLocalStorage, as the call
 * priority); this middleware asks it right before each attempt is signed and sent — after the rate limiter's wait and
 * inside the SDK's retry loop — and the fence throws to keep the call from being sent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsClientLookup, AwsClients, SdkClient } from './clients.js';

/** What the middleware asks of the step whose work sends a call. */
export interface StepFence {
  /** Throws (LeaseLostError) when `operation` must not be sent now; returns when it may. */
  beforeSend(operation: string): void;
}

const storage = new AsyncLocalStorage<StepFence>();

/** Runs `work` with every AWS call it makes (and the calls of what it starts) asked of `fence` before it is sent. */
export function withStepFence<T>(fence: StepFence, work: () => T): T {
  return storage.run(fence, work);
}

interface MiddlewareClient {
  middlewareStack: {
    addRelativeTo: (
      mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { relation: 'before'; toMiddleware: string; name: string; override?: boolean },
    ) => void;
  };
}

const fenced = new WeakSet<object>();

/**
 * Attach after the rate limiter (src/aws/rate-limit-middleware.ts): both sit right before signing, and of two
 * middlewares placed there the one added later runs later, so the fence is asked after the limiter's wait.
 */
export function attachStepFence(client: SdkClient): void {
  if (fenced.has(client)) return;
  fenced.add(client);
  (client as unknown as MiddlewareClient).middlewareStack.addRelativeTo(
    (next, context) => async (args) => {
      storage.getStore()?.beforeSend((context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'tourniquetStepFence', override: true },
  );
}

/**
 * Returns AwsClients whose clients ask the current step's fence before every call they send. Wrap the rate-limited
 * clients (`fenceClients(rateLimitClients(…))`): a client is looked up through the limiter first, so the fence is
 * attached after it.
 */
export function fenceClients(clients: AwsClients): AwsClients {
  const fencedLookup = (lookup: AwsClientLookup): AwsClientLookup => (ClientClass) => {
    const client = lookup(ClientClass);
    attachStepFence(client);
    return client;
  };
  const { inRegion } = clients;
  return { ...clients, aws: fencedLookup(clients.aws), ...(inRegion !== undefined ? { inRegion: (region: string) => fencedLookup(inRegion(region)) } : {}) };
}
