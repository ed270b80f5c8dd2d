/**
 * Attributes every AWS call to the step that made it, even when steps run in parallel on shared clients:
 * the client factory reports calls to `record`, and the step's async context says whose they are.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallRecord } from '../aws/clients.js';

export class CallCollector {
  private readonly storage = new AsyncLocalStorage<CallRecord[]>();

  /** Give this to the client factory as `onCall`. */
  readonly record = (call: CallRecord): void => {
    this.storage.getStore()?.push(call);
  };

  /** The calls recorded so far by the `collect` this runs inside (undefined outside one). */
  current(): readonly CallRecord[] | undefined {
    return this.storage.getStore();
  }

  /** Runs `fn` and returns its result with every AWS call it made. */
  async collect<T>(fn: () => Promise<T>): Promise<{ value: T; calls: CallRecord[] } | { error: unknown; calls: CallRecord[] }> {
    const calls: CallRecord[] = [];
    try {
      const value = await this.storage.run(calls, fn);
      return { value, calls };
    } catch (error) {
      return { error, calls };
    }
  }
}
