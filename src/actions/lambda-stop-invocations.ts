/**
 * `lambda.stop-invocations`: reserved concurrency 0, which stops every invocation of the function (all versions and
 * aliases, URL, triggers and direct calls) until the limit is removed. Release restores exactly what was there: the
 * prior reserved value, or no reservation at all (DeleteFunctionConcurrency), which is not the same as any number.
 * Caveats: throttled asynchronous events are retried and may expire; stream and queue sources back up.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { LAMBDA_ARN, lambdaClient, readReservedConcurrency, resolveFunctionName } from './lambda-function-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
});

export type StopInvocationsPreImage = { functionName: string; reservedConcurrency: number | null };
export type StopInvocationsOutput = { changed: boolean; reservedConcurrency: 0 };

export const stopInvocations = defineAction({
  name: 'lambda.stop-invocations',
  effect: 'contain',
  input: InputSchema,
  description: 'Set the function’s reserved concurrency to 0 (no invocation runs). Release restores the prior reservation, or none.',
  permissions: [
    {
      actions: ['lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
      resources: [LAMBDA_ARN.function],
      why: 'Record, set and restore the function’s reserved concurrency',
    },
  ],

  async capture(input, ctx): Promise<StopInvocationsPreImage> {
    const functionName = resolveFunctionName(input, ctx);
    return { functionName, reservedConcurrency: await readReservedConcurrency(ctx, functionName) };
  },

  async apply(_input, pre, ctx): Promise<StopInvocationsOutput> {
    if ((await readReservedConcurrency(ctx, pre.functionName)) === 0) return { changed: false, reservedConcurrency: 0 };
    const { sdk, lambda } = await lambdaClient(ctx);
    await lambda.send(new sdk.PutFunctionConcurrencyCommand({ FunctionName: pre.functionName, ReservedConcurrentExecutions: 0 }));
    return { changed: true, reservedConcurrency: 0 };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const now = await readReservedConcurrency(ctx, pre.functionName);
    if (now === pre.reservedConcurrency) return { action: 'none', reservedConcurrency: now };
    const { sdk, lambda } = await lambdaClient(ctx);
    if (pre.reservedConcurrency === null) {
      await lambda.send(new sdk.DeleteFunctionConcurrencyCommand({ FunctionName: pre.functionName }));
      return { action: 'deleted', reservedConcurrency: null };
    }
    await lambda.send(new sdk.PutFunctionConcurrencyCommand({ FunctionName: pre.functionName, ReservedConcurrentExecutions: pre.reservedConcurrency }));
    return { action: 'restored', reservedConcurrency: pre.reservedConcurrency };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const functionName = resolveFunctionName(input, ctx);
    const now = await readReservedConcurrency(ctx, functionName);
    return { holds: now === 0, detail: `${functionName}: reserved concurrency ${now === null ? 'none' : now}` };
  },
});
