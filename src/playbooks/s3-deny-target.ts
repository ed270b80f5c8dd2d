/**
 * Who the bucket's deny statement names, from the finding: the principal id of `resource.accessKeyDetails` (an
 * IAM user's `AIDA…` or a role session's `AROA…:session`, matched as `aws:userid`), else an IAM user's ARN from its
 * name, else the caller's public IPv4 address. Undefined when the finding names none of them (no deny step).
 * Pure.
 */
import { DenyTargetSchema, type DenyTarget } from '../actions/s3-deny-principal-statement.js';
import type { Finding } from '../findings/model.js';
import { parsePublicIpv4 } from '../lists/threat-list-text.js';

export function denyTargetOf(finding: Finding): DenyTarget | undefined {
  const key = finding.subjects.find((s) => s.kind === 'access-key');
  const d = key?.kind === 'access-key' ? key.details : undefined;
  // AWS services acting on the bucket are never denied.
  if (d?.userType === 'AWSService') return undefined;
  const principalId = d?.principalId ?? undefined;
  if (principalId !== undefined) {
    const parsed = DenyTargetSchema.safeParse({ kind: 'userid', value: principalId });
    if (parsed.success) return parsed.data;
  }
  const userName = d?.userName ?? undefined;
  if (d?.userType === 'IAMUser' && userName !== undefined) {
    const parsed = DenyTargetSchema.safeParse({ kind: 'principal-arn', value: `arn:${finding.partition}:iam::${finding.accountId}:user/${userName}` });
    if (parsed.success) return parsed.data;
  }
  const ip = finding.actor?.remoteIp;
  if (ip === undefined) return undefined;
  // Drills (`tourniquet drill`) name an outside caller in a documentation range (RFC 5737): denied like a real one,
  // so a drill gets the plan a real finding gets (the statement matches no real caller).
  if (DOCUMENTATION_RANGES.test(ip)) return { kind: 'source-ip', value: ip };
  try {
    return { kind: 'source-ip', value: parsePublicIpv4(ip).address };
  } catch {
    // Private, reserved or IPv6: not something a bucket policy can usefully match (VPC endpoint traffic has no aws:SourceIp).
    return undefined;
  }
}

const DOCUMENTATION_RANGES = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
