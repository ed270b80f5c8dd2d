/**
 * The Lambda's side of the findings rule: the same intake (src/policy/finding-intake.ts) built from the threshold and
 * prefixes the Pulumi program passes, so findings from S3 export objects (which no EventBridge rule filters) are
 * admitted exactly as the rule admits events.
 */
import type { Finding } from '../findings/model.js';
import { admitFinding, findingIntake, type FindingIntake, type IntakeVerdict } from '../policy/finding-intake.js';
import type { Policy } from '../policy/policy.js';
import type { LambdaConfig } from './lambda-config.js';

/** The intake, or undefined when no threshold is configured (every finding is handled). */
export function lambdaIntake(config: LambdaConfig, policy: Policy): FindingIntake | undefined {
  if (config.TOURNIQUET_SEVERITY_THRESHOLD === undefined) return undefined;
  const prefixes = (config.TOURNIQUET_FINDING_TYPE_PREFIXES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return findingIntake(policy, { severityThreshold: config.TOURNIQUET_SEVERITY_THRESHOLD, findingTypePrefixes: prefixes });
}

/** Why a finding is not handled, or undefined when it is. */
export function refusedByIntake(intake: FindingIntake | undefined, finding: Finding): string | undefined {
  if (intake === undefined) return undefined;
  const verdict: IntakeVerdict = admitFinding(intake, { type: finding.type.raw, severity: finding.severity });
  return verdict.admitted ? undefined : verdict.why;
}
