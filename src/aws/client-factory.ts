/**
 * Builds the AwsClients an incident's actions use: the finding's region, the endpoint when one is set
 * (AWS_ENDPOINT_URL by default), and — for a member account other than the caller's — credentials from assuming the
 * responder role with a session named after the incident. Every client records each call (CallRecord) to the
 * factory's `onCall` and to the listeners of the AwsClients that made it.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { TourniquetError, describeValue } from '../errors.js';
import { AssumedRoleCache, DEFAULT_ROLE_NAME, responderRoleArn, roleSessionName } from './assume-role.js';
import { attachCallRecorder } from './call-recorder.js';
import type { AwsClients, CallListener } from './clients.js';
import { TOURNIQUET_USER_AGENT } from './user-agent.js';
import { wrapAwsError } from './wrap-aws-error.js';

export interface ClientFactoryOptions {
  /** Endpoint for every service (moto, LocalStack …). Default: `process.env.AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  /** The responder's own account. Resolved once with sts:GetCallerIdentity when not given. */
  readonly callerAccountId?: string;
  /** Role assumed in other accounts; may contain `{account}`. Default `TourniquetResponder`. */
  readonly roleNameTemplate?: string;
  /** Session name prefix (default `tourniquet-`); the incident id follows. */
  readonly sessionNamePrefix?: string;
  /** ExternalId for the AssumeRole calls, when the member role requires one. */
  readonly externalId?: string;
  /** Receives every call made by every client the factory builds (including AssumeRole). */
  readonly onCall?: CallListener;
  /** SDK maxAttempts (default: the SDK's). */
  readonly maxAttempts?: number;
  /** SDK retry mode (default: the SDK's, `standard`). `adaptive` adds client-side rate limiting. */
  readonly retryMode?: 'standard' | 'adaptive';
  /** Base credentials (default: the SDK's default provider chain). */
  readonly credentials?: STSClientConfig['credentials'];
}

export interface ClientFactory {
  /**
   * Clients for one incident in `accountId`/`region`. Each call returns a fresh AwsClients with its own listener
   * array (clients are created lazily), so a caller can attribute calls to a step; credentials are shared.
   */
  forIncident(accountId: string, region: string, incidentId: string): Promise<AwsClients>;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const endpoint = options.endpoint ?? nonEmpty(process.env.AWS_ENDPOINT_URL);
  const factoryListeners: CallListener[] = options.onCall !== undefined ? [options.onCall] : [];

  const common = (region: string) => ({
    region,
    customUserAgent: TOURNIQUET_USER_AGENT,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.retryMode !== undefined ? { retryMode: options.retryMode } : {}),
  });

  // STS clients with the base credentials (caller identity, AssumeRole), one per region.
  const baseSts = new Map<string, STSClient>();
  const stsFor = (region: string): STSClient => {
    let client = baseSts.get(region);
    if (client === undefined) {
      client = new STSClient({ ...common(region), ...(options.credentials !== undefined ? { credentials: options.credentials } : {}) });
      attachCallRecorder(client, 'sts', () => factoryListeners);
      baseSts.set(region, client);
    }
    return client;
  };

  let callerAccount: Promise<string> | undefined =
    options.callerAccountId !== undefined ? Promise.resolve(options.callerAccountId) : undefined;
  const resolveCallerAccount = (region: string): Promise<string> => {
    if (callerAccount === undefined) {
      const pending = (async () => {
        try {
          const out = await stsFor(region).send(new GetCallerIdentityCommand({}));
          if (out.Account === undefined) throw new TourniquetError('aws.caller-identity', 'sts.GetCallerIdentity returned no Account');
          return out.Account;
        } catch (err) {
          throw wrapAwsError('sts', 'GetCallerIdentity', err);
        }
      })();
      callerAccount = pending;
      // Not cached on failure: the next incident tries again.
      pending.catch(() => {
        if (callerAccount === pending) callerAccount = undefined;
      });
    }
    return callerAccount;
  };

  const roles = new AssumedRoleCache(stsFor);

  return {
    async forIncident(accountId, region, incidentId) {
      if (!ACCOUNT_ID.test(accountId)) throw new TourniquetError('aws.account', `account id must be 12 digits, received ${describeValue(accountId)}`);
      if (!REGION.test(region)) throw new TourniquetError('aws.region', `not an AWS region name: ${describeValue(region)}`);
      const caller = await resolveCallerAccount(region);
      let credentials: STSClientConfig['credentials'] = options.credentials;
      if (caller !== accountId) {
        const assume = {
          roleArn: responderRoleArn(accountId, region, options.roleNameTemplate ?? DEFAULT_ROLE_NAME),
          sessionName: roleSessionName(incidentId, options.sessionNamePrefix),
          ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
        };
        // Assume eagerly so a missing role fails here, with the role ARN in the message, not inside some step.
        await roles.get(region, assume);
        credentials = () => roles.get(region, assume);
      }
      const listeners: CallListener[] = [];
      const all = (): readonly CallListener[] => (listeners.length === 0 ? factoryListeners : [...factoryListeners, ...listeners]);
      const config = { ...common(region), ...(credentials !== undefined ? { credentials } : {}) };
      const lazy = <T extends Parameters<typeof attachCallRecorder>[0]>(service: string, make: () => T): (() => T) => {
        let client: T | undefined;
        return () => {
          if (client === undefined) {
            client = make();
            attachCallRecorder(client, service, all);
          }
          return client;
        };
      };
      return {
        accountId,
        region,
        callListeners: listeners,
        ec2: lazy('ec2', () => new EC2Client(config)),
        autoScaling: lazy('autoscaling', () => new AutoScalingClient(config)),
        elbv2: lazy('elasticloadbalancing', () => new ElasticLoadBalancingV2Client(config)),
        iam: lazy('iam', () => new IAMClient(config)),
        sts: lazy('sts', () => new STSClient(config)),
        s3: lazy('s3', () => new S3Client({ ...config, ...(endpoint !== undefined ? { forcePathStyle: true } : {}) })),
        sns: lazy('sns', () => new SNSClient(config)),
        guardduty: lazy('guardduty', () => new GuardDutyClient(config)),
      };
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
