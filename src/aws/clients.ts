/**
 * The AWS clients an action may use, scoped to one account and region (and, cross-account, one assumed-role
 * session named after the incident). Created lazily by the client factory.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';

export interface AwsClients {
  readonly accountId: string;
  readonly region: string;
  readonly ec2: () => EC2Client;
  readonly autoScaling: () => AutoScalingClient;
  readonly elbv2: () => ElasticLoadBalancingV2Client;
  readonly iam: () => IAMClient;
  readonly sts: () => STSClient;
  readonly s3: () => S3Client;
  readonly sns: () => SNSClient;
  readonly guardduty: () => GuardDutyClient;
  /**
   * Listeners that receive a CallRecord for every call made through these clients (present when built by the
   * client factory; push to add, splice to remove).
   */
  readonly callListeners?: CallListener[];
}

/** One AWS call as recorded for the evidence and the journal (request id, outcome). */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requestId?: string;
  readonly httpStatusCode?: number;
  /** Error name when the call failed. */
  readonly error?: string;
  readonly errorMessage?: string;
  /** The command input (JSON). */
  readonly input: unknown;
}

export type CallListener = (call: CallRecord) => void;
