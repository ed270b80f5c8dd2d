/**
 * Retries transient failures (throttling, 5xx, network) with exponential backoff and full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"): sleep = random(0, min(cap, base * 2^attempt)).
 */
export interface RetryOptions {
  /** Total attempts including the first (default 5). */
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

/**
 * Runs `fn` until it succeeds, fails with a non-transient error (rethrown as is), or the attempts run out
 * (RetryExhaustedError carrying the last error). `onRetry` is told about every retry.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  options: RetryOptions = {},
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void,
): Promise<RetryOutcome<T>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (attempt >= maxAttempts) throw new RetryExhaustedError(attempt, err);
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      onRetry?.(attempt, err, delay);
      await sleep(delay);
    }
  }
}
