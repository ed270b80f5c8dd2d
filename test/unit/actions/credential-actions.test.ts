import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { replaceInstanceProfile } from '../../../src/actions/ec2-replace-instance-profile.js';
import { denyInstanceSession } from '../../../src/actions/iam-deny-instance-session.js';
import { revocationCutoff, revokePolicyName, revokeRoleSessions } from '../../../src/actions/iam-revoke-role-sessions.js';
import { StepError } from '../../../src/errors.js';
import { ACCOUNT, CASE_ID, INSTANCE_ID, PROFILE_ARN, REGION, awsError, instanceSubject, makeCtx } from './action-fixtures.js';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
afterEach(() => {
  ec2.reset();
  iam.reset();
});

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ml/gpu-node-role`;
const FORENSIC = `arn:aws:iam::${ACCOUNT}:instance-profile/forensic`;

function association(arn: string | null, id = 'iip-assoc-1'): void {
  ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
    IamInstanceProfileAssociations: arn === null ? [] : [{ AssociationId: id, InstanceId: INSTANCE_ID, State: 'associated', IamInstanceProfile: { Arn: arn, Id: 'AIPA1' } }],
  });
}

/** The instance's role, and a neighbour role that must never be touched. */
const OTHER_ROLE = 'other-team-role';

/**
 * A fake IAM with two roles, each with its own inline policies: a write names its role, as in IAM, and a write to a
 * role that does not exist fails. `policies` is the instance role's; `others` the neighbour's.
 */
function roleWorld(): { policies: Map<string, string>; others: Map<string, string> } {
  iam.on(GetInstanceProfileCommand, { InstanceProfileName: 'gpu-node' }).resolves({
    InstanceProfile: { InstanceProfileName: 'gpu-node', Roles: [{ RoleName: 'gpu-node-role', RoleId: 'AROAEXAMPLE', Arn: ROLE_ARN }] } as never,
  });
  iam.on(GetRoleCommand, { RoleName: 'gpu-node-role' }).resolves({ Role: { RoleName: 'gpu-node-role', RoleId: 'AROAEXAMPLE', Arn: ROLE_ARN } as never });
  const roles = new Map<string, Map<string, string>>([
    ['gpu-node-role', new Map()],
    [OTHER_ROLE, new Map()],
  ]);
  const policiesOf = (roleName: string): Map<string, string> => {
    const found = roles.get(roleName);
    if (found === undefined) throw awsError('NoSuchEntityException', 404, `The role with name ${roleName} cannot be found.`);
    return found;
  };
  iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
    const doc = policiesOf(input.RoleName).get(input.PolicyName);
    if (doc === undefined) throw awsError('NoSuchEntityException', 404);
    return { PolicyDocument: encodeURIComponent(doc) }; // IAM answers URL-encoded
  });
  iam.on(PutRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
    policiesOf(input.RoleName).set(input.PolicyName, input.PolicyDocument);
    return {};
  });
  iam.on(DeleteRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
    const policies = policiesOf(input.RoleName);
    if (!policies.delete(input.PolicyName)) throw awsError('NoSuchEntityException', 404);
    return {};
  });
  return { policies: policiesOf('gpu-node-role'), others: policiesOf(OTHER_ROLE) };
}

describe('ec2.replace-instance-profile', () => {
  it('records the association and its role, disassociates, and release re-associates the original', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID }] }] });
    association(PROFILE_ARN);
    roleWorld();
    const pre = await replaceInstanceProfile.capture({}, makeCtx());
    expect(pre).toEqual({
      instanceId: INSTANCE_ID,
      association: { associationId: 'iip-assoc-1', profileArn: PROFILE_ARN, profileId: 'AIPA1' },
      roles: [{ roleName: 'gpu-node-role', roleId: 'AROAEXAMPLE', roleArn: ROLE_ARN }],
    });
    // The association is looked up for this instance, not the first one the account returns.
    expect(ec2).toHaveReceivedCommandWith(DescribeIamInstanceProfileAssociationsCommand, { Filters: [{ Name: 'instance-id', Values: [INSTANCE_ID] }] });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { Filters: [{ Name: 'instance-id', Values: [INSTANCE_ID] }] });
    // The profile name is the last path segment of the ARN.
    expect(iam.commandCalls(GetInstanceProfileCommand)[0]!.args[0].input).toEqual({ InstanceProfileName: 'gpu-node' });
    expect(await replaceInstanceProfile.apply({}, pre, makeCtx())).toEqual({ action: 'disassociated', previousProfileArn: PROFILE_ARN, currentProfileArn: null });
    expect(ec2.commandCalls(DisassociateIamInstanceProfileCommand)[0]!.args[0].input).toEqual({ AssociationId: 'iip-assoc-1' });

    association(null);
    expect(await replaceInstanceProfile.apply({}, pre, makeCtx())).toMatchObject({ action: 'none' });
    expect(ec2.commandCalls(DisassociateIamInstanceProfileCommand)).toHaveLength(1);
    expect(await replaceInstanceProfile.release!({}, pre, undefined, makeCtx())).toEqual({ action: 'associated', profileArn: PROFILE_ARN });
    expect(ec2.commandCalls(AssociateIamInstanceProfileCommand)[0]!.args[0].input).toEqual({ InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: PROFILE_ARN } });
  });

  it('with replacementProfileArn: replaces, is idempotent, and release replaces back', async () => {
    const pre = { instanceId: INSTANCE_ID, association: { associationId: 'iip-assoc-1', profileArn: PROFILE_ARN, profileId: null }, roles: [] };
    association(PROFILE_ARN);
    expect(await replaceInstanceProfile.apply({ replacementProfileArn: FORENSIC }, pre, makeCtx())).toMatchObject({ action: 'replaced', currentProfileArn: FORENSIC });
    expect(ec2.commandCalls(ReplaceIamInstanceProfileAssociationCommand)[0]!.args[0].input).toEqual({ AssociationId: 'iip-assoc-1', IamInstanceProfile: { Arn: FORENSIC } });
    association(FORENSIC, 'iip-assoc-2');
    expect(await replaceInstanceProfile.apply({ replacementProfileArn: FORENSIC }, pre, makeCtx())).toMatchObject({ action: 'none' });
    expect(await replaceInstanceProfile.release!({ replacementProfileArn: FORENSIC }, pre, undefined, makeCtx())).toEqual({ action: 'replaced', profileArn: PROFILE_ARN });
    expect(ec2.commandCalls(ReplaceIamInstanceProfileAssociationCommand)[1]!.args[0].input).toEqual({ AssociationId: 'iip-assoc-2', IamInstanceProfile: { Arn: PROFILE_ARN } });
  });

  it('no profile: no-op both ways; a malformed replacement ARN is refused', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID }] }] });
    association(null);
    const pre = await replaceInstanceProfile.capture({}, makeCtx());
    expect(pre.association).toBeNull();
    expect(await replaceInstanceProfile.apply({}, pre, makeCtx())).toMatchObject({ action: 'none' });
    expect(await replaceInstanceProfile.release!({}, pre, undefined, makeCtx())).toMatchObject({ action: 'none' });
    expect(() => replaceInstanceProfile.parseInput({ replacementProfileArn: 'arn:aws:iam::1:role/x' }, makeCtx())).toThrow(StepError);
  });
});

describe('iam.deny-instance-session', () => {
  const expectedDoc = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TourniquetDenyInstanceRoleSession', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': `AROAEXAMPLE:${INSTANCE_ID}` } } },
      {
        Sid: 'TourniquetDenyInstanceCredentials',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { ArnEquals: { 'ec2:SourceInstanceARN': `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}` } },
      },
    ],
  };

  it('resolves the role from the finding\'s profile (even after the profile was removed) and puts the session-only deny', async () => {
    const { policies, others } = roleWorld();
    association(null); // the profile step already ran
    const ctx = makeCtx({ subject: instanceSubject({ iamInstanceProfile: { arn: PROFILE_ARN } }) });
    const pre = await denyInstanceSession.capture({}, ctx);
    expect(pre).toEqual({
      instanceId: INSTANCE_ID,
      role: { roleName: 'gpu-node-role', roleId: 'AROAEXAMPLE', roleArn: ROLE_ARN, source: 'subject-profile' },
      policyName: `tourniquet-deny-${INSTANCE_ID}`,
      prior: null,
    });
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: 'gpu-node' });
    expect(await denyInstanceSession.apply({}, pre, ctx)).toEqual({ applied: true, roleName: 'gpu-node-role', policyName: `tourniquet-deny-${INSTANCE_ID}` });
    // On the instance's role, and nowhere else.
    expect(iam).toHaveReceivedCommandExactlyOnceWith(PutRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-deny-${INSTANCE_ID}` });
    expect(JSON.parse(policies.get(`tourniquet-deny-${INSTANCE_ID}`)!)).toEqual(expectedDoc);
    expect(others.size).toBe(0);
    // Idempotent: the same document is not written again.
    await denyInstanceSession.apply({}, pre, ctx);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect((await denyInstanceSession.verify!({}, ctx)).holds).toBe(true);
    // verify reads the policy back from the instance's role.
    expect(iam).toHaveReceivedLastCommandWith(GetRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-deny-${INSTANCE_ID}` });

    const released = (await denyInstanceSession.release!({}, pre, undefined, ctx)) as { action: string; caveat: string };
    expect(released.action).toBe('deleted');
    expect(released.caveat).toMatch(/usable again until they expire/);
    expect(iam).toHaveReceivedCommandExactlyOnceWith(DeleteRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-deny-${INSTANCE_ID}` });
    expect(policies.has(`tourniquet-deny-${INSTANCE_ID}`)).toBe(false);
  });

  it('release puts back a prior document of the same name', async () => {
    const { policies, others } = roleWorld();
    const prior = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    policies.set(`tourniquet-deny-${INSTANCE_ID}`, JSON.stringify(expectedDoc));
    const pre = { instanceId: INSTANCE_ID, role: { roleName: 'gpu-node-role', roleId: 'AROAEXAMPLE', roleArn: ROLE_ARN, source: 'input' }, policyName: `tourniquet-deny-${INSTANCE_ID}`, prior };
    expect(await denyInstanceSession.release!({}, pre, undefined, makeCtx())).toMatchObject({ action: 'restored' });
    expect(iam).toHaveReceivedCommandExactlyOnceWith(PutRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-deny-${INSTANCE_ID}` });
    expect(JSON.parse(policies.get(`tourniquet-deny-${INSTANCE_ID}`)!)).toEqual(prior);
    expect(others.size).toBe(0);
  });

  it('an instance without a profile: nothing to deny', async () => {
    association(null);
    const pre = await denyInstanceSession.capture({}, makeCtx());
    expect(pre).toEqual({ instanceId: INSTANCE_ID, role: null });
    expect(await denyInstanceSession.apply({}, pre, makeCtx())).toMatchObject({ applied: false });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });
});

describe('iam.revoke-role-sessions', () => {
  it('cut-off is now rounded UP to the second, without milliseconds', () => {
    expect(revocationCutoff(new Date('2026-11-28T15:00:00.250Z'))).toBe('2026-11-28T15:00:01Z');
    expect(revocationCutoff(new Date('2026-11-28T15:00:00.000Z'))).toBe('2026-11-28T15:00:00Z');
    expect(revokePolicyName('inc/42 x')).toBe('tourniquet-revoke-inc-42-x');
  });

  it('puts the per-case TokenIssueTime deny once, keeps the first cut-off on re-runs, release deletes it with the caveat', async () => {
    const { policies, others } = roleWorld();
    association(PROFILE_ARN);
    const ctx = makeCtx();
    const pre = await revokeRoleSessions.capture({}, ctx);
    expect(pre).toEqual({ role: { roleName: 'gpu-node-role', roleArn: ROLE_ARN, source: 'association' }, policyName: `tourniquet-revoke-${CASE_ID}`, prior: null });
    expect(await revokeRoleSessions.apply({}, pre, ctx)).toEqual({ applied: true, roleName: 'gpu-node-role', cutoff: '2026-11-28T15:00:01Z' });
    expect(iam).toHaveReceivedCommandExactlyOnceWith(PutRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-revoke-${CASE_ID}` });
    expect(others.size).toBe(0);
    expect(JSON.parse(policies.get(`tourniquet-revoke-${CASE_ID}`)!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'TourniquetRevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-28T15:00:01Z' } } }],
    });
    const later = makeCtx({ now: new Date('2026-11-28T16:00:00Z') });
    expect(await revokeRoleSessions.apply({}, await revokeRoleSessions.capture({}, later), later)).toMatchObject({ cutoff: '2026-11-28T15:00:01Z' });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect((await revokeRoleSessions.verify!({}, ctx)).holds).toBe(true);

    const released = (await revokeRoleSessions.release!({}, pre, undefined, ctx)) as { action: string; caveat: string };
    expect(released.action).toBe('deleted');
    expect(released.caveat).toMatch(/valid again, including stolen ones/);
    expect(iam).toHaveReceivedCommandExactlyOnceWith(DeleteRolePolicyCommand, { RoleName: 'gpu-node-role', PolicyName: `tourniquet-revoke-${CASE_ID}` });
    expect(policies.size).toBe(0);
    expect(revokeRoleSessions.effect).toBe('destructive');
    expect(revokeRoleSessions.description).toMatch(/ALL sessions/);
  });

  it('roleName alone is enough (no instance needed); service-linked roles are refused', async () => {
    roleWorld();
    const ctx = makeCtx({ subject: { ...instanceSubject(), kind: 'iam-role-session', details: {} } as never });
    expect(await revokeRoleSessions.capture({ roleName: 'gpu-node-role' }, ctx)).toMatchObject({ role: { roleName: 'gpu-node-role', source: 'input' } });
    expect(iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: 'gpu-node-role' });
    iam.on(GetRoleCommand, { RoleName: 'AWSServiceRoleForAutoScaling' }).resolves({
      Role: { RoleName: 'AWSServiceRoleForAutoScaling', RoleId: 'AROA2', Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` } as never,
    });
    await expect(revokeRoleSessions.capture({ roleName: 'AWSServiceRoleForAutoScaling' }, ctx)).rejects.toThrow(/service-linked role/);
  });
});
