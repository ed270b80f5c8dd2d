/**
 * CrossGuard: no public bucket. Every bucket has all four Block Public Access settings on, no public ACL (inline
 * or BucketAcl), no website configuration (the seed exported a website endpoint), no bucket-policy statement that
 * allows everyone (`Principal: "*"`) without a condition, and no object with a public ACL.
 */
import type { ReportViolation, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { T, asArray, isBucket, policyStatements, prop, refersToBucket, strings } from './resource-view.js';
import type { ResourceView } from './resource-view.js';

const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const PUBLIC_GRANTEES = ['http://acs.amazonaws.com/groups/global/AllUsers', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'];
const BLOCK_SETTINGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'] as const;

function principalIsEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal === 'object' && principal !== null) {
    return strings((principal as { AWS?: unknown }).AWS).includes('*');
  }
  return false;
}

export function checkPublicBuckets(resources: readonly ResourceView[], report: ReportViolation): void {
  const blocks = resources.filter((r) => r.type === T.publicAccessBlock);
  for (const bucket of resources.filter(isBucket)) {
    const block = blocks.find((b) => refersToBucket(b, bucket));
    const missing = block === undefined ? [...BLOCK_SETTINGS] : BLOCK_SETTINGS.filter((s) => prop(block, s) !== true);
    if (missing.length > 0) report(`S3 bucket ${bucket.name}: Block Public Access not fully on (${missing.join(', ')})`, bucket.urn);
    const acl = prop(bucket, 'acl');
    if (typeof acl === 'string' && PUBLIC_ACLS.has(acl)) report(`S3 bucket ${bucket.name} has public ACL ${acl}`, bucket.urn);
    if (prop(bucket, 'website') !== undefined) report(`S3 bucket ${bucket.name} has a website configuration`, bucket.urn);
  }
  for (const r of resources) {
    if (r.type === T.bucketWebsite || r.type === T.bucketWebsiteV2) {
      report(`${r.name}: S3 website configuration (buckets are private; export the bucket name and ARN instead)`, r.urn);
    } else if (r.type === T.bucketAcl || r.type === T.bucketAclV2) {
      const acl = prop(r, 'acl');
      const grants = asArray((prop<{ grants?: unknown }>(r, 'accessControlPolicy') ?? {}).grants);
      const publicGrant = grants.some((g) => PUBLIC_GRANTEES.includes(String((g as { grantee?: { uri?: unknown } }).grantee?.uri)));
      if ((typeof acl === 'string' && PUBLIC_ACLS.has(acl)) || publicGrant) report(`${r.name}: public bucket ACL`, r.urn);
    } else if (r.type === T.bucketObject) {
      const acl = prop(r, 'acl');
      if (typeof acl === 'string' && PUBLIC_ACLS.has(acl)) report(`${r.name}: object with public ACL ${acl}`, r.urn);
    } else if (r.type === T.bucketPolicy) {
      const statements = policyStatements(prop(r, 'policy'));
      if (statements === undefined) {
        report(`${r.name}: bucket policy is not a readable JSON document`, r.urn);
        continue;
      }
      for (const s of statements) {
        if (s.Effect === 'Allow' && principalIsEveryone(s.Principal) && s.Condition === undefined) {
          report(`${r.name}: statement ${s.Sid ?? '(no Sid)'} allows everyone without a condition`, r.urn);
        }
      }
    }
  }
}

export const noPublicBuckets: StackValidationPolicy = {
  name: 'tourniquet-no-public-buckets',
  description: 'Every bucket blocks public access; no public ACLs, website configurations or unconditioned public policy statements.',
  enforcementLevel: 'mandatory',
  validateStack: (args: StackValidationArgs, report: ReportViolation) => checkPublicBuckets(args.resources, report),
};
