/**
 * The finding-type catalogue reduced to what the policy and the intake read on every cold start: each type's name,
 * status and data source (data/finding-type-index.json, ~20 KiB, generated from the catalogue by
 * `npm run data:type-index`; a unit test fails when it is stale). The full catalogue (type-catalogue.ts: summaries,
 * sources, severities, ~100 KiB) stays for the CLI and drills, and out of the Lambda's load.
 */
import { describeValue, TourniquetError } from '../errors.js';
import type { TypeStatus } from './type-catalogue.js';
import index from '../../data/finding-type-index.json' with { type: 'json' };

export interface TypeIndexEntry {
  readonly type: string;
  readonly status: TypeStatus;
  /** The data source or protection plan that produces it (`AI Protection` …); may be empty. */
  readonly dataSource: string;
}

const STATUSES: ReadonlySet<string> = new Set<TypeStatus>(['active', 'active (opt-in)', 'retired']);

let loaded: readonly TypeIndexEntry[] | undefined;

/** Every catalogued type (current and retired), in the catalogue's order. */
export function typeIndex(): readonly TypeIndexEntry[] {
  loaded ??= parseTypeIndex(index);
  return loaded;
}

/** Validates the index file's rows (`[type, status, dataSource]`). */
export function parseTypeIndex(rows: unknown): readonly TypeIndexEntry[] {
  if (!Array.isArray(rows)) throw new TourniquetError('catalogue.invalid', 'data/finding-type-index.json: $: expected an array');
  return Object.freeze(
    rows.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== 3 || !row.every((v) => typeof v === 'string') || row[0] === '' || !STATUSES.has(row[1] as string)) {
        throw new TourniquetError('catalogue.invalid', `data/finding-type-index.json: $[${i}]: expected [type, status, dataSource], received ${describeValue(row)}`);
      }
      const [type, status, dataSource] = row as [string, TypeStatus, string];
      return Object.freeze({ type, status, dataSource });
    }),
  );
}
