/**
 * Reads shared by the steps of one run of a plan: the first step that needs the instance's DescribeInstances makes
 * the call and every other step of the run gets the same answer, so six pre-images cost one round trip, not six.
 * Only answers are kept (a failed read is not: the next caller tries again). A new run starts empty, so a plan
 * resumed after an approval or a crash reads afresh.
 */
import type { SharedReads } from '../actions/action.js';

export class RunSharedReads implements SharedReads {
  private readonly entries = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const known = this.entries.get(key);
    if (known !== undefined) return known as Promise<T>;
    // Promise.resolve: a loader that answers synchronously (a test double) is a promise all the same.
    const loading = Promise.resolve(load());
    this.entries.set(key, loading);
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    return loading;
  }
}
