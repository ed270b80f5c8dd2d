/**
 * The finding-type grammar: `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`.
 * Family names keep literal `&` (`C&CActivity`); mechanism and artifact are optional
 * (`Object:S3/MaliciousFile`, `Backdoor:EC2/C&CActivity.B!DNS`,
 * `PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer`).
 * A string that does not match is not a GuardDuty type: the finding is rejected at `$.type`.
 */
import { FindingParseError, describeValue } from '../errors.js';
import type { FindingType } from './model.js';

const TYPE_PATTERN = /^([A-Za-z][A-Za-z0-9]*):([A-Za-z][A-Za-z0-9]*)\/([^.!\s]+)(?:\.([^!\s]+))?(?:!(\S+))?$/;

export const FINDING_TYPE_GRAMMAR = 'a finding type ThreatPurpose:ResourceTypeAffected/ThreatFamilyName[.DetectionMechanism][!Artifact]';

/** Parsed types are shared and frozen; the cache is bounded so hostile input cannot grow it without limit. */
const cache = new Map<string, FindingType>();
const CACHE_LIMIT = 4096;

/** The parsed type, or undefined when the string does not follow the grammar. */
export function tryParseFindingType(type: string): FindingType | undefined {
  const hit = cache.get(type);
  if (hit !== undefined) return hit;
  const m = TYPE_PATTERN.exec(type);
  if (m === null) return undefined;
  const mechanism = m[4];
  const parsed: FindingType = Object.freeze({
    raw: type,
    threatPurpose: m[1]!,
    resourceTypeAffected: m[2]!,
    family: m[3]!,
    ...(mechanism !== undefined ? { mechanism } : {}),
    ...(m[5] !== undefined ? { artifact: m[5] } : {}),
    custom: mechanism !== undefined && mechanism.split('.').includes('Custom'),
  });
  if (cache.size < CACHE_LIMIT && type.length <= 200) cache.set(type, parsed);
  return parsed;
}

/** Parses a finding type string; throws FindingParseError when it does not follow the grammar. */
export function parseFindingType(type: string): FindingType {
  const parsed = typeof type === 'string' ? tryParseFindingType(type) : undefined;
  if (parsed === undefined) throw new FindingParseError({ name: 'finding type' }, '$', FINDING_TYPE_GRAMMAR, describeValue(type));
  return parsed;
}
