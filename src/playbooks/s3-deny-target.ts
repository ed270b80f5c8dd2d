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
  if (ip !== undefined) {
    try {
      return { kind: 'source-ip', value: parsePublicIpv4(ip).address };
    } catch {
      // Private, reserved or IPv6: not something a bucket policy can usefully match (VPC endpoint traffic has no aws:SourceIp).
      return undefined;
    }
  }
  return undefined;
}
