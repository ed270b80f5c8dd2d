/**
 * `lambda.restrict-function-url`: a public function URL (AuthType NONE) switched to AWS_IAM, so only signed
 * requests reach it; the URL itself is kept (deleting it would lose it for good: a new URL differs). Release puts
 * back the recorded auth type. Only the unqualified URL is changed; an alias's URL is stopped by the reserved
 * concurrency step, which covers every alias.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { LAMBDA_ARN, lambdaClient, readFunctionUrlAuthType, resolveFunctionName } from './lambda-function-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
});

export type RestrictFunctionUrlPreImage = { functionName: string; authType: string | null };
export type RestrictFunctionUrlOutput = { changed: boolean; authType: string | null };

async function setAuthType(ctx: Parameters<typeof readFunctionUrlAuthType>[0], functionName: string, authType: string): Promise<void> {
  const { sdk, lambda } = await lambdaClient(ctx);
  await lambda.send(new sdk.UpdateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: authType as 'NONE' | 'AWS_IAM' }));
}

export const restrictFunctionUrl = defineAction({
  name: 'lambda.restrict-function-url',
  effect: 'contain',
  input: InputSchema,
  description: 'Switch a public function URL (AuthType NONE) to AWS_IAM; the URL is kept. Release restores the prior auth type.',
  permissions: [
    {
      actions: ['lambda:GetFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
      resources: [LAMBDA_ARN.function],
      why: 'Record the function URL’s auth type, require IAM auth, restore it on release',
    },
  ],

  async capture(input, ctx): Promise<RestrictFunctionUrlPreImage> {
    const functionName = resolveFunctionName(input, ctx);
    return { functionName, authType: (await readFunctionUrlAuthType(ctx, functionName))?.authType ?? null };
  },

  async apply(_input, pre, ctx): Promise<RestrictFunctionUrlOutput> {
    const now = await readFunctionUrlAuthType(ctx, pre.functionName);
    if (now === null) return { changed: false, authType: null };
    if (now.authType !== 'NONE') return { changed: false, authType: now.authType };
    await setAuthType(ctx, pre.functionName, 'AWS_IAM');
    return { changed: true, authType: 'AWS_IAM' };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.authType === null) return { action: 'none', reason: 'the function had no URL' };
    const now = await readFunctionUrlAuthType(ctx, pre.functionName);
    if (now === null) return { action: 'none', reason: 'the function URL no longer exists (deleted by someone else)' };
    if (now.authType === pre.authType) return { action: 'none', authType: pre.authType };
    await setAuthType(ctx, pre.functionName, pre.authType);
    return { action: 'restored', authType: pre.authType };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const functionName = resolveFunctionName(input, ctx);
    const now = await readFunctionUrlAuthType(ctx, functionName);
    if (now === null) return { holds: true, detail: `${functionName} has no function URL` };
    return { holds: now.authType !== 'NONE', detail: `${functionName} URL ${now.url}: AuthType ${now.authType}` };
  },
});
