/**
 * Path-aware readers used while walking one GuardDuty record. They check only the values the parser uses
 * (everything else stays raw, unchecked) and throw `FindingParseError` naming the exact JSON path.
 *
 * Conventions for nested values: `null` and a missing key mean "absent"; an empty string is "absent" for optional
 * strings. Paths passed in are relative to the finding object (`.resource.resourceType`); the context adds the root
 * (`$.detail`, `$.Findings[3]`, `$`) and, for PascalCase input, renames segments back to what the input used.
 */
import { FindingParseError, describeValue } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { toPascalPath } from './json-path.js';
import { epochToIso, normalizeIsoTimestamp } from './timestamps.js';

/** A JSON object as received: read-only, unknown keys. */
export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class RecordContext {
  constructor(
    readonly source: SourceRef,
    /** Path of the finding object inside the received value: `$`, `$.detail`, `$.Findings[2]`. */
    readonly root: string,
    /** The record was PascalCase (CLI/SDK output): report paths in its member names. */
    readonly pascal: boolean = false,
  ) {}

  /**
   * What the parser accepted but could not use, for people (`inspect`, `show`): an optional field of the API model that
   * is missing where a playbook would want it. The finding is kept; the note says what is missing and where.
   */
  readonly notes: string[] = [];

  /** Records a note about the value at `relative` (shown with its absolute path). */
  note(relative: string, message: string): void {
    this.notes.push(`${this.path(relative)}: ${message}`);
  }

  /** The absolute path shown to users for a relative path. */
  path(relative: string): string {
    return this.root + (this.pascal ? toPascalPath(relative) : relative);
  }

  fail(relative: string, expected: string, received: unknown): never {
    throw new FindingParseError(this.source, this.path(relative), expected, describeValue(received));
  }

  /** A required non-empty string. */
  reqString(obj: JsonObject, key: string, path: string): string {
    const v = obj[key];
    if (typeof v === 'string' && v.length > 0) return v;
    return this.fail(`${path}.${key}`, 'a non-empty string', v);
  }

  optString(obj: JsonObject, key: string, path: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'string') return v.length > 0 ? v : undefined;
    if (v === undefined || v === null) return undefined;
    return this.fail(`${path}.${key}`, 'a string', v);
  }

  /** Optional string that GuardDuty sometimes sends as a number (e.g. an ASN); normalized to a string. */
  optStringish(obj: JsonObject, key: string, path: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return this.optString(obj, key, path);
  }

  optNumber(obj: JsonObject, key: string, path: string): number | undefined {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v === undefined || v === null) return undefined;
    return this.fail(`${path}.${key}`, 'a number', v);
  }

  optBoolean(obj: JsonObject, key: string, path: string): boolean | undefined {
    const v = obj[key];
    if (typeof v === 'boolean') return v;
    if (v === undefined || v === null) return undefined;
    return this.fail(`${path}.${key}`, 'a boolean', v);
  }

  optObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
    const v = obj[key];
    if (isObject(v)) return v;
    if (v === undefined || v === null) return undefined;
    return this.fail(`${path}.${key}`, 'an object', v);
  }

  reqObject(obj: JsonObject, key: string, path: string): JsonObject {
    const v = obj[key];
    if (isObject(v)) return v;
    return this.fail(`${path}.${key}`, 'an object', v);
  }

  optArray(obj: JsonObject, key: string, path: string): readonly unknown[] | undefined {
    const v = obj[key];
    if (Array.isArray(v)) return v;
    if (v === undefined || v === null) return undefined;
    return this.fail(`${path}.${key}`, 'an array', v);
  }

  /** Element `i` of an array that must be an object; `null` elements are skipped by returning undefined. */
  element(arr: readonly unknown[], i: number, path: string): JsonObject | undefined {
    const v = arr[i];
    if (isObject(v)) return v;
    if (v === null) return undefined;
    return this.fail(`${path}[${i}]`, 'an object', v);
  }

  /** Array of strings (null elements skipped). */
  optStringArray(obj: JsonObject, key: string, path: string): string[] | undefined {
    const arr = this.optArray(obj, key, path);
    if (arr === undefined) return undefined;
    const out: string[] = [];
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === 'string') out.push(v);
      else if (v !== null) this.fail(`${path}.${key}[${i}]`, 'a string', v);
    }
    return out;
  }

  /** A timestamp normalized to ISO 8601 in UTC (`2025-02-25T20:40:06.765Z`): ISO-like strings and epoch seconds (or ms). */
  optTimestamp(obj: JsonObject, key: string, path: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'string') {
      if (v.length === 0) return undefined;
      const iso = normalizeIsoTimestamp(v);
      if (iso !== undefined) return iso;
    } else if (typeof v === 'number') {
      const iso = epochToIso(v);
      if (iso !== undefined) return iso;
    } else if (v === undefined || v === null) {
      return undefined;
    }
    return this.fail(`${path}.${key}`, 'a timestamp (ISO-8601 string or epoch seconds)', v);
  }

  reqTimestamp(obj: JsonObject, key: string, path: string): string {
    const v = this.optTimestamp(obj, key, path);
    if (v === undefined) return this.fail(`${path}.${key}`, 'a timestamp (ISO-8601 string or epoch seconds)', obj[key]);
    return v;
  }
}
