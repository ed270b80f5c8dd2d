/**
 * `lambda.remove-public-permissions`: every statement of the function's resource policy that lets anyone invoke it
 * (Principal `*` without a condition limiting the caller; see lambda-public-statements.ts) is recorded and removed
 * with RemovePermission. Release re-adds each recorded statement with AddPermission under its own Sid, unless a
 * statement of that Sid exists again (then it is reported, not overwritten). Statements added after the pre-image
 * was taken are never touched: nothing is removed that release could not put back.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { canonicalJson, isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { LAMBDA_ARN, lambdaClient, readPolicyStatements, resolveFunctionName, type PolicyStatement } from './lambda-function-support.js';
import { classifyStatement, type PermissionInput } from './lambda-public-statements.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
});

export type RemovePublicPermissionsPreImage = {
  functionName: string;
  /** The public statements, as read, with the AddPermission input that puts each back. */
  removable: Array<{ sid: string; statement: PolicyStatement; restore: PermissionInput & { [key: string]: Json } }>;
  /** Public statements left in place because AddPermission could not put them back exactly. */
  unrestorable: Array<{ sid: string | null; reason: string }>;
};

export type RemovePublicPermissionsOutput = { removed: string[]; unrestorable: string[] };

function classify(statements: PolicyStatement[]): Omit<RemovePublicPermissionsPreImage, 'functionName'> {
  const removable: RemovePublicPermissionsPreImage['removable'] = [];
  const unrestorable: RemovePublicPermissionsPreImage['unrestorable'] = [];
  for (const s of statements) {
    const v = classifyStatement(s);
    if (v.kind === 'public') removable.push({ sid: v.sid, statement: v.statement, restore: v.restore as PermissionInput & { [key: string]: Json } });
    else if (v.kind === 'public-unrestorable') unrestorable.push({ sid: v.sid, reason: v.reason });
  }
  return { removable, unrestorable };
}

export const removePublicPermissions = defineAction({
  name: 'lambda.remove-public-permissions',
  effect: 'contain',
  input: InputSchema,
  description:
    'Remove the resource-policy statements that let anyone invoke the function (Principal * without a condition on ' +
    'the caller), each recorded; release re-adds each under its own Sid.',
  permissions: [
    {
      actions: ['lambda:GetPolicy', 'lambda:RemovePermission', 'lambda:AddPermission'],
      resources: [LAMBDA_ARN.function],
      why: 'Record the resource policy, remove public statements, re-add them on release',
    },
  ],

  async capture(input, ctx): Promise<RemovePublicPermissionsPreImage> {
    const functionName = resolveFunctionName(input, ctx);
    return { functionName, ...classify(await readPolicyStatements(ctx, functionName)) };
  },

  async apply(_input, pre, ctx): Promise<RemovePublicPermissionsOutput> {
    const present = new Set((await readPolicyStatements(ctx, pre.functionName)).map((s) => s['Sid']));
    const { sdk, lambda } = await lambdaClient(ctx);
    const removed: string[] = [];
    for (const r of pre.removable) {
      if (!present.has(r.sid)) continue;
      try {
        await lambda.send(new sdk.RemovePermissionCommand({ FunctionName: pre.functionName, StatementId: r.sid }));
      } catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException')) throw err; // removed concurrently
      }
      removed.push(r.sid);
    }
    return { removed, unrestorable: pre.unrestorable.map((u) => u.sid ?? '(no Sid)') };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const current = await readPolicyStatements(ctx, pre.functionName);
    const bySid = new Map(current.map((s) => [s['Sid'], s]));
    const { sdk, lambda } = await lambdaClient(ctx);
    const restored: string[] = [];
    const conflicts: string[] = [];
    for (const r of pre.removable) {
      const now = bySid.get(r.sid);
      if (now !== undefined) {
        // Already back (an earlier release), or someone put a different statement under the Sid: never overwrite it.
        if (canonicalJson(now) !== canonicalJson(r.statement)) conflicts.push(r.sid);
        continue;
      }
      await lambda.send(new sdk.AddPermissionCommand({ FunctionName: pre.functionName, ...r.restore }));
      restored.push(r.sid);
    }
    return { action: restored.length > 0 ? 'restored' : 'none', restored, ...(conflicts.length > 0 ? { conflicts } : {}) };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const functionName = resolveFunctionName(input, ctx);
    const left = classify(await readPolicyStatements(ctx, functionName));
    const publicSids = [...left.removable.map((r) => r.sid), ...left.unrestorable.map((u) => `${u.sid ?? '(no Sid)'} (${u.reason})`)];
    return {
      holds: publicSids.length === 0,
      detail: publicSids.length === 0 ? `${functionName}: no statement grants public invoke` : `${functionName}: public statements left: ${publicSids.join(', ')}`,
    };
  },
});
