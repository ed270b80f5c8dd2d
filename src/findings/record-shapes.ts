/**
 * Recognizes what a parsed JSON value is and turns it into records:
 * - an EventBridge event (`detail-type` "GuardDuty Finding" → Finding; "GuardDuty Malware Protection Object Scan
 *   Result" → MalwareScanResult; any other detail-type → a typed rejection naming it),
 * - a bare finding (camelCase as in S3 exports, or PascalCase as printed by the AWS CLI / SDK),
 * - an array of either, or `{"Findings": [...]}` (`aws guardduty get-findings`) / `{"findings": [...]}` (REST).
 */
import { FindingParseError, describeValue } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { asffRejection, isAsffFinding, isSecurityHubEvent, securityHubEventRejection } from './asff.js';
import type { GuardDutyRecord } from './model.js';
import { MAX_NESTING, nestedDeeperThan, tooDeepPath } from './nesting.js';
import { MAX_DEPTH, NestingTooDeepError, isPascalCaseFinding, pascalToCamel } from './pascal-case.js';
import { parseFindingObject } from './parse-finding.js';
import type { ResolvedOptions } from './parse-options.js';
import { parseScanResult } from './parse-scan-result.js';
import { RecordContext, isObject, type JsonObject } from './record-context.js';

export const FINDING_DETAIL_TYPE = 'GuardDuty Finding';
export const SCAN_RESULT_DETAIL_TYPE = 'GuardDuty Malware Protection Object Scan Result';
const SUPPORTED = `detail-type "${FINDING_DETAIL_TYPE}" or "${SCAN_RESULT_DETAIL_TYPE}" (other GuardDuty detail-types are not supported)`;

export type RecordSink = (result: GuardDutyRecord | FindingParseError) => void;

function isEvent(v: JsonObject): boolean {
  return Object.hasOwn(v, 'detail-type') || (Object.hasOwn(v, 'detail') && Object.hasOwn(v, 'source'));
}

/** `Findings` / `findings` when `value` is a finding-list document, else undefined. */
export function findingListKey(value: unknown): string | undefined {
  return isObject(value) ? findingList(value)?.key : undefined;
}

/** The finding list of a `{"Findings": [...]}` / `{"findings": [...]}` document, if `v` is one. */
function findingList(v: JsonObject): { key: string; list: readonly unknown[] } | undefined {
  if (Object.hasOwn(v, 'id') || Object.hasOwn(v, 'type') || Object.hasOwn(v, 'Id') || Object.hasOwn(v, 'Type')) return undefined;
  for (const key of ['Findings', 'findings']) {
    const list = v[key];
    if (Array.isArray(list)) return { key, list };
  }
  return undefined;
}

/** Parses a finding object found at `root`; maps PascalCase first (paths then use the input's own names). */
function findingAt(obj: JsonObject, source: SourceRef, root: string, options: ResolvedOptions, eventId?: string): GuardDutyRecord {
  if (isPascalCaseFinding(obj)) {
    let mapped: unknown;
    try {
      mapped = pascalToCamel(obj);
    } catch (err) {
      if (err instanceof NestingTooDeepError) {
        throw new FindingParseError(source, root, `JSON nested at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
      }
      throw err;
    }
    const ctx = new RecordContext(source, root, true);
    return parseFindingObject({ finding: mapped as JsonObject, ctx, original: obj, ...(eventId !== undefined ? { eventId } : {}) }, options);
  }
  const ctx = new RecordContext(source, root);
  // A literal, not a conditional spread: this runs for every record.
  return parseFindingObject(eventId === undefined ? { finding: obj, ctx } : { finding: obj, ctx, eventId }, options);
}

/** One record: an event or a finding object at `root` (throws FindingParseError). */
export function recordAt(value: unknown, source: SourceRef, root: string, options: ResolvedOptions): GuardDutyRecord {
  if (!isObject(value)) {
    throw new FindingParseError(source, root, 'a GuardDuty finding or EventBridge event (a JSON object)', describeValue(value));
  }
  // Before anything walks it: a record too deep to write as evidence must not reach the journal.
  if (nestedDeeperThan(value)) {
    throw new FindingParseError(source, root + (tooDeepPath(value) ?? ''), `JSON nested at most ${MAX_NESTING} levels deep`, 'deeper nesting');
  }
  if (!isEvent(value)) {
    if (isAsffFinding(value)) throw asffRejection(value, source, root);
    return findingAt(value, source, root, options);
  }
  const ctx = new RecordContext(source, root);
  const detailType = value['detail-type'];
  if (isSecurityHubEvent(detailType)) throw securityHubEventRejection(detailType as string, source, root);
  if (detailType === FINDING_DETAIL_TYPE) {
    const detail = ctx.reqObject(value, 'detail', '');
    const eventId = ctx.optString(value, 'id', '');
    return findingAt(detail, source, `${root}.detail`, options, eventId);
  }
  if (detailType === SCAN_RESULT_DETAIL_TYPE) {
    return parseScanResult({ event: value, detail: ctx.reqObject(value, 'detail', ''), ctx }, options);
  }
  throw new FindingParseError(source, `${root}["detail-type"]`, SUPPORTED, describeValue(detailType));
}

/**
 * Every record in a parsed JSON value, in order, each to `sink` (a record or its rejection). Arrays and finding
 * lists give each element its `index` in the source.
 */
export function collectValue(value: unknown, source: SourceRef, options: ResolvedOptions, sink: RecordSink): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collectOne(value[i], { ...source, index: i }, `$[${i}]`, options, sink);
    return;
  }
  const list = isObject(value) ? findingList(value) : undefined;
  if (list !== undefined) {
    for (let i = 0; i < list.list.length; i++) collectOne(list.list[i], { ...source, index: i }, `$.${list.key}[${i}]`, options, sink);
    return;
  }
  collectOne(value, source, '$', options, sink);
}

function collectOne(value: unknown, source: SourceRef, root: string, options: ResolvedOptions, sink: RecordSink): void {
  let record: GuardDutyRecord;
  try {
    record = recordAt(value, source, root, options);
  } catch (err) {
    if (err instanceof FindingParseError) {
      sink(err);
      return;
    }
    throw err;
  }
  sink(record);
}
