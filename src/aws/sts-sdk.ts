/**
 * The STS SDK, loaded on first use (a dynamic import: its own bundle chunk). The responder needs STS only to learn
 * its own account when it was not told (GetCallerIdentity) and to assume a member account's role: a single-account
 * Lambda, which is told its account (TOURNIQUET_RESPONDER_ROLE_ARN), never loads it.
 */
import type * as StsModule from '@aws-sdk/client-sts';

export type StsSdk = typeof StsModule;

let loading: Promise<StsSdk> | undefined;

export function loadSts(): Promise<StsSdk> {
  loading ??= import('@aws-sdk/client-sts');
  return loading;
}
