/**
 * An instance runs with its profile's role: a protected-principal pattern naming that role must protect the instance.
 * GuardDuty reports the profile only, so the engine resolves its roles (GetInstanceProfile) before deciding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { profileRolesEvent, resolveProfileRoles, withProfileRoles, type ProfileRolesDeps } from '../../../src/engine/profile-roles.js';
import { RunSharedReads } from '../../../src/engine/shared-reads.js';
import { profileRolesKey, type RoleRef } from '../../../src/actions/iam-role-lookup.js';
import { subjectPrincipals } from '../../../src/policy/principals.js';
import { instanceSubject, mockClients } from '../actions/action-fixtures.js';

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());

const PROFILE = 'arn:aws:iam::111122223333:instance-profile/gpu-nodes';
const ROLE = 'arn:aws:iam::111122223333:role/BreakGlassAdmin';
const deps = (over: Partial<ProfileRolesDeps> = {}): ProfileRolesDeps => ({
  observeOnly: false,
  clients: () => Promise.resolve(mockClients()),
  isTransient: isTransientAwsError,
  retry: { baseDelayMs: 1, maxDelayMs: 2 },
  ...over,
});

describe('resolveProfileRoles', () => {
  it('asks IAM for the profile by name; its roles become principals of the instance the guardrails check', async () => {
    iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'gpu-nodes', Roles: [{ RoleName: 'BreakGlassAdmin', Arn: ROLE, RoleId: 'AROA1', Path: '/', CreateDate: new Date() }] } as never });
    const subject = instanceSubject({ iamInstanceProfile: { arn: PROFILE } });
    const roles = await resolveProfileRoles(subject, deps());
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: 'gpu-nodes' });
    expect(roles).toEqual({ source: 'resolved', profileArn: PROFILE, roleArns: [ROLE], roles: [{ roleName: 'BreakGlassAdmin', roleId: 'AROA1', roleArn: ROLE }] });
    const principals = subjectPrincipals(withProfileRoles(subject, roles), 'aws').map((c) => c.arn);
    expect(principals).toEqual([PROFILE, ROLE]);
    expect(profileRolesEvent(roles, new Date(0))?.message).toContain(ROLE);
  });

  it('reads nothing without a profile, or in observe; a failed read is recorded and leaves the subject as it was', async () => {
    expect(await resolveProfileRoles(instanceSubject(), deps())).toMatchObject({ source: 'none' });
    expect(await resolveProfileRoles(instanceSubject({ iamInstanceProfile: { arn: PROFILE } }), deps({ observeOnly: true }))).toMatchObject({ source: 'none' });
    expect(iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(0);
    iam.on(GetInstanceProfileCommand).rejects(Object.assign(new Error('no such profile'), { name: 'NoSuchEntity', $metadata: { httpStatusCode: 404 } }));
    const subject = instanceSubject({ iamInstanceProfile: { arn: PROFILE } });
    const failed = await resolveProfileRoles(subject, deps());
    expect(failed).toMatchObject({ source: 'failed', profileArn: PROFILE });
    expect(withProfileRoles(subject, failed)).toBe(subject);
    expect(profileRolesEvent(failed, new Date(0))?.message).toMatch(/could not be read \(NoSuchEntity/);
  });

  it('reads through the run\'s shared reads under the steps\' key: a later reader of the roles joins it, a failed read is not kept', async () => {
    iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'gpu-nodes', Roles: [{ RoleName: 'BreakGlassAdmin', Arn: ROLE, RoleId: 'AROA1', Path: '/', CreateDate: new Date() }] } as never });
    const reads = new RunSharedReads();
    const subject = instanceSubject({ iamInstanceProfile: { arn: PROFILE } });
    const resolving = resolveProfileRoles(subject, deps({ reads }));
    // Registered before the call first awaits: a prefetch started right after joins it rather than reading again.
    const joined = await reads.get<RoleRef[]>(profileRolesKey(PROFILE), () => Promise.reject(new Error('a second read')));
    expect(joined).toEqual([{ roleName: 'BreakGlassAdmin', roleId: 'AROA1', roleArn: ROLE }]);
    expect(await resolving).toMatchObject({ source: 'resolved', roleArns: [ROLE] });
    expect(iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(1);

    iam.reset();
    iam.on(GetInstanceProfileCommand).rejects(Object.assign(new Error('no such profile'), { name: 'NoSuchEntity', $metadata: { httpStatusCode: 404 } }));
    const failingReads = new RunSharedReads();
    expect(await resolveProfileRoles(subject, deps({ reads: failingReads }))).toMatchObject({ source: 'failed' });
    // Not kept: the step that needs the roles reads them again (and meets the error itself).
    expect(await failingReads.get(profileRolesKey(PROFILE), () => Promise.resolve('read again'))).toBe('read again');
  });
});
