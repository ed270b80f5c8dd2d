/**
 * Builds the AwsClients an incident's actions use: the finding's region, the endpoint when one is set
 * (AWS_ENDPOINT_URL by default), and — for a member account other than the caller's — credentials from assuming the
 * responder role with a session named after the incident. Any SDK v3 client class is looked up with
 * `clients.aws(EC2Client)`; every client records each call (CallRecord) to the factory's `onCall` and to the
 * listeners of the AwsClients that made it, and takes a token from the rate limiter when one is given.
 */
import type { STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import { TourniquetError, describeValue } from '../errors.js';
import { AssumedRoleCache, DEFAULT_ROLE_NAME, responderRoleArn, roleSessionName } from './assume-role.js';
import { attachCallRecorder } from './call-recorder.js';
import { withAwsAnswerCheck } from './not-aws-answer.js';
import { clientCache, serviceNameOf } from './client-cache.js';
import { AWS_HTTP_TIMEOUTS } from './http-timeouts.js';
import type { AwsClientClass, AwsClientLookup, AwsClients, CallListener, SdkClient } from './clients.js';
import { attachRateLimiter, type CallRateLimiter } from './rate-limit-middleware.js';
import { loadSts } from './sts-sdk.js';
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
  /** Per-service token buckets every client (but the factory's own STS) takes from before each call. */
  readonly rateLimiter?: CallRateLimiter;
}

export interface ClientFactory {
  /**
   * Clients for one incident in `accountId`/`region`. Each call returns a fresh AwsClients with its own listener
   * array (clients are created lazily), so a caller can attribute calls to a step; credentials are shared.
   */
  forIncident(accountId: string, region: string, incidentId: string): Promise<AwsClients>;
  /**
   * Clients in the responder's own account with the base credentials (journal, evidence bucket, secrets, topic):
   * the same endpoint, user agent, retries and call recorder; `region` defaults to the SDK's (AWS_REGION).
   */
  own(region?: string): AwsClientLookup;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const endpoint = options.endpoint ?? nonEmpty(process.env.AWS_ENDPOINT_URL);
  const factoryListeners: CallListener[] = options.onCall !== undefined ? [options.onCall] : [];

  const common = (region: string | undefined) => ({
    ...(region !== undefined ? { region } : {}),
    customUserAgent: TOURNIQUET_USER_AGENT,
    requestHandler: AWS_HTTP_TIMEOUTS,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.retryMode !== undefined ? { retryMode: options.retryMode } : {}),
  });

  // STS clients with the base credentials (caller identity, AssumeRole), one per region.
  const baseSts = new Map<string, STSClient>();
  const stsFor = async (region: string): Promise<STSClient> => {
    let client = baseSts.get(region);
    if (client === undefined) {
      const { STSClient } = await loadSts();
      // Checked again: another caller may have made it while the SDK loaded.
      client = baseSts.get(region);
      if (client !== undefined) return client;
      client = new STSClient({ ...common(region), ...(options.credentials !== undefined ? { credentials: options.credentials } : {}) });
      attachCallRecorder(client, 'sts', () => factoryListeners);
      withAwsAnswerCheck(client, endpoint);
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
          const [{ GetCallerIdentityCommand }, sts] = await Promise.all([loadSts(), stsFor(region)]);
          const out = await sts.send(new GetCallerIdentityCommand({}));
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

  const own = new Map<string, AwsClientLookup>();
  return {
    own(region) {
      let lookup = own.get(region ?? '');
      if (lookup === undefined) {
        const config = {
          ...common(region),
          ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
          ...(endpoint !== undefined ? { forcePathStyle: true } : {}),
        };
        lookup = clientCache(<C extends SdkClient>(ClientClass: AwsClientClass<C>): C => {
          const client = new ClientClass(config);
          attachCallRecorder(client as unknown as Parameters<typeof attachCallRecorder>[0], serviceNameOf(client), () => factoryListeners);
          return withAwsAnswerCheck(client, endpoint);
        });
        own.set(region ?? '', lookup);
      }
      return lookup;
    },

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
      // The endpoint override (moto) serves S3 by path; other clients ignore the setting.
      const clientConfig = { ...config, ...(endpoint !== undefined ? { forcePathStyle: true } : {}) };
      const lookupIn = (at: string): AwsClientLookup =>
        clientCache(<C extends SdkClient>(ClientClass: AwsClientClass<C>): C => {
          const client = new ClientClass({ ...clientConfig, region: at });
          attachCallRecorder(client as unknown as Parameters<typeof attachCallRecorder>[0], serviceNameOf(client), all);
          if (options.rateLimiter !== undefined) attachRateLimiter(client, options.rateLimiter, `${accountId}|${at}`);
          return withAwsAnswerCheck(client, endpoint);
        });
      const aws = lookupIn(region);
      const other = new Map<string, AwsClientLookup>([[region, aws]]);
      const inRegion = (at: string): AwsClientLookup => {
        if (!REGION.test(at)) throw new TourniquetError('aws.region', `not an AWS region name: ${describeValue(at)}`);
        let lookup = other.get(at);
        if (lookup === undefined) other.set(at, (lookup = lookupIn(at)));
        return lookup;
      };
      return { accountId, region, callListeners: listeners, aws, inRegion };
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
