/**
 * Cross-account access: the responder assumes a role in the member account, with a session name derived from the
 * incident so CloudTrail attributes every call to it. Credentials are cached per role and session name until
 * shortly before they expire.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { TourniquetError } from '../errors.js';
import { partitionOf } from './partition.js';
import { loadSts } from './sts-sdk.js';
import { wrapAwsError } from './wrap-aws-error.js';

export const DEFAULT_ROLE_NAME = 'TourniquetResponder';
/** Credentials closer than this to expiry are refreshed. */
export const REFRESH_WINDOW_MS = 5 * 60_000;

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** `arn:<partition>:iam::<account>:role/<name>`; `{account}` in the template is replaced by the account id. */
export function responderRoleArn(accountId: string, region: string, roleNameTemplate = DEFAULT_ROLE_NAME): string {
  const name = roleNameTemplate.split('{account}').join(accountId);
  // IAM role names (with an optional path): letters, digits and +=,.@_- ; path segments separated by '/'.
  if (!/^[\w+=,.@/-]{1,512}$/.test(name) || name.startsWith('/') || name.endsWith('/')) {
    throw new TourniquetError('aws.role-name', `role name template gives an invalid IAM role name: ${JSON.stringify(name)}`);
  }
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${name}`;
}

/** `tourniquet-<incidentId>` restricted to STS's alphabet `[\w+=,.@-]` and 64 characters. */
export function roleSessionName(incidentId: string, prefix = 'tourniquet-'): string {
  const cleaned = `${prefix}${incidentId}`.replace(/[^\w+=,.@-]/g, '-');
  const name = cleaned.slice(0, 64);
  return name.length >= 2 ? name : `${name}--`.slice(0, 2);
}

interface CacheEntry {
  readonly promise: Promise<TemporaryCredentials>;
  expiration?: Date;
}

export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
}

/** Assumes roles and caches the credentials by role ARN + session name. */
export class AssumedRoleCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly sts: (region: string) => STSClient | Promise<STSClient>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(region: string, options: AssumeRoleOptions): Promise<TemporaryCredentials> {
    const key = `${options.roleArn}\n${options.sessionName}\n${options.externalId ?? ''}`;
    const cached = this.entries.get(key);
    if (cached !== undefined && (cached.expiration === undefined || cached.expiration.getTime() - this.now() > REFRESH_WINDOW_MS)) {
      return cached.promise;
    }
    const entry: CacheEntry = { promise: this.assume(region, options) };
    this.entries.set(key, entry);
    try {
      const creds = await entry.promise;
      entry.expiration = creds.expiration;
      return creds;
    } catch (err) {
      // A failed assume is not cached: the next call tries again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
  }

  private async assume(region: string, options: AssumeRoleOptions): Promise<TemporaryCredentials> {
    const [{ AssumeRoleCommand }, client] = await Promise.all([loadSts(), this.sts(region)]);
    let out;
    try {
      out = await client.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName,
          ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
          ...(options.durationSeconds !== undefined ? { DurationSeconds: options.durationSeconds } : {}),
        }),
      );
    } catch (err) {
      throw wrapAwsError('sts', 'AssumeRole', err);
    }
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw new TourniquetError('aws.assume-role', `sts.AssumeRole for ${options.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration ?? new Date(this.now() + 15 * 60_000),
    };
  }
}
