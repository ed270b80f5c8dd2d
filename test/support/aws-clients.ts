/**
 * AwsClients for tests: every client points at one endpoint (moto_server) with dummy credentials in us-east-1.
 * Deliberately independent of src/aws/client-factory.ts so action tests do not depend on it.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { AwsClients } from '../../src/aws/clients.js';

/** moto's default account id. */
export const TEST_ACCOUNT_ID = '123456789012';
export const TEST_REGION = 'us-east-1';

export function testClientConfig(endpoint: string, region = TEST_REGION) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
  };
}

/** Fresh clients on every call of `makeTestClients` (tests read state back with clients the actions never used). */
export function makeTestClients(endpoint: string, options: { accountId?: string; region?: string } = {}): AwsClients {
  const region = options.region ?? TEST_REGION;
  const cfg = testClientConfig(endpoint, region);
  const lazy = <T>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => (client ??= make());
  };
  return {
    accountId: options.accountId ?? TEST_ACCOUNT_ID,
    region,
    ec2: lazy(() => new EC2Client(cfg)),
    autoScaling: lazy(() => new AutoScalingClient(cfg)),
    elbv2: lazy(() => new ElasticLoadBalancingV2Client(cfg)),
    iam: lazy(() => new IAMClient(cfg)),
    sts: lazy(() => new STSClient(cfg)),
    s3: lazy(() => new S3Client({ ...cfg, forcePathStyle: true })),
    sns: lazy(() => new SNSClient(cfg)),
    guardduty: lazy(() => new GuardDutyClient(cfg)),
  };
}
