/**
 * `drill role-session <role-name>[:<session-name>]`: a finding about one session of a real role (its RoleId from
 * IAM), with a temporary key id marked as a drill's; the default session name is `tourniquet-drill`.
 */
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { DrillKind } from '../drill-kind.js';
import { apiCallAction } from './iam-user.js';

export const roleSessionDrill: DrillKind = {
  kind: 'role-session',
  idHelp: 'a role name, optionally with :<session name>',
  defaultType: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  typeResources: ['IAMUser'],
  checkId: (id) => (/^[\w+=,.@-]{1,64}(?::[\w+=,.@-]{2,64})?$/.test(id) ? undefined : `expected <role-name>[:<session-name>], received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const [roleName = '', session = 'tourniquet-drill'] = id.split(':');
    const iam = new IAMClient(ctx.config);
    try {
      const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
      if (role?.RoleId === undefined) throw new UsageError(`IAM role ${roleName} not found`);
      // ASIA… is a session key; this one is derived, so it names no real key.
      const key = `ASIA${createHash('sha256').update(`${role.RoleId}:${session}`).digest('hex').slice(0, 16).toUpperCase()}`;
      return {
        label: `role/${roleName}:${session}`,
        resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: key, principalId: `${role.RoleId}:${session}`, userName: roleName, userType: 'AssumedRole' } },
        action: apiCallAction(ctx.type),
        resourceRole: 'TARGET',
      };
    } finally {
      iam.destroy();
    }
  },
};
