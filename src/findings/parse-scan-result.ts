/**
 * "GuardDuty Malware Protection Object Scan Result" events → `MalwareScanResult` (not a finding). The subject is
 * the scanned object (`malware-scan-object`, id `bucket/key`). Some type definitions spell `etag`; both are read.
 */
import type { AiReason, Json, MalwareScanResult } from './model.js';
import { nameReasons, objectKeyReason } from './ai-context.js';
import type { ResolvedOptions } from './parse-options.js';
import type { JsonObject, RecordContext } from './record-context.js';
import { otherSubject, type SubjectEnv } from './subjects/subject-env.js';
import { item, sub } from './json-path.js';

export interface ScanResultInput {
  readonly event: JsonObject;
  readonly detail: JsonObject;
  /** Context rooted at the event (`$`); detail paths are `.detail…`. */
  readonly ctx: RecordContext;
}

export function parseScanResult(input: ScanResultInput, options: ResolvedOptions): MalwareScanResult {
  const { event, detail, ctx } = input;
  const D = '.detail';
  const accountId = ctx.reqString(event, 'account', '');
  const region = ctx.reqString(event, 'region', '');
  const time = ctx.reqTimestamp(event, 'time', '');
  const eventId = ctx.optString(event, 'id', '');
  const scanStatus = ctx.reqString(detail, 'scanStatus', D);
  const obj = ctx.reqObject(detail, 's3ObjectDetails', D);
  const op = sub(D, 's3ObjectDetails');
  const bucketName = ctx.reqString(obj, 'bucketName', op);
  const objectKey = ctx.reqString(obj, 'objectKey', op);
  const versionId = ctx.optString(obj, 'versionId', op);
  const eTag = ctx.optString(obj, 'eTag', op) ?? ctx.optString(obj, 'etag', op);
  const result = ctx.reqObject(detail, 'scanResultDetails', D);
  const rp = sub(D, 'scanResultDetails');
  const scanResultStatus = ctx.reqString(result, 'scanResultStatus', rp);
  const threats: string[] = [];
  const list = ctx.optArray(result, 'threats', rp);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const t = ctx.element(list, i, sub(rp, 'threats'));
      if (t !== undefined) threats.push(ctx.reqString(t, 'name', item(sub(rp, 'threats'), i)));
    }
  }
  const env: SubjectEnv = { ctx, accountId, region, partition: 'aws', aiTagKeys: options.aiTagKeys, findingReasons: [] };
  const reasons: AiReason[] = [];
  objectKeyReason(objectKey, reasons);
  nameReasons('bucket', bucketName, reasons);
  const subject = otherSubject(env, 'malware-scan-object', { id: `${bucketName}/${objectKey}`, name: objectKey, reasons }, {
    bucket: bucketName,
    key: objectKey,
    versionId,
    eTag,
    scanStatus,
    scanResultStatus,
    threats,
  });
  const out: { -readonly [K in keyof MalwareScanResult]: MalwareScanResult[K] } = {
    kind: 'malware-scan-result',
    source: ctx.source,
    accountId,
    region,
    time,
    scanStatus,
    scanResultStatus,
    bucketName,
    objectKey,
    threats,
    subjects: [subject],
    raw: event as Json,
  };
  if (versionId !== undefined) out.versionId = versionId;
  if (eTag !== undefined) out.eTag = eTag;
  if (eventId !== undefined) out.eventId = eventId;
  return out;
}
