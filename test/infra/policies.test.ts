/**
 * The CrossGuard policies against the mock-captured stack (must pass) and a deliberately broken stack (must fail
 * each policy, for the right reason). Policies come from all-policies.ts: constructing the PolicyPack would start
 * its gRPC server.
 */
import * as aws from '@pulumi/aws';
import { describe, expect, it } from 'vitest';
import { TOURNIQUET_POLICIES } from '../../infra/policies/all-policies.js';
import { runPolicies } from './helpers/policy-harness.js';
import type { Violation } from './helpers/policy-harness.js';
import { buildStack } from './helpers/pulumi-mocks.js';
import { buildTourniquetStack } from '../support/tourniquet-stack.js';

const tourniquetStack = (raw: Record<string, unknown>) => buildTourniquetStack(raw);

/** Everything the policies forbid, once each. */
async function brokenStack() {
  return buildStack(async () => {
    const open = new aws.s3.Bucket('open', { acl: 'public-read', website: { indexDocument: 'index.html' } });
    new aws.s3.BucketPolicy('open-policy', {
      bucket: open.id,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::open/*' }] }),
    });
    new aws.s3.Bucket('unencrypted', {});
    const sseS3 = new aws.s3.Bucket('aes-only', {});
    new aws.s3.BucketServerSideEncryptionConfiguration('aes-only-sse', { bucket: sseS3.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
    new aws.s3.BucketPublicAccessBlock('aes-only-pab', { bucket: sseS3.id, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true });
    const queue = new aws.sqs.Queue('no-dlq', {});
    new aws.sns.Topic('plain-topic', {});
    new aws.dynamodb.Table('plain-table', { hashKey: 'pk', attributes: [{ name: 'pk', type: 'S' }], billingMode: 'PAY_PER_REQUEST' });
    new aws.kms.Key('no-rotation', {});
    new aws.iam.Policy('admin', { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Admin', Effect: 'Allow', Action: '*', Resource: '*' }] }) });
    new aws.iam.Policy('terminate-anything', {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Terminate', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:TerminateInstances'], Resource: '*' }] }),
    });
    new aws.iam.Role('not-action', {
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      inlinePolicies: [{ name: 'x', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }) }],
    });
    const rule = new aws.cloudwatch.EventRule('rule', { eventPattern: JSON.stringify({ source: ['aws.guardduty'] }) });
    new aws.cloudwatch.EventTarget('bare-target', { rule: rule.name, arn: queue.arn });
    new aws.lambda.Function('leaky', {
      role: 'arn:aws:iam::123456789012:role/r',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      environment: { variables: { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X', SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:s' } },
    });
    return {};
  });
}

const byPolicy = (violations: Violation[], policy: string): string[] => violations.filter((v) => v.policy === policy).map((v) => v.message);

describe('Tourniquet policies', () => {
  it('pass on the stack the program builds (default and KMS-queue variants)', async () => {
    for (const raw of [{}, { queueEncryption: 'KMS', existingDetectorId: 'abcdef0123456789abcdef0123456789', notificationEmails: ['a@example.com'] }]) {
      const { capture } = await tourniquetStack(raw);
      expect(capture.custom().length).toBeGreaterThan(60);
      expect(await runPolicies(TOURNIQUET_POLICIES, capture.resources)).toEqual([]);
    }
  });

  it('fail a deliberately broken stack, each for the right reason', async () => {
    const { capture } = await brokenStack();
    const violations = await runPolicies(TOURNIQUET_POLICIES, capture.resources);

    expect(byPolicy(violations, 'tourniquet-encryption-at-rest').sort()).toEqual(
      [
        'S3 bucket open has no SSE-KMS default encryption',
        'S3 bucket unencrypted has no SSE-KMS default encryption',
        'S3 bucket aes-only has no SSE-KMS default encryption',
        'SQS queue no-dlq is not encrypted (set kmsMasterKeyId or sqsManagedSseEnabled)',
        'SNS topic plain-topic has no KMS key (kmsMasterKeyId)',
        'DynamoDB table plain-table does not use KMS encryption (serverSideEncryption.enabled)',
        'KMS key no-rotation does not rotate (enableKeyRotation)',
        'Lambda function leaky: environment variable SLACK_WEBHOOK_URL looks like a secret; keep secrets in Secrets Manager and pass the ARN',
      ].sort(),
    );

    const publicViolations = byPolicy(violations, 'tourniquet-no-public-buckets');
    expect(publicViolations).toEqual(
      expect.arrayContaining([
        'S3 bucket open: Block Public Access not fully on (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets)',
        'S3 bucket open has public ACL public-read',
        'S3 bucket open has a website configuration',
        'open-policy: statement Everyone allows everyone without a condition',
        'S3 bucket aes-only: Block Public Access not fully on (blockPublicPolicy)',
      ]),
    );

    expect(byPolicy(violations, 'tourniquet-iam-least-privilege').sort()).toEqual(
      [
        'admin: statement Admin allows Action "*"',
        'terminate-anything: statement Terminate allows mutating action(s) ec2:TerminateInstances on Resource "*" without a condition',
        'not-action: statement AllButIam uses NotAction in an Allow',
      ].sort(),
    );

    expect(byPolicy(violations, 'tourniquet-dead-letter-queues').sort()).toEqual(
      [
        'SQS queue no-dlq has no dead-letter queue (redrivePolicy)',
        'EventBridge target bare-target has no dead-letter queue (deadLetterConfig)',
        'EventBridge target bare-target has no retry policy',
      ].sort(),
    );
    for (const v of violations) expect(v.urn).toMatch(/^urn:pulumi:/);
  });
});
