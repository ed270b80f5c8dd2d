/**
 * The EKS SDK, loaded the first time a step needs it (a dynamic import, its own bundle chunk), as for GuardDuty
 * (guardduty-sdk.ts): an EC2 finding never loads it.
 */
import type * as EksModule from '@aws-sdk/client-eks';

export type EksSdk = typeof EksModule;

let loading: Promise<EksSdk> | undefined;

export function loadEks(): Promise<EksSdk> {
  loading ??= import('@aws-sdk/client-eks');
  return loading;
}
