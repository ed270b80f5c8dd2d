/**
 * Shared by the Lambda actions: which function a step acts on, the ARN patterns their permissions use, and reads
 * (configuration, reserved concurrency, function URL, resource policy, event source mappings) through the lazily
 * loaded SDK. The actions act on the unqualified function: reserved concurrency applies to it as a whole (every
 * version and alias), and the unqualified URL and policy are the ones GuardDuty's `functionArn` names.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext } from './action.js';
import { isAwsError } from './action-support.js';
import { loadLambda, type LambdaSdk } from './lambda-sdk.js';

export const LAMBDA_ARN = {
  function: 'arn:${Partition}:lambda:${Region}:${Account}:function:*',
  eventSourceMapping: 'arn:${Partition}:lambda:${Region}:${Account}:event-source-mapping:*',
} as const;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/;

/**
 * The function's name: `input.functionName` (a name or an ARN), else the subject's name, else its ARN. A qualifier
 * in an ARN is dropped (the actions act on the function as a whole). Checked so a malformed value never reaches an
 * API call or a policy document.
 */
export function resolveFunctionName(input: { functionName?: string | undefined }, ctx: BoundActionContext): string {
  const s = ctx.subject;
  const raw = input.functionName ?? (s.kind === 'lambda-function' ? (s.details.functionName ?? s.arn ?? s.id) : undefined);
  if (raw === undefined) throw ctx.fail(`no function to act on: the subject is ${describeValue(s.kind)} and the input has no functionName`);
  if (FUNCTION_NAME.test(raw)) return raw;
  const m = FUNCTION_ARN.exec(raw);
  if (m?.[1] !== undefined) return m[1];
  throw ctx.fail(`not a Lambda function name or ARN: ${describeValue(raw)}`);
}

export async function lambdaClient(ctx: BoundActionContext): Promise<{ sdk: LambdaSdk; lambda: LambdaClient }> {
  const sdk = await loadLambda();
  return { sdk, lambda: ctx.aws(sdk.LambdaClient) };
}

/** The function's reserved concurrency, or null when it has none (it then draws on the account's pool). */
export async function readReservedConcurrency(ctx: BoundActionContext, functionName: string): Promise<number | null> {
  const { sdk, lambda } = await lambdaClient(ctx);
  const out = await lambda.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName: functionName }));
  return out.ReservedConcurrentExecutions ?? null;
}

/** The unqualified function URL's auth type, or null when the function has no URL. */
export async function readFunctionUrlAuthType(ctx: BoundActionContext, functionName: string): Promise<{ authType: string; url: string } | null> {
  const { sdk, lambda } = await lambdaClient(ctx);
  try {
    const out = await lambda.send(new sdk.GetFunctionUrlConfigCommand({ FunctionName: functionName }));
    return { authType: out.AuthType ?? 'unknown', url: out.FunctionUrl ?? '' };
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) return null;
    throw err;
  }
}

export type PolicyStatement = { [key: string]: Json };

/** The statements of the unqualified function's resource policy ([] when it has none). */
export async function readPolicyStatements(ctx: BoundActionContext, functionName: string): Promise<PolicyStatement[]> {
  const { sdk, lambda } = await lambdaClient(ctx);
  try {
    const out = await lambda.send(new sdk.GetPolicyCommand({ FunctionName: functionName }));
    const doc = JSON.parse(out.Policy ?? '{}') as { Statement?: PolicyStatement[] | PolicyStatement };
    const s = doc.Statement;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) return [];
    throw err;
  }
}

export type EventSourceMappingState = { uuid: string; eventSourceArn: string | null; state: string };

/** Every event source mapping of the function (all pages). */
export async function listEventSourceMappings(ctx: BoundActionContext, functionName: string): Promise<EventSourceMappingState[]> {
  const { sdk, lambda } = await lambdaClient(ctx);
  const out: EventSourceMappingState[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new sdk.ListEventSourceMappingsCommand({ FunctionName: functionName, ...(marker !== undefined ? { Marker: marker } : {}) }));
    for (const m of page.EventSourceMappings ?? []) {
      if (m.UUID !== undefined) out.push({ uuid: m.UUID, eventSourceArn: m.EventSourceArn ?? null, state: m.State ?? 'unknown' });
    }
    marker = page.NextMarker;
  } while (marker !== undefined && marker !== '');
  return out.sort((a, b) => a.uuid.localeCompare(b.uuid));
}
