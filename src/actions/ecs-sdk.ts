/**
 * The ECS SDK, loaded the first time a step needs it (a dynamic import, its own bundle chunk), as for GuardDuty
 * (guardduty-sdk.ts): an EC2 finding never loads it.
 */
import type * as EcsModule from '@aws-sdk/client-ecs';

export type EcsSdk = typeof EcsModule;

let loading: Promise<EcsSdk> | undefined;

export function loadEcs(): Promise<EcsSdk> {
  loading ??= import('@aws-sdk/client-ecs');
  return loading;
}
