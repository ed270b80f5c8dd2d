/**
 * The evidence bucket: Object Lock (GOVERNANCE or COMPLIANCE, default retention configurable) on a versioned,
 * SSE-KMS bucket with its own key, so case bundles and action logs stay immutable for the retention period
 * (containment-playbooks.md §1.4). Puts naming any other KMS key are refused by the bucket policy.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { accountRootAdminStatement, policyJson, withTags } from './common.js';
import type { ArnContext, ResourcePolicyStatement, Tags } from './common.js';
import { SecureBucket } from './secure-bucket.js';

export interface EvidenceStoreArgs {
  readonly ctx: ArnContext;
  readonly objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly retentionDays: number;
  readonly forceDestroy: boolean;
  readonly tags: Tags;
}

export class EvidenceStore extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly bucket: SecureBucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: EvidenceStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:EvidenceStore', name, {}, opts);
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: 'Tourniquet: evidence bucket',
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyJson([accountRootAdminStatement(args.ctx)]),
        tags: withTags(args.tags),
      },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    new aws.kms.Alias(`${name}-key-alias`, { namePrefix: 'alias/tourniquet-evidence-', targetKeyId: this.key.keyId }, { parent: this });

    this.bucket = new SecureBucket(
      `${name}-bucket`,
      {
        bucketPrefix: 'tourniquet-evidence-',
        kmsKeyArn: this.key.arn,
        objectLock: { mode: args.objectLockMode, days: args.retentionDays },
        // Locked versions cannot expire early anyway; only clean up abandoned uploads.
        lifecycleRules: [{ id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        forceDestroy: args.forceDestroy,
        tags: args.tags,
        policyStatements: (bucketArn) =>
          pulumi.all([bucketArn, this.key.arn]).apply(([arn, keyArn]): ResourcePolicyStatement[] => [
            {
              Sid: 'DenyOtherKmsKeys',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: `${arn}/*`,
              Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
            },
            {
              Sid: 'DenyNonKmsEncryption',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: `${arn}/*`,
              Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            },
          ]),
      },
      { parent: this },
    );
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, keyArn: this.keyArn });
  }
}
