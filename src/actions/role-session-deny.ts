/**
 * The statement that denies one role session and nothing else: `aws:userid` of an assumed-role session is
 * `<RoleId>:<session name>`, so a deny keyed on it cuts that session (stolen copies of its credentials included) while
 * the role's other sessions keep working. Shared by the instance-session deny (EC2 names the session after the
 * instance) and the role-session deny.
 */
import type { Json } from '../findings/model.js';

/** What STS accepts as a role session name (AssumeRole `RoleSessionName`): no wildcard can occur in it. */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Deny `*` to the session `<roleId>:<sessionName>` (StringLike: neither part can hold `*` or `?`). */
export function roleSessionDenyStatement(sid: string, roleId: string, sessionName: string): { [key: string]: Json } {
  return { Sid: sid, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': `${roleId}:${sessionName}` } } };
}
