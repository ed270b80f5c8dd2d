/**
 * Which statements of a function's resource policy grant public invoke, and how to put one back exactly with
 * AddPermission. Public = Allow to Principal `*` (or `{"AWS":"*"}`) with no condition that limits who the caller is:
 * the only conditions allowed are the ones that say how it is invoked (`lambda:FunctionUrlAuthType`,
 * `lambda:InvokedViaFunctionUrl`). Any other condition (a source ARN or account, an organisation, an event source
 * token …) limits the caller, so the statement is left alone. A public statement AddPermission could not reproduce
 * (several actions, an unknown condition shape) is reported and not removed: release must be able to restore it.
 */
import type { AddPermissionCommandInput } from '@aws-sdk/client-lambda';
import type { Json } from '../findings/model.js';
import type { PolicyStatement } from './lambda-function-support.js';

/** Condition keys that say how the function is invoked, not who invokes it. */
const NON_LIMITING_KEYS = new Set(['lambda:functionurlauthtype', 'lambda:invokedviafunctionurl']);

/** AddPermission's fields for one statement (FunctionName added by the caller). */
export type PermissionInput = Pick<AddPermissionCommandInput, 'StatementId' | 'Action' | 'Principal' | 'FunctionUrlAuthType' | 'InvokedViaFunctionUrl'>;

export type StatementVerdict =
  | { kind: 'not-public' }
  | { kind: 'public'; sid: string; statement: PolicyStatement; restore: PermissionInput }
  | { kind: 'public-unrestorable'; sid: string | null; reason: string };

function isStar(principal: Json | undefined): boolean {
  if (principal === '*') return true;
  if (principal !== null && typeof principal === 'object' && !Array.isArray(principal)) {
    const aws = principal['AWS'];
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

function conditionKeys(condition: Json | undefined): Array<{ operator: string; key: string; value: Json }> {
  if (condition === undefined || condition === null || typeof condition !== 'object' || Array.isArray(condition)) return [];
  return Object.entries(condition).flatMap(([operator, block]) =>
    block !== null && typeof block === 'object' && !Array.isArray(block) ? Object.entries(block).map(([key, value]) => ({ operator, key, value })) : [{ operator, key: '', value: block }],
  );
}

export function classifyStatement(s: PolicyStatement): StatementVerdict {
  if (s['Effect'] !== 'Allow' || !isStar(s['Principal'])) return { kind: 'not-public' };
  const conditions = conditionKeys(s['Condition']);
  if (conditions.some((c) => !NON_LIMITING_KEYS.has(c.key.toLowerCase()))) return { kind: 'not-public' };
  const sid = typeof s['Sid'] === 'string' ? s['Sid'] : null;
  if (sid === null) return { kind: 'public-unrestorable', sid, reason: 'the statement has no Sid (RemovePermission needs one)' };
  const action = s['Action'];
  if (typeof action !== 'string') return { kind: 'public-unrestorable', sid, reason: 'AddPermission grants one action; the statement has several' };
  if (s['Principal'] !== '*' && !(typeof s['Principal'] === 'object' && s['Principal'] !== null && !Array.isArray(s['Principal']) && s['Principal']['AWS'] === '*')) {
    return { kind: 'public-unrestorable', sid, reason: 'the principal lists "*" among others' };
  }
  const restore: PermissionInput = { StatementId: sid, Action: action, Principal: '*' };
  for (const c of conditions) {
    const key = c.key.toLowerCase();
    if (key === 'lambda:functionurlauthtype' && c.operator === 'StringEquals' && (c.value === 'NONE' || c.value === 'AWS_IAM')) restore.FunctionUrlAuthType = c.value;
    else if (key === 'lambda:invokedviafunctionurl' && c.operator === 'Bool' && (c.value === 'true' || c.value === true)) restore.InvokedViaFunctionUrl = true;
    else return { kind: 'public-unrestorable', sid, reason: `condition ${c.operator} ${c.key} has a shape AddPermission cannot reproduce` };
  }
  return { kind: 'public', sid, statement: s, restore };
}
