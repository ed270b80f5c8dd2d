/**
 * An S3 bucket with the settings every Tourniquet bucket needs: SSE-KMS with a customer-managed key and an S3
 * Bucket Key, versioning, all four Block Public Access settings, ACLs disabled (BucketOwnerEnforced), a bucket
 * policy that denies any request not made over TLS (plus the caller's statements), optional Object Lock and
 * lifecycle rules. Never a website endpoint.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyJson, withTags } from './common.js';
import type { ResourcePolicyStatement, Tags } from './common.js';

export interface SecureBucketArgs {
  /** Prefix of the generated bucket name (≤ 37 characters, lower case). */
  readonly bucketPrefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  readonly lifecycleRules?: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
  /** Statements added to the bucket policy after the TLS-only deny, built from the bucket ARN. */
  readonly policyStatements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<ResourcePolicyStatement[]>;
  readonly forceDestroy: boolean;
  readonly tags: Tags;
}

export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly versioning: aws.s3.BucketVersioning;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly ownership: aws.s3.BucketOwnershipControls;
  readonly policy: aws.s3.BucketPolicy;
  readonly objectLock?: aws.s3.BucketObjectLockConfiguration;
  readonly lifecycle?: aws.s3.BucketLifecycleConfiguration;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:SecureBucket', name, {}, opts);
    const parent = { parent: this };

    this.bucket = new aws.s3.Bucket(
      `${name}`,
      {
        bucketPrefix: args.bucketPrefix,
        forceDestroy: args.forceDestroy,
        // Object Lock can only be turned on when the bucket is created.
        ...(args.objectLock !== undefined ? { objectLockEnabled: true } : {}),
        tags: withTags(args.tags),
      },
      parent,
    );
    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;

    this.ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      parent,
    );
    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.kmsKeyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      parent,
    );
    this.versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } },
      parent,
    );
    if (args.objectLock !== undefined) {
      this.objectLock = new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket: this.bucket.id,
          objectLockEnabled: 'Enabled',
          rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
        },
        { parent: this, dependsOn: [this.versioning] },
      );
    }
    if (args.lifecycleRules !== undefined && args.lifecycleRules.length > 0) {
      this.lifecycle = new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        { bucket: this.bucket.id, rules: args.lifecycleRules },
        { parent: this, dependsOn: [this.versioning] },
      );
    }

    const arn = this.bucket.arn;
    const extra = args.policyStatements?.(arn) ?? [];
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: this.bucket.id,
        policy: pulumi.all([arn, extra]).apply(([bucketArn, statements]) =>
          policyJson([
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, `${bucketArn}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            ...(statements as ResourcePolicyStatement[]),
          ]),
        ),
      },
      // Block Public Access first, so the policy is checked against it; ownership before any object arrives.
      { parent: this, dependsOn: [this.publicAccessBlock, this.ownership] },
    );

    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
