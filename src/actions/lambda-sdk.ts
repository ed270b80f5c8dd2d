/**
 * The Lambda SDK, loaded the first time a Lambda step runs (a dynamic import: its own bundle chunk), so handling an
 * EC2 finding never loads it. Same pattern as guardduty-sdk.ts.
 */
import type * as LambdaModule from '@aws-sdk/client-lambda';

export type LambdaSdk = typeof LambdaModule;

let loading: Promise<LambdaSdk> | undefined;

export function loadLambda(): Promise<LambdaSdk> {
  loading ??= import('@aws-sdk/client-lambda');
  return loading;
}
