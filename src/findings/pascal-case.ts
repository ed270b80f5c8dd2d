/**
 * Maps AWS CLI `get-findings` / SDK output (PascalCase member names, e.g. `Resource.InstanceDetails.InstanceId`) to
 * the camelCase wire shape of EventBridge events and S3 exports, so one parser serves both.
 *
 * Member → wire name is "first letter lowered" for 590 of the 601 members reachable from `Finding`
 * (`Ipv6Addresses` → `ipv6Addresses`, `S3BucketDetails` → `s3BucketDetails`, `EksClusterDetails` → `eksClusterDetails`,
 * `RdsDbInstanceDetails` → `rdsDbInstanceDetails`, `ETag` → `eTag`). The exceptions below were extracted from the
 * jsonName traits of `@aws-sdk/client-guardduty` 3.1169 (botocore 2026-08 model); some depend on the parent member.
 * Map-typed members keep their keys verbatim (they are data): `AffectedResources` (`{"AWS::S3::Bucket": …}`) and the
 * two-level anomaly maps `Profiles` / `Behavior`. SDK `Date` values become ISO strings, as the CLI prints them.
 *
 * The input is never modified; new objects are built. A key `__proto__` is defined as an own property (never
 * assigned), so it cannot change a prototype.
 */
import { isObject } from './record-context.js';

/** Exceptions valid wherever the member appears (the names are unique in the model). */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['SourceIps', 'sourceIPs'], // KubernetesApiCallAction
  ['TaskCreatedAt', 'createdAt'], // EcsTaskDetails
  ['LoginAttributes', 'LoginAttributes'], // RdsLoginAttemptAction (PascalCase on the wire too)
  ['KubernetesResourcesTypes', 'type'], // sequence KubernetesWorkload
  ['Latitude', 'lat'], // sequence NetworkGeoLocation
  ['Longitude', 'lon'],
]);

/** Exceptions that depend on the parent member (PascalCase name of the containing member or list). */
const PARENT_EXCEPTIONS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ['ProductCodes', new Map([['Code', 'productCodeId'], ['ProductType', 'productCodeType']])],
  ['Account', new Map([['Name', 'account']])], // sequence actors[].user.account
  ['Ec2Instance', new Map([['IamInstanceProfile', 'IamInstanceProfile']])], // PascalCase on the wire too
]);

/** Members whose value is a map: how many levels of keys to keep verbatim. */
const MAP_MEMBERS: ReadonlyMap<string, number> = new Map([
  ['AffectedResources', 1],
  ['Profiles', 2],
  ['Behavior', 2],
]);

/** Deeper than any GuardDuty finding (≈12 levels); guards the recursion against hostile nesting. */
export const MAX_DEPTH = 256;

export class NestingTooDeepError extends Error {}

export function camelKey(key: string, parentKey?: string): string {
  if (parentKey !== undefined) {
    const byParent = PARENT_EXCEPTIONS.get(parentKey)?.get(key);
    if (byParent !== undefined) return byParent;
  }
  const ex = EXCEPTIONS.get(key);
  if (ex !== undefined) return ex;
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90 ? String.fromCharCode(c + 32) + key.slice(1) : key;
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

function map(value: unknown, verbatimLevels: number, depth: number, parentKey: string | undefined): unknown {
  if (depth > MAX_DEPTH) throw new NestingTooDeepError();
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = map(value[i], 0, depth + 1, parentKey);
    return out;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (verbatimLevels > 0) {
      define(out, k, map(v, verbatimLevels - 1, depth + 1, undefined));
    } else {
      define(out, camelKey(k, parentKey), map(v, MAP_MEMBERS.get(k) ?? 0, depth + 1, k));
    }
  }
  return out;
}

/** The camelCase wire form of a PascalCase finding. Throws NestingTooDeepError past MAX_DEPTH levels. */
export function pascalToCamel(value: unknown): unknown {
  return map(value, 0, 0, undefined);
}

/** True when a finding object uses PascalCase member names (CLI / SDK output) rather than the wire's camelCase. */
export function isPascalCaseFinding(obj: { readonly [k: string]: unknown }): boolean {
  if (Object.hasOwn(obj, 'type') || Object.hasOwn(obj, 'resource') || Object.hasOwn(obj, 'id')) return false;
  return Object.hasOwn(obj, 'Type') || Object.hasOwn(obj, 'Resource') || Object.hasOwn(obj, 'Id') || Object.hasOwn(obj, 'AccountId');
}
