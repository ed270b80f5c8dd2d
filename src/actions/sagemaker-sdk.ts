/**
 * The SageMaker SDK, loaded the first time a step needs it (a dynamic import: its own bundle chunk), so a finding
 * whose plan never touches SageMaker never loads its code. See guardduty-sdk.ts for the pattern.
 */
import type * as SageMakerModule from '@aws-sdk/client-sagemaker';
import type { BoundActionContext } from './action.js';
import { clientsIn } from './region-clients.js';

export type SageMakerSdk = typeof SageMakerModule;

let loading: Promise<SageMakerSdk> | undefined;

export function loadSageMaker(): Promise<SageMakerSdk> {
  loading ??= import('@aws-sdk/client-sagemaker');
  return loading;
}

/** The SageMaker client of the subject's account in `region`; undefined when no client reaches that Region. */
export async function sageMakerIn(ctx: BoundActionContext, region: string): Promise<SageMakerModule.SageMakerClient | undefined> {
  const lookup = clientsIn(ctx, region);
  return lookup === undefined ? undefined : lookup((await loadSageMaker()).SageMakerClient);
}
