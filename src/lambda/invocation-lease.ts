/**
 * The responder Lambda's leases: a step or occurrence it claims is held until its invocation can no longer run (its
 * remaining time, plus a margin for clock skew between hosts). A re-delivery after a timeout or crash — SQS waits a
 * visibility timeout longer than the function's — finds the lease expired and takes over at once, while a live
 * invocation is never overtaken. No renewal is needed and the Lambda never waits for another holder: it reports the
 * record as failed and lets SQS bring it back.
 */
import type { Context } from 'aws-lambda';
import type { RunOptions } from '../engine/responder.js';

const CLOCK_MARGIN_MS = 10_000;

let deadline: number | undefined;

/** Called at the start of each invocation. */
export function startInvocation(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): void {
  deadline = context !== undefined ? Date.now() + context.getRemainingTimeInMillis() : undefined;
}

/** The run options of this invocation (without a context, e.g. in tests: the engine's defaults, no waiting). */
export function invocationRunOptions(): RunOptions {
  if (deadline === undefined) return { waitMs: 0 };
  return { leaseMs: Math.max(0, deadline - Date.now()) + CLOCK_MARGIN_MS, renewLease: false, waitMs: 0 };
}
