/**
 * CrossGuard: encryption at rest everywhere Tourniquet keeps data. S3 buckets have SSE-KMS default encryption
 * (inline or a BucketServerSideEncryptionConfiguration); SQS queues use a KMS key or SQS-managed SSE; SNS topics a
 * KMS key; DynamoDB tables SSE enabled; KMS keys rotate; Lambda environment variables carry no secrets.
 */
import type { ReportViolation, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { T, asArray, isBucket, prop, refersToBucket } from './resource-view.js';
import type { ResourceView } from './resource-view.js';

const KMS_ALGORITHMS = new Set(['aws:kms', 'aws:kms:dsse']);
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|WEBHOOK/i;

function kmsRule(rule: unknown): boolean {
  const byDefault = (rule as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: unknown } } | undefined)?.applyServerSideEncryptionByDefault;
  return typeof byDefault?.sseAlgorithm === 'string' && KMS_ALGORITHMS.has(byDefault.sseAlgorithm);
}

export function checkEncryption(resources: readonly ResourceView[], report: ReportViolation): void {
  const encryptionConfigs = resources.filter((r) => r.type === T.bucketEncryption || r.type === T.bucketEncryptionV2);
  for (const r of resources) {
    if (isBucket(r)) {
      const inline = prop<{ rule?: unknown; rules?: unknown }>(r, 'serverSideEncryptionConfiguration');
      const inlineOk = inline !== undefined && [...asArray(inline.rule), ...asArray(inline.rules)].some(kmsRule);
      const configs = encryptionConfigs.filter((c) => refersToBucket(c, r));
      const configOk = configs.some((c) => asArray(prop(c, 'rules')).some(kmsRule));
      if (!inlineOk && !configOk) report(`S3 bucket ${r.name} has no SSE-KMS default encryption`, r.urn);
    } else if (r.type === T.queue) {
      const key = prop(r, 'kmsMasterKeyId');
      if (!(typeof key === 'string' && key !== '') && prop(r, 'sqsManagedSseEnabled') !== true) {
        report(`SQS queue ${r.name} is not encrypted (set kmsMasterKeyId or sqsManagedSseEnabled)`, r.urn);
      }
    } else if (r.type === T.topic) {
      const key = prop(r, 'kmsMasterKeyId');
      if (!(typeof key === 'string' && key !== '')) report(`SNS topic ${r.name} has no KMS key (kmsMasterKeyId)`, r.urn);
    } else if (r.type === T.table) {
      const sse = prop<{ enabled?: unknown }>(r, 'serverSideEncryption');
      if (sse?.enabled !== true) report(`DynamoDB table ${r.name} does not use KMS encryption (serverSideEncryption.enabled)`, r.urn);
    } else if (r.type === T.kmsKey) {
      const spec = prop(r, 'customerMasterKeySpec') ?? prop(r, 'keySpec');
      const symmetric = spec === undefined || spec === 'SYMMETRIC_DEFAULT';
      if (symmetric && prop(r, 'enableKeyRotation') !== true) report(`KMS key ${r.name} does not rotate (enableKeyRotation)`, r.urn);
    } else if (r.type === T.lambdaFunction) {
      const variables = prop<{ variables?: Record<string, unknown> }>(r, 'environment')?.variables ?? {};
      for (const [name, value] of Object.entries(variables)) {
        const looksLikeReference = typeof value === 'string' && (value === '' || value.startsWith('arn:'));
        if (SECRET_NAME.test(name) && !looksLikeReference) {
          report(`Lambda function ${r.name}: environment variable ${name} looks like a secret; keep secrets in Secrets Manager and pass the ARN`, r.urn);
        }
      }
    }
  }
}

export const encryptionAtRest: StackValidationPolicy = {
  name: 'tourniquet-encryption-at-rest',
  description: 'Buckets use SSE-KMS, queues and topics are encrypted, tables use KMS, keys rotate, no secrets in Lambda environment variables.',
  enforcementLevel: 'mandatory',
  validateStack: (args: StackValidationArgs, report: ReportViolation) => checkEncryption(args.resources, report),
};
