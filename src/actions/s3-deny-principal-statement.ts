/**
 * The bucket-policy statement that denies the acting principal of a finding, and its merge into / removal from a
 * bucket policy. Pure. The statement is `Principal: "*"` with a condition that matches the attacker only, so the
 * responder and the account's administrators are never locked out:
 * - `aws:userid` (StringEquals) when the finding names the principal id (an IAM user's `AIDA…`, a role session's
 *   `AROA…:session`): the tightest key, one user or one role session, and a same-named user created later is not hit;
 * - `aws:PrincipalArn` (ArnEquals) for an IAM user known by name only;
 * - `aws:SourceIp` (IpAddress, one /32 or /128) when only the caller's address is known. It does not match requests
 *   that arrive through a VPC endpoint (those carry aws:VpcSourceIp), which is why it is the last resort.
 * Access key ids are not a condition key in bucket policies, so a key is denied through its principal.
 */
import { z } from 'zod';
import { canonicalJson } from './action-support.js';

export const DenyTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('userid'), value: z.string().regex(/^(A[A-Z0-9]{15,127}(:[\w+=,.@-]{2,64})?|\d{12})$/, { error: 'a principal id (AIDA…, AROA…:session)' }) }),
  z.strictObject({ kind: z.literal('principal-arn'), value: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:user\/[\w+=,.@/-]+$/, { error: 'an IAM user ARN' }) }),
  z.strictObject({ kind: z.literal('source-ip'), value: z.string().regex(/^[0-9a-fA-F.:]+$/, { error: 'an IP address' }) }),
]);
export type DenyTarget = z.infer<typeof DenyTargetSchema>;

export type PolicyStatement = Record<string, unknown>;
export type PolicyDocument = { Version?: string; Id?: string; Statement: PolicyStatement | PolicyStatement[]; [k: string]: unknown };

/** Sids allow letters and digits only (IAM's rule; S3 is looser): the case id with everything else dropped. */
export function denySid(caseId: string): string {
  return `TourniquetDeny${caseId.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100);
}

function condition(target: DenyTarget): Record<string, Record<string, string>> {
  switch (target.kind) {
    case 'userid':
      return { StringEquals: { 'aws:userid': target.value } };
    case 'principal-arn':
      return { ArnEquals: { 'aws:PrincipalArn': target.value } };
    case 'source-ip':
      return { IpAddress: { 'aws:SourceIp': target.value.includes(':') ? `${target.value}/128` : `${target.value}/32` } };
  }
}

export function denyStatement(bucket: string, partition: string, caseId: string, target: DenyTarget): PolicyStatement {
  return {
    Sid: denySid(caseId),
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: condition(target),
  };
}

const statementsOf = (doc: PolicyDocument): PolicyStatement[] => (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]);

/** The policy with `statement` added (replacing one with the same Sid); every other statement kept as it is. */
export function mergeStatement(policy: string | null, statement: PolicyStatement): string {
  if (policy === null) return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const doc = JSON.parse(policy) as PolicyDocument;
  const others = statementsOf(doc).filter((s) => s['Sid'] !== statement['Sid']);
  return JSON.stringify({ ...doc, Statement: [...others, statement] });
}

export function hasStatement(policy: string | null, statement: PolicyStatement): boolean {
  if (policy === null) return false;
  const want = canonicalJson(statement);
  return statementsOf(JSON.parse(policy) as PolicyDocument).some((s) => canonicalJson(s) === want);
}

/**
 * The policy without the statement `sid`: `original` itself when what is left is the original (JSON-equal, a single
 * statement object and a one-element array counted equal), null when nothing is left and there was no policy before,
 * else the current document minus that statement (changes made by others meanwhile are kept).
 */
export function removeStatement(current: string | null, sid: string, original: string | null): string | null | 'unchanged' {
  if (current === null) return 'unchanged';
  const doc = JSON.parse(current) as PolicyDocument;
  const all = statementsOf(doc);
  const rest = all.filter((s) => s['Sid'] !== sid);
  if (rest.length === all.length) return 'unchanged';
  // S3 refuses a policy without statements: none left means no policy.
  if (rest.length === 0) return null;
  const remaining = { ...doc, Statement: rest };
  if (original !== null) {
    const o = JSON.parse(original) as PolicyDocument;
    if (canonicalJson({ ...o, Statement: statementsOf(o) }) === canonicalJson(remaining)) return original;
  }
  return JSON.stringify(remaining);
}
