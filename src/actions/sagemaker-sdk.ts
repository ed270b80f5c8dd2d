/**
 * The SageMaker SDK, loaded the first time a step needs it (a dynamic import: its own bundle chunk), so a finding
 * whose plan never touches SageMaker never loads its code. See guardduty-sdk.ts for the pattern.
 */
import type * as SageMakerModule from '@aws-sdk/client-sagemaker';

export type SageMakerSdk = typeof SageMakerModule;

let loading: Promise<SageMakerSdk> | undefined;

export function loadSageMaker(): Promise<SageMakerSdk> {
  loading ??= import('@aws-sdk/client-sagemaker');
  return loading;
}
