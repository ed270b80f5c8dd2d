/**
 * AwsClients for tests: every client points at one endpoint (moto_server) with dummy credentials in us-east-1.
 * Deliberately independent of src/aws/client-factory.ts so action tests do not depend on it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { clientCache } from '../../src/aws/client-cache.js';
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
  return {
    accountId: options.accountId ?? TEST_ACCOUNT_ID,
    region,
    // moto serves S3 by path; the other clients ignore the setting.
    aws: clientCache((ClientClass) => new ClientClass(ClientClass === (S3Client as unknown) ? { ...cfg, forcePathStyle: true } : cfg)),
  };
}
