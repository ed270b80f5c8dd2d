/**
 * The Bedrock control-plane SDK, loaded the first time a step needs it (a dynamic import: its own bundle chunk), so
 * a finding whose plan never touches Bedrock never loads its code. See guardduty-sdk.ts for the pattern.
 */
import type * as BedrockModule from '@aws-sdk/client-bedrock';

export type BedrockSdk = typeof BedrockModule;

let loading: Promise<BedrockSdk> | undefined;

export function loadBedrock(): Promise<BedrockSdk> {
  loading ??= import('@aws-sdk/client-bedrock');
  return loading;
}
