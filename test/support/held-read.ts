/** Test support: what a run's shared reads hold under a key, without reading. */
import type { SharedReads } from '../../src/actions/action.js';

/** The answer under `key` if the shared reads hold one (else undefined, without reading). */
export async function held(reads: SharedReads, key: string): Promise<unknown> {
  let loaded = false;
  const value = await reads.get(key, () => {
    loaded = true;
    return Promise.resolve(undefined);
  });
  return loaded ? undefined : value;
}
