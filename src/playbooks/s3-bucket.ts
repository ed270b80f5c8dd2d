/**
 * The S3 bucket playbook (`Exfiltration:S3/*`, `Impact:S3/*`, `Policy:S3/*`, `UnauthorizedAccess:S3/*`,
 * `Discovery:S3/*`, `PenTest:S3/*`, `Stealth:S3/*`): the configuration into the evidence first, then public access
 * blocked, ACLs disabled, the acting principal denied in the bucket policy, and versioning on so later overwrites
 * and deletes keep the previous version. The steps are independent: a failed evidence capture or a refused ACL
 * change never keeps the attacker's access open. A bucket named by an `Object:S3/*` (malware) finding only gets its
 * configuration recorded: the object's own incident handles the file.
 * The actor (access key, IAM user, role session) is a subject of its own and gets its own incident where its
 * playbook exists. Pure: no I/O.
 */
import { z } from 'zod';
import { blockPublicAccess } from '../actions/s3-block-public-access.js';
import { captureBucketConfig } from '../actions/s3-capture-bucket-config.js';
import { denyPrincipal } from '../actions/s3-deny-principal.js';
import { enableVersioning } from '../actions/s3-enable-versioning.js';
import { enforceBucketOwner } from '../actions/s3-enforce-bucket-owner.js';
import type { PlanStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';
import { denyTargetOf } from './s3-deny-target.js';

export const S3_BUCKET_PLAYBOOK = 's3-bucket';

const S3BucketOptionsSchema = z.strictObject({
  // Public sites and datasets break when public access is blocked: `false` leaves the step out.
  blockPublicAccess: z.boolean({ error: 'true or false' }).optional(),
  // `false` leaves ACLs as they are (BucketOwnerEnforced disables them).
  disableAcls: z.boolean({ error: 'true or false' }).optional(),
  // `false` leaves versioning as it is (release can only suspend it, never return the bucket to unversioned).
  enableVersioning: z.boolean({ error: 'true or false' }).optional(),
});

export const S3_BUCKET_STEPS = {
  'capture-config': captureBucketConfig,
  'block-public-access': blockPublicAccess,
  'disable-acls': enforceBucketOwner,
  // Only when the finding names the actor (principal id, IAM user or public source IP).
  'deny-principal': denyPrincipal,
  'enable-versioning': enableVersioning,
} as const;

function planSteps({ finding, subject, options, step }: PlanArgs<'s3-bucket', typeof S3_BUCKET_STEPS, typeof S3BucketOptionsSchema>): PlanStep[] {
  const bucket = subject.details.bucketName;
  const base = { bucket };
  const steps: PlanStep[] = [
    step('capture-config', { input: base, dependsOn: [], description: 'Record policy, ACL, public access block, ownership, versioning, logging, replication, encryption, lifecycle and tags' }),
  ];
  if (finding.type.threatPurpose === 'Object') return steps;
  const after = ['capture-config'] as const;
  if (options.blockPublicAccess !== false) {
    steps.push(step('block-public-access', { input: base, dependsOn: [], after, description: 'All four public-access-block flags on for the bucket (breaks public sites)' }));
  }
  if (options.disableAcls !== false) {
    steps.push(step('disable-acls', { input: base, dependsOn: [], after, description: 'Object ownership BucketOwnerEnforced: every ACL grant stops working' }));
  }
  const target = denyTargetOf(finding);
  if (target !== undefined) {
    steps.push(
      step('deny-principal', {
        input: { ...base, target },
        dependsOn: [],
        after,
        description: `Deny ${target.kind} ${target.value} on the bucket (a statement merged into its policy; everyone else unaffected)`,
      }),
    );
  }
  if (options.enableVersioning !== false) {
    steps.push(step('enable-versioning', { input: base, dependsOn: [], after, description: 'Versioning on, so overwrites and deletes keep the previous version (release: Suspended)' }));
  }
  return steps;
}

export const s3BucketPlaybook = definePlaybook({
  name: S3_BUCKET_PLAYBOOK,
  subjectKinds: ['s3-bucket'],
  steps: S3_BUCKET_STEPS,
  options: S3BucketOptionsSchema,
  plan: planSteps,
});
