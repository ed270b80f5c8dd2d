/**
 * The RDS SDK, loaded the first time an RDS step runs (a dynamic import: its own bundle chunk), so handling an EC2
 * finding never loads it. Same pattern as guardduty-sdk.ts.
 */
import type * as RdsModule from '@aws-sdk/client-rds';

export type RdsSdk = typeof RdsModule;

let loading: Promise<RdsSdk> | undefined;

export function loadRds(): Promise<RdsSdk> {
  loading ??= import('@aws-sdk/client-rds');
  return loading;
}
