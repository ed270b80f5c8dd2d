/**
 * Security Hub's format (ASFF: `SchemaVersion`, `ProductArn`, `Types`, `Resources`) is what a user who reads findings
 * in Security Hub most likely has at hand, GuardDuty's included. It was rejected as a GuardDuty finding missing its
 * `type`; it is named as ASFF instead, with the way to get GuardDuty's own finding where the ASFF one came from it.
 */
import { FindingParseError, describeValue, type SourceRef } from '../errors.js';
import type { JsonObject } from './record-context.js';

const EXPECTED = 'a GuardDuty finding (Tourniquet reads GuardDuty findings: an EventBridge "GuardDuty Finding" event, the findings export, or `aws guardduty get-findings`; not Security Hub\'s ASFF)';
// `arn:aws:guardduty:<region>:<account>:detector/<detector>/finding/<finding>`, the Id GuardDuty gives its ASFF findings.
const GUARDDUTY_ASFF_ID = /^arn:aws[\w-]*:guardduty:[\w-]+:\d{12}:detector\/(\w+)\/finding\/(\w+)$/;

export function isAsffFinding(value: JsonObject): boolean {
  return typeof value.SchemaVersion === 'string' && typeof value.ProductArn === 'string';
}

/** The rejection of an ASFF finding at `root`. */
export function asffRejection(value: JsonObject, source: SourceRef, root: string): FindingParseError {
  const m = typeof value.Id === 'string' ? GUARDDUTY_ASFF_ID.exec(value.Id) : null;
  const fetch = m !== null ? `; GuardDuty's own: aws guardduty get-findings --detector-id ${m[1]!} --finding-ids ${m[2]!}` : '';
  return new FindingParseError(source, root, EXPECTED, `what looks like a Security Hub ASFF finding (SchemaVersion ${describeValue(value.SchemaVersion)}, ProductArn ${describeValue(value.ProductArn)})${fetch}`);
}

/** The rejection of a Security Hub EventBridge event (`Security Hub Findings - Imported`): its findings are ASFF. */
export function isSecurityHubEvent(detailType: unknown): boolean {
  return typeof detailType === 'string' && detailType.startsWith('Security Hub Findings');
}

export function securityHubEventRejection(detailType: string, source: SourceRef, root: string): FindingParseError {
  return new FindingParseError(source, `${root}["detail-type"]`, EXPECTED, `a Security Hub event (${describeValue(detailType)}), whose findings are in ASFF`);
}
