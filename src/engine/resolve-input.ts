/**
 * Step inputs may refer to what an earlier step recorded: `{ "$ref": "<stepId>.output.<path>" }` or
 * `{ "$ref": "<stepId>.preImage.<path>" }`. Resolved from the journal just before the step runs, so a plan stays pure
 * data and can be resumed after an approval.
 */
import type { Json } from '../findings/model.js';
import type { StepRecord } from '../journal/journal.js';
import { StepError } from '../errors.js';

function isRef(v: Json): v is { $ref: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, Json>).$ref === 'string' && Object.keys(v).length === 1;
}

function dig(value: Json | undefined, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(p)] : Object.hasOwn(cur, p) ? cur[p] : undefined;
  }
  return cur;
}

export function resolveInput(stepId: string, input: { readonly [k: string]: Json }, records: ReadonlyMap<string, StepRecord>): { [k: string]: Json } {
  const resolve = (v: Json): Json => {
    if (isRef(v)) {
      const [from, field, ...path] = v.$ref.split('.');
      const rec = from === undefined ? undefined : records.get(from);
      if (!rec || (field !== 'output' && field !== 'preImage')) {
        throw new StepError(stepId, `input reference ${JSON.stringify(v.$ref)} does not name a step's output or preImage`);
      }
      const got = dig(field === 'output' ? rec.output : rec.preImage, path);
      if (got === undefined) throw new StepError(stepId, `input reference ${JSON.stringify(v.$ref)} resolved to nothing (step ${from} is ${rec.status})`);
      return got;
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v !== null && typeof v === 'object') {
      const out: { [k: string]: Json } = Object.create(null) as { [k: string]: Json };
      for (const [k, x] of Object.entries(v)) out[k] = resolve(x);
      return { ...out };
    }
    return v;
  };
  return resolve(input) as { [k: string]: Json };
}
