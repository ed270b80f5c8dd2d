/** Small shared pieces of the infra components: the account/Region/partition context and policy document types. */
import * as aws from '@pulumi/aws';

export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** e.g. `amazonaws.com` (`amazonaws.com.cn` in China). */
  readonly dnsSuffix: string;
}

/** Reads the deploying account, Region and partition (invokes; answered by `call` under mocks). */
export async function lookupArnContext(): Promise<ArnContext> {
  const [identity, region, partition] = await Promise.all([aws.getCallerIdentity({}), aws.getRegion({}), aws.getPartition({})]);
  return { accountId: identity.accountId, region: region.region, partition: partition.partition, dnsSuffix: partition.dnsSuffix };
}

export type Principal = '*' | { readonly Service?: string | string[]; readonly AWS?: string | string[] };

/** A statement of a resource policy (bucket, queue, key policy): like an IAM statement, plus a Principal. */
export interface ResourcePolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: Principal;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ResourcePolicyDocument {
  Version: '2012-10-17';
  Id?: string;
  Statement: ResourcePolicyStatement[];
}

export function policyJson(statements: ResourcePolicyStatement[], id?: string): string {
  const doc: ResourcePolicyDocument = { Version: '2012-10-17', ...(id !== undefined ? { Id: id } : {}), Statement: statements };
  return JSON.stringify(doc);
}

/** Key-policy statement that keeps the account (and so IAM policies) in control of a key. */
export function accountRootAdminStatement(ctx: ArnContext): ResourcePolicyStatement {
  return {
    Sid: 'AccountRootAdministersKey',
    Effect: 'Allow',
    Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
}

/**
 * Opt-in Regions use a Regional GuardDuty service principal in bucket and key policies
 * (guardduty-findings.md §1.5); every other Region uses `guardduty.amazonaws.com`.
 */
const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

export function guardDutyServicePrincipal(ctx: ArnContext): string {
  return OPT_IN_REGIONS.has(ctx.region) ? `guardduty.${ctx.region}.amazonaws.com` : 'guardduty.amazonaws.com';
}

export function detectorArnFor(ctx: ArnContext, detectorId: string): string {
  return `arn:${ctx.partition}:guardduty:${ctx.region}:${ctx.accountId}:detector/${detectorId}`;
}

export type Tags = Record<string, string>;

export function withTags(base: Tags, extra: Tags = {}): Tags {
  return { 'tourniquet:managed-by': 'pulumi', ...base, ...extra };
}
