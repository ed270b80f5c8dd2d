/**
 * GuardDuty findings export to S3 (the seed's missing pieces): a KMS key GuardDuty may use (rotation on; key policy
 * lets `guardduty.amazonaws.com` GenerateDataKey only for this account's detector), the findings bucket (secure
 * defaults, lifecycle on the export prefix) with the bucket policy of guardduty-findings.md §1.5 carrying the exact
 * key and detector ARNs, and the PublishingDestination with the mandatory `kmsKeyArn`, created only after both
 * policies exist.
 *
 * The same bucket holds the threat lists under `lists/`; GuardDuty's service-linked role may decrypt them.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { accountRootAdminStatement, guardDutyServicePrincipal, policyJson, withTags } from './common.js';
import type { ArnContext, ResourcePolicyStatement, Tags } from './common.js';
import { SecureBucket } from './secure-bucket.js';

export const LISTS_PREFIX = 'lists/';

export interface FindingsExportArgs {
  readonly ctx: ArnContext;
  readonly detectorId: pulumi.Input<string>;
  readonly detectorArn: pulumi.Input<string>;
  /** Folder inside the bucket for the export ('' = bucket root). */
  readonly exportPrefix: string;
  readonly transitionDays: number;
  readonly expirationDays: number;
  /** Let GuardDuty's service-linked role decrypt list objects (needed when threat lists live in this bucket). */
  readonly allowListReads: boolean;
  readonly forceDestroy: boolean;
  readonly tags: Tags;
}

/** Key prefix of the objects GuardDuty writes: `<prefix>/AWSLogs/<account>/GuardDuty/<Region>/…`. */
export function exportObjectsPrefix(exportPrefix: string): string {
  return exportPrefix === '' ? 'AWSLogs/' : `${exportPrefix}/AWSLogs/`;
}

/** The bucket policy statements of guardduty-findings.md §1.5, with exact key and detector ARNs. */
export function guardDutyExportBucketStatements(p: {
  readonly bucketArn: string;
  readonly exportPrefix: string;
  readonly keyArn: string;
  readonly detectorArn: string;
  readonly accountId: string;
  readonly servicePrincipal: string;
}): ResourcePolicyStatement[] {
  const objects = p.exportPrefix === '' ? `${p.bucketArn}/*` : `${p.bucketArn}/${p.exportPrefix}/*`;
  const principal = { Service: p.servicePrincipal };
  const source = { 'aws:SourceAccount': p.accountId, 'aws:SourceArn': p.detectorArn };
  return [
    {
      Sid: 'AllowGuardDutyGetBucketLocation',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:GetBucketLocation',
      Resource: p.bucketArn,
      Condition: { StringEquals: source },
    },
    {
      Sid: 'AllowGuardDutyPutObject',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { StringEquals: source },
    },
    {
      Sid: 'DenyUnencryptedObjectUploads',
      Effect: 'Deny',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    },
    {
      Sid: 'DenyIncorrectEncryptionHeader',
      Effect: 'Deny',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: objects,
      // The exact key ARN: a wildcard here made GuardDuty's verification fail (BadRequestException).
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': p.keyArn } },
    },
  ];
}

/** The findings key policy: account root administers; GuardDuty may GenerateDataKey for this detector only. */
export function findingsKeyPolicyStatements(p: {
  readonly ctx: ArnContext;
  readonly detectorArn: string;
  readonly servicePrincipal: string;
  readonly allowListReads: boolean;
}): ResourcePolicyStatement[] {
  const statements: ResourcePolicyStatement[] = [
    accountRootAdminStatement(p.ctx),
    {
      Sid: 'AllowGuardDutyKey',
      Effect: 'Allow',
      Principal: { Service: p.servicePrincipal },
      Action: 'kms:GenerateDataKey',
      // In a key policy, "*" is this key.
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': p.ctx.accountId, 'aws:SourceArn': p.detectorArn } },
    },
  ];
  if (p.allowListReads) {
    statements.push({
      Sid: 'AllowGuardDutyServiceRoleReadLists',
      Effect: 'Allow',
      Principal: {
        AWS: `arn:${p.ctx.partition}:iam::${p.ctx.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
  }
  return statements;
}

export class FindingsExport extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly bucket: SecureBucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly destination: aws.guardduty.PublishingDestination;
  readonly exportObjectsPrefix: string;

  constructor(name: string, args: FindingsExportArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:FindingsExport', name, {}, opts);
    const servicePrincipal = guardDutyServicePrincipal(args.ctx);
    this.exportObjectsPrefix = exportObjectsPrefix(args.exportPrefix);

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: 'Tourniquet: GuardDuty findings export and threat lists',
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.output(args.detectorArn).apply((detectorArn) =>
          policyJson(findingsKeyPolicyStatements({ ctx: args.ctx, detectorArn, servicePrincipal, allowListReads: args.allowListReads })),
        ),
        tags: withTags(args.tags),
      },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    new aws.kms.Alias(`${name}-key-alias`, { namePrefix: 'alias/tourniquet-findings-', targetKeyId: this.key.keyId }, { parent: this });

    const exportFilter = { prefix: this.exportObjectsPrefix };
    this.bucket = new SecureBucket(
      `${name}-bucket`,
      {
        bucketPrefix: 'tourniquet-findings-',
        kmsKeyArn: this.key.arn,
        forceDestroy: args.forceDestroy,
        tags: args.tags,
        lifecycleRules: [
          {
            // Only the export ages out: the threat lists under lists/ must stay readable.
            id: 'findings-export-tiering',
            status: 'Enabled',
            filter: exportFilter,
            transitions: [{ days: args.transitionDays, storageClass: 'GLACIER_IR' }],
            expiration: { days: args.expirationDays },
          },
          {
            id: 'noncurrent-versions',
            status: 'Enabled',
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
        policyStatements: (bucketArn) =>
          pulumi
            .all([bucketArn, this.key.arn, args.detectorArn])
            .apply(([arn, keyArn, detectorArn]) =>
              guardDutyExportBucketStatements({
                bucketArn: arn,
                exportPrefix: args.exportPrefix,
                keyArn,
                detectorArn,
                accountId: args.ctx.accountId,
                servicePrincipal,
              }),
            ),
      },
      { parent: this },
    );
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.arn;

    this.destination = new aws.guardduty.PublishingDestination(
      `${name}-destination`,
      {
        detectorId: args.detectorId,
        destinationType: 'S3',
        destinationArn: this.bucket.arn.apply((arn) => (args.exportPrefix === '' ? arn : `${arn}/${args.exportPrefix}/`)),
        kmsKeyArn: this.key.arn,
      },
      // GuardDuty verifies bucket and key access when the destination is created.
      { parent: this, dependsOn: [this.bucket.policy, this.bucket.encryption, this.key] },
    );

    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, keyArn: this.keyArn });
  }
}
