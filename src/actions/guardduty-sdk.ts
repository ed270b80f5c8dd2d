/**
 * The GuardDuty SDK, loaded the first time a step needs it (a dynamic import: its own bundle chunk), so a finding
 * whose plan never calls GuardDuty never loads its code. The pattern for every service an action adds: import
 * types only, load the client and commands here, look the client up with `ctx.aws(sdk.GuardDutyClient)`.
 */
import type * as GuardDutyModule from '@aws-sdk/client-guardduty';

export type GuardDutySdk = typeof GuardDutyModule;

let loading: Promise<GuardDutySdk> | undefined;

export function loadGuardDuty(): Promise<GuardDutySdk> {
  loading ??= import('@aws-sdk/client-guardduty');
  return loading;
}
