/**
 * A Malware Protection for S3 scan result that found threats, as the finding the engine responds to: type
 * `Object:S3/MaliciousFile` (what GuardDuty itself reports for the same object when a detector is enabled, so the
 * same policy rules apply), one `s3-object` subject (bucket, key, version, ETag), severity 8 (GuardDuty's for
 * MaliciousFile). Any other result (NO_THREATS_FOUND, UNSUPPORTED, ACCESS_DENIED, FAILED) is undefined: the object
 * is never touched. Pure.
 */
import { parseFindingType } from './finding-type.js';
import type { Finding, MalwareScanResult, Subject } from './model.js';
import { severityBand } from './severity.js';

export const SCAN_RESULT_FINDING_TYPE = 'Object:S3/MaliciousFile';
export const SCAN_RESULT_SEVERITY = 8;
const SEVERITY = SCAN_RESULT_SEVERITY;

export function scanResultFinding(scan: MalwareScanResult): Finding | undefined {
  if (scan.scanResultStatus !== 'THREATS_FOUND') return undefined;
  const scanned = scan.subjects[0];
  if (scanned?.kind !== 'malware-scan-object') return undefined;
  const d = scanned.details;
  const subject: Subject = {
    ...scanned,
    kind: 's3-object',
    details: { bucket: d.bucket, key: d.key, versionId: d.versionId, eTag: d.eTag, hash: undefined },
  };
  // One finding per scanned object version and event: a re-delivery of the event is the same finding.
  const id = `malware-scan-${scan.eventId ?? `${scan.bucketName}/${scan.objectKey}@${scan.versionId ?? 'null'}`}`;
  return {
    kind: 'finding',
    source: scan.source,
    id,
    arn: `arn:aws:guardduty:${scan.region}:${scan.accountId}:malware-scan/${id}`,
    accountId: scan.accountId,
    region: scan.region,
    partition: 'aws',
    type: parseFindingType(SCAN_RESULT_FINDING_TYPE),
    severity: SEVERITY,
    band: severityBand(SEVERITY),
    title: `Malware Protection for S3 found ${scan.threats.join(', ') || 'a threat'} in s3://${scan.bucketName}/${scan.objectKey}`,
    createdAt: scan.time,
    updatedAt: scan.time,
    count: 1,
    sample: false,
    archived: false,
    resourceType: 'S3Object',
    featureName: 'MalwareProtectionPlan',
    subjects: [subject],
    raw: scan.raw,
    ...(scan.eventId !== undefined ? { eventId: scan.eventId } : {}),
  };
}
