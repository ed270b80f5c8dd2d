/**
 * One subject's shared reads, for every `respond()` of it in flight in this responder at once. A burst delivers
 * several findings of one instance together; their runs compete for the same steps (one claims each), and each used
 * to read the same pre-images and prefetch the same reads for itself. Sharing the answers while any of them runs
 * makes those reads once. They are answers of the same moment, as within one run (the `verify` read-backs are never
 * shared); once the last of them has finished, the next `respond()` starts empty and reads afresh.
 */
import { RunSharedReads } from './shared-reads.js';

export class SharedReadsInFlight {
  private readonly held = new Map<string, { reads: RunSharedReads; users: number }>();

  /** The reads for `key`, and whether this caller is the first (it starts the prefetch). Call `release()` when done. */
  acquire(key: string): { reads: RunSharedReads; first: boolean; release: () => void } {
    let entry = this.held.get(key);
    const first = entry === undefined;
    if (entry === undefined) {
      entry = { reads: new RunSharedReads(), users: 0 };
      this.held.set(key, entry);
    }
    entry.users++;
    const e = entry;
    let released = false;
    return {
      reads: e.reads,
      first,
      release: () => {
        if (released) return;
        released = true;
        if (--e.users === 0 && this.held.get(key) === e) this.held.delete(key);
      },
    };
  }
}
