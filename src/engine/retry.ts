/**
 * Retries transient failures (throttling, 5xx, network) with exponential backoff and full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"): sleep = random(0, min(cap, base * 2^attempt)).
 */
export interface RetryOptions {
  /** Total attempts including the first (default 5); in a row without progress when `withRetry` is given `madeProgress`. */
  readonly maxAttempts?: number;
  /** Base delay in ms (default 200). */
  readonly baseDelayMs?: number;
  /** Maximum delay in ms (default 5000). */
  readonly maxDelayMs?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface RetryOutcome<T> {
  readonly value: T;
  readonly attempts: number;
}

export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`, {
      cause: lastError,
    });
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** With `madeProgress`, the most attempts in all, as a multiple of `maxAttempts` (a safety net, not the budget). */
export const PROGRESS_ATTEMPTS_FACTOR = 4;

/**
 * Runs `fn` until it succeeds, fails with a non-transient error (rethrown as is), or the attempts run out
 * (RetryExhaustedError carrying the last error). `onRetry` is told about every retry.
 *
 * `madeProgress`, asked after each failed attempt, says whether that attempt got something done that no earlier one
 * had (for a step: an AWS call, change or read, that succeeded for the first time). The budget is then `maxAttempts` attempts in a row without
 * progress, as each call had its own attempts — a step of ten calls under steady throttling otherwise exhausts a
 * budget shared by all of them though every attempt moves it on — capped at `maxAttempts * PROGRESS_ATTEMPTS_FACTOR`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  options: RetryOptions = {},
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void,
  madeProgress?: () => boolean,
): Promise<RetryOutcome<T>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const hardCap = madeProgress === undefined ? maxAttempts : maxAttempts * PROGRESS_ATTEMPTS_FACTOR;
  let stalled = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (!isTransient(err)) throw err;
      stalled = madeProgress?.() === true ? 0 : stalled + 1;
      if (stalled >= maxAttempts || attempt >= hardCap) throw new RetryExhaustedError(attempt, err);
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      onRetry?.(attempt, err, delay);
      await sleep(delay);
    }
  }
}
