/**
 * `lambda.disable-event-sources`: every event source mapping of the function (queues, streams, Kafka …) disabled,
 * so no trigger feeds it. Records are kept by the source (a stream keeps its retention window, a queue its
 * messages), so nothing is lost before its own retention. Release re-enables exactly the mappings that were enabled.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { LAMBDA_ARN, lambdaClient, listEventSourceMappings, resolveFunctionName } from './lambda-function-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
});

/** States in which a mapping polls, or is about to. */
const ACTIVE = new Set(['Enabled', 'Enabling', 'Creating', 'Updating']);

export type DisableEventSourcesPreImage = {
  functionName: string;
  mappings: Array<{ uuid: string; eventSourceArn: string | null; state: string; enabled: boolean }>;
};
export type DisableEventSourcesOutput = { disabled: string[] };

async function setEnabled(ctx: Parameters<typeof lambdaClient>[0], uuid: string, enabled: boolean): Promise<void> {
  const { sdk, lambda } = await lambdaClient(ctx);
  await lambda.send(new sdk.UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
}

export const disableEventSources = defineAction({
  name: 'lambda.disable-event-sources',
  effect: 'contain',
  input: InputSchema,
  description: 'Disable every event source mapping of the function (records stay in the source). Release re-enables the ones that were enabled.',
  permissions: [
    { actions: ['lambda:ListEventSourceMappings'], resources: ['*'], why: 'ListEventSourceMappings does not support resource-level permissions' },
    {
      actions: ['lambda:UpdateEventSourceMapping'],
      resources: [LAMBDA_ARN.eventSourceMapping],
      why: 'Disable the function’s event source mappings, re-enable them on release',
    },
  ],

  async capture(input, ctx): Promise<DisableEventSourcesPreImage> {
    const functionName = resolveFunctionName(input, ctx);
    const mappings = await listEventSourceMappings(ctx, functionName);
    return { functionName, mappings: mappings.map((m) => ({ ...m, enabled: ACTIVE.has(m.state) })) };
  },

  async apply(_input, pre, ctx): Promise<DisableEventSourcesOutput> {
    const now = new Map((await listEventSourceMappings(ctx, pre.functionName)).map((m) => [m.uuid, m.state]));
    const disabled: string[] = [];
    for (const m of pre.mappings) {
      const state = now.get(m.uuid);
      if (state === undefined || !ACTIVE.has(state)) continue;
      await setEnabled(ctx, m.uuid, false);
      disabled.push(m.uuid);
    }
    return { disabled };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const now = new Map((await listEventSourceMappings(ctx, pre.functionName)).map((m) => [m.uuid, m.state]));
    const enabled: string[] = [];
    const gone: string[] = [];
    for (const m of pre.mappings) {
      if (!m.enabled) continue;
      const state = now.get(m.uuid);
      if (state === undefined) {
        gone.push(m.uuid);
        continue;
      }
      if (ACTIVE.has(state)) continue;
      await setEnabled(ctx, m.uuid, true);
      enabled.push(m.uuid);
    }
    return { action: enabled.length > 0 ? 'restored' : 'none', enabled, ...(gone.length > 0 ? { gone } : {}) };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const functionName = resolveFunctionName(input, ctx);
    const mappings = await listEventSourceMappings(ctx, functionName);
    const active = mappings.filter((m) => ACTIVE.has(m.state));
    return {
      holds: active.length === 0,
      detail: `${functionName}: ${mappings.length} event source mapping(s)${active.length > 0 ? `, still active: ${active.map((m) => `${m.uuid} (${m.state})`).join(', ')}` : ', none active'}`,
    };
  },
});
