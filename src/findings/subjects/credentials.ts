/**
 * `resource.accessKeyDetails` → an `access-key` subject plus the principal behind it, by `userType`:
 * IAMUser → `iam-user`, AssumedRole → `iam-role-session` (principalId `AROA…:session`), Root → `root`,
 * FederatedUser → `federated-user`. Other user types (e.g. `Role` in EKS findings, `AWSService`) keep only the key.
 *
 * When an assumed-role session is named after an EC2 instance (`AROA…:i-0abc…`, the instance-profile credentials
 * case of InstanceCredentialExfiltration), the instance is added as a derived `ec2-instance` subject — with the
 * finding's `instanceDetails` when they describe that very instance, else with no ENIs.
 */
import type { AiReason, Subject } from '../model.js';
import { nameReasons } from '../ai-context.js';
import { isObject, type JsonObject } from '../record-context.js';
import { ec2FromInstanceDetails, ec2Subject } from './ec2-instance.js';
import { otherSubject, type SubjectEnv } from './subject-env.js';
import { sub } from '../json-path.js';

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export interface Credential {
  readonly accessKeyId: string | undefined;
  readonly principalId: string | undefined;
  readonly userName: string | undefined;
  readonly userType: string | undefined;
}

export function readAccessKeyDetails(env: SubjectEnv, d: JsonObject, path: string): Credential {
  const { ctx } = env;
  return {
    accessKeyId: ctx.optString(d, 'accessKeyId', path),
    principalId: ctx.optString(d, 'principalId', path),
    userName: ctx.optString(d, 'userName', path),
    userType: ctx.optString(d, 'userType', path),
  };
}

export interface CredentialOptions {
  /** Path of the object the credential came from (for `derivedFrom`). */
  readonly path: string;
  readonly role?: string | undefined;
  /** The finding's `resource` (to reuse `instanceDetails` for a derived instance). */
  readonly resource?: JsonObject | undefined;
  readonly resourcePath?: string | undefined;
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
}

function principalReasons(userName: string | undefined, sessionName?: string): AiReason[] {
  const reasons: AiReason[] = [];
  nameReasons('principal', userName, reasons);
  nameReasons('session', sessionName, reasons);
  return reasons;
}

/** The subjects of one credential; empty when it names neither a key nor a known principal. */
export function credentialSubjects(env: SubjectEnv, c: Credential, opts: CredentialOptions): Subject[] {
  const out: Subject[] = [];
  const { role, accountId, region } = opts;
  if (c.accessKeyId !== undefined) {
    out.push(
      otherSubject(
        env,
        'access-key',
        { id: c.accessKeyId, name: c.userName, reasons: principalReasons(c.userName), role, accountId, region },
        {
          accessKeyId: c.accessKeyId,
          principalId: c.principalId,
          userName: c.userName,
          userType: c.userType,
          // ASIA… keys are STS session credentials: they cannot be deactivated, only their role's sessions revoked.
          temporary: c.accessKeyId.startsWith('ASIA'),
        },
      ),
    );
  }
  switch (c.userType) {
    case 'IAMUser': {
      const id = c.userName ?? c.principalId;
      if (id === undefined) break;
      out.push(
        otherSubject(env, 'iam-user', { id, name: c.userName, reasons: principalReasons(c.userName), role, accountId, region }, {
          userName: c.userName,
          principalId: c.principalId,
          accessKeyId: c.accessKeyId,
        }),
      );
      break;
    }
    case 'AssumedRole': {
      const id = c.principalId ?? c.userName;
      if (id === undefined) break;
      const colon = c.principalId === undefined ? -1 : c.principalId.indexOf(':');
      const roleId = colon > 0 ? c.principalId!.slice(0, colon) : c.principalId;
      const sessionName = colon > 0 ? c.principalId!.slice(colon + 1) : undefined;
      out.push(
        otherSubject(env, 'iam-role-session', { id, name: c.userName, reasons: principalReasons(c.userName, sessionName), role, accountId, region }, {
          roleName: c.userName,
          roleId,
          sessionName,
          principalId: c.principalId,
          accessKeyId: c.accessKeyId,
        }),
      );
      if (sessionName !== undefined && INSTANCE_ID.test(sessionName)) out.push(derivedInstance(env, sessionName, opts));
      break;
    }
    case 'Root':
      out.push(
        otherSubject(env, 'root', { id: accountId ?? env.accountId, name: 'root', role, accountId, region }, {
          principalId: c.principalId,
          accessKeyId: c.accessKeyId,
        }),
      );
      break;
    case 'FederatedUser': {
      const id = c.principalId ?? c.userName;
      if (id === undefined) break;
      out.push(
        otherSubject(env, 'federated-user', { id, name: c.userName, reasons: principalReasons(c.userName), role, accountId, region }, {
          userName: c.userName,
          principalId: c.principalId,
          accessKeyId: c.accessKeyId,
        }),
      );
      break;
    }
  }
  return out;
}

function derivedInstance(env: SubjectEnv, instanceId: string, opts: CredentialOptions): Subject {
  const extras = { derivedFrom: sub(opts.path, 'principalId'), role: opts.role };
  const inst = opts.resource?.['instanceDetails'];
  if (opts.resourcePath !== undefined && isObject(inst) && inst['instanceId'] === instanceId) {
    return ec2FromInstanceDetails(env, inst, sub(opts.resourcePath, 'instanceDetails'), extras);
  }
  return ec2Subject(env, { instanceId, networkInterfaces: [] }, [], [], extras);
}
