/**
 * The CloudTrail SDK, loaded the first time a step needs it (a dynamic import: its own bundle chunk), so a finding
 * whose plan never reads the event history never loads its code (see guardduty-sdk.ts).
 */
import type * as CloudTrailModule from '@aws-sdk/client-cloudtrail';

export type CloudTrailSdk = typeof CloudTrailModule;

let loading: Promise<CloudTrailSdk> | undefined;

export function loadCloudTrail(): Promise<CloudTrailSdk> {
  loading ??= import('@aws-sdk/client-cloudtrail');
  return loading;
}
