/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in item order; rejects with the first failure (calls
 * already started run on). The journal writes step records with it.
 */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Waits for every promise, then rejects with the first failure: calls made at once are all settled before the
 * step reports (never a failure reported while another change is still in flight).
 */
export async function settleAll<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<{ -readonly [K in keyof T]: T[K] }>;
export async function settleAll<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]>;
export async function settleAll(promises: ReadonlyArray<Promise<unknown>>): Promise<unknown[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}
