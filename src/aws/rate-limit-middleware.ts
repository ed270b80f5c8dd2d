/**
 * The middleware that makes a client take a token from a rate limiter before each request it sends: inside the
 * SDK's retry loop (after `retryMiddleware`, before signing, so a long wait never ages a signature), because AWS
 * takes a token for every attempt, retries included. Attached at most once per client. It passes the operation,
 * its input (EC2 buckets depend on whether a describe is filtered) and the priority of the work making the call
 * (call-priority.ts).
 */
import { currentCallPriority, type CallPriority } from './call-priority.js';
import type { SdkClient } from './clients.js';

/** One call as the rate limiter sees it. */
export interface LimitedCall {
  /** The command's name without `Command` (`DescribeInstances`). */
  readonly operation: string;
  readonly input?: unknown;
  readonly priority?: CallPriority;
}

/** What the middleware needs of a rate limiter (engine/rate-limiter.ts#RateLimiter). */
export interface CallRateLimiter {
  take(scope: string, service: string, call: LimitedCall): Promise<void>;
}

interface MiddlewareClient {
  middlewareStack: {
    addRelativeTo: (
      mw: (next: (args: { input?: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>,
      options: { relation: 'before'; toMiddleware: string; name: string; override?: boolean },
    ) => void;
  };
}

const limited = new WeakSet<object>();

/** `scope` is `account|region`; the bucket's service is the client's name (`EC2Client` → `ec2`). */
export function attachRateLimiter(client: SdkClient, limiter: CallRateLimiter, scope: string): void {
  if (limited.has(client)) return;
  limited.add(client);
  (client as unknown as MiddlewareClient).middlewareStack.addRelativeTo(
    (next, context) => async (args) => {
      await limiter.take(scope, (context.clientName ?? 'default').replace(/Client$/, '').toLowerCase(), {
        operation: (context.commandName ?? '').replace(/Command$/, ''),
        input: args.input,
        priority: currentCallPriority(),
      });
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'tourniquetRateLimit', override: true },
  );
}
