/**
 * The middleware that makes a client take a token from a rate limiter before each call (outside the SDK's retry
 * loop: one token per logical call). Attached at most once per client.
 */
import type { SdkClient } from './clients.js';

/** What the middleware needs of a rate limiter (engine/rate-limiter.ts#RateLimiter). */
export interface CallRateLimiter {
  take(scope: string, service: string): Promise<void>;
}

interface MiddlewareClient {
  middlewareStack: {
    add: (mw: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string; override?: boolean }) => void;
  };
}

const limited = new WeakSet<object>();

/** `scope` is `account|region`; the bucket's service is the client's name (`EC2Client` → `ec2`). */
export function attachRateLimiter(client: SdkClient, limiter: CallRateLimiter, scope: string): void {
  if (limited.has(client)) return;
  limited.add(client);
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      await limiter.take(scope, (context.clientName ?? 'default').replace(/Client$/, '').toLowerCase());
      return next(args);
    },
    { step: 'initialize', name: 'tourniquetRateLimit', override: true },
  );
}
