/**
 * Runs tasks one after another per key (a case location), so parallel steps writing evidence to the same case keep
 * the manifest chain linear. A failed task does not block the ones queued after it.
 */
const tails = new Map<string, Promise<void>>();

export function runSerially<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const result = previous.then(task);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return result;
}
