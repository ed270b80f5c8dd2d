/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in item order; rejects with the first failure (calls
 * already started run on). The engine runs ready steps with it, the journal writes step records with it.
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
