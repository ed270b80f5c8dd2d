/**
 * The iam-user actions where moto_server falls short, against aws-sdk-client-mock: Bedrock API keys (moto has no
 * service-specific credential API) held in a small in-memory IAM whose state is read back; the MFA incident window
 * (moto cannot backdate a device); the inline quota error (moto does not enforce the 2,048 characters per user); the
 * login profile recreated with a reset required and a password that is in no output; evidence of Bedrock API keys.
 */
import {
  CreateLoginProfileCommand,
  DeactivateMFADeviceCommand,
  DeleteLoginProfileCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListUserPoliciesCommand,
  GetUserPolicyCommand,
  PutUserPolicyCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { captureUserEvidence } from '../../../src/actions/iam-user-capture-evidence.js';
import { deactivateUserBedrockKeys } from '../../../src/actions/iam-user-deactivate-bedrock-keys.js';
import { deactivateUserMfaDevices } from '../../../src/actions/iam-user-deactivate-mfa-devices.js';
import { denyUserAiActions } from '../../../src/actions/iam-user-deny-ai-actions.js';
import { removeUserConsoleAccess, throwawayPassword } from '../../../src/actions/iam-user-remove-console-access.js';
import { AwsCallError, StepError } from '../../../src/errors.js';
import type { Subject } from '../../../src/findings/model.js';
import { ACCOUNT, REGION, awsError, makeCtx } from './action-fixtures.js';

const iamMock = mockClient(IAMClient);
const USER = 'llm-victim';
const subject = {
  kind: 'iam-user',
  id: USER,
  accountId: ACCOUNT,
  region: REGION,
  tags: [],
  ai: { isAi: false, reasons: [] },
  details: { userName: USER, principalId: 'AIDAEXAMPLE', accessKeyId: 'AKIAEXAMPLE' },
} as unknown as Subject;
const ctx = () => makeCtx({ subject });

beforeEach(() => {
  iamMock.reset();
});

describe('iam.deactivate-user-bedrock-keys', () => {
  /** The user's service-specific credentials: id → [service, status]. */
  let creds: Map<string, { service: string; status: string }>;
  beforeEach(() => {
    creds = new Map([
      ['ACCABEDROCKACTIVE001', { service: 'bedrock.amazonaws.com', status: 'Active' }],
      ['ACCABEDROCKINACTIVE1', { service: 'bedrock.amazonaws.com', status: 'Inactive' }],
      ['ACCACODECOMMIT00001', { service: 'codecommit.amazonaws.com', status: 'Active' }],
    ]);
    iamMock.on(ListServiceSpecificCredentialsCommand).callsFake((req: { UserName: string; ServiceName?: string }) => {
      expect(req.UserName).toBe(USER);
      return {
        ServiceSpecificCredentials: [...creds]
          .filter(([, c]) => req.ServiceName === undefined || c.service === req.ServiceName)
          .map(([id, c]) => ({ ServiceSpecificCredentialId: id, ServiceName: c.service, Status: c.status, UserName: USER, CreateDate: new Date('2026-11-01T00:00:00Z') })),
      };
    });
    iamMock.on(UpdateServiceSpecificCredentialCommand).callsFake((req: { ServiceSpecificCredentialId: string; Status: string }) => {
      const c = creds.get(req.ServiceSpecificCredentialId);
      if (c === undefined) throw awsError('NoSuchEntity', 404);
      c.status = req.Status;
      return {};
    });
  });
  const statuses = () => Object.fromEntries([...creds].map(([id, c]) => [id, c.status]));

  it('deactivates the Bedrock keys only, verifies, is idempotent, and release restores each prior status exactly', async () => {
    const a = deactivateUserBedrockKeys;
    const input = a.parseInput({}, ctx());
    const pre = await a.capture(input, ctx());
    expect(pre.credentials.map((c) => [c.serviceSpecificCredentialId, c.status])).toEqual([
      ['ACCABEDROCKACTIVE001', 'Active'],
      ['ACCABEDROCKINACTIVE1', 'Inactive'],
    ]);
    expect(await a.apply(input, pre, ctx())).toEqual({ deactivated: ['ACCABEDROCKACTIVE001'], alreadyInactive: ['ACCABEDROCKINACTIVE1'] });
    expect(statuses()).toEqual({ ACCABEDROCKACTIVE001: 'Inactive', ACCABEDROCKINACTIVE1: 'Inactive', ACCACODECOMMIT00001: 'Active' });
    expect((await a.verify!(input, ctx())).holds).toBe(true);
    expect(await a.apply(input, pre, ctx())).toEqual({ deactivated: [], alreadyInactive: ['ACCABEDROCKACTIVE001', 'ACCABEDROCKINACTIVE1'] });
    expect(iamMock).toHaveReceivedCommandWith(UpdateServiceSpecificCredentialCommand, { UserName: USER, ServiceSpecificCredentialId: 'ACCABEDROCKACTIVE001', Status: 'Inactive' });

    const released = await a.release!(input, pre, undefined, ctx());
    expect(released).toMatchObject({ action: 'restored', reactivated: ['ACCABEDROCKACTIVE001'], keptInactive: ['ACCABEDROCKINACTIVE1'] });
    expect(statuses()).toEqual({ ACCABEDROCKACTIVE001: 'Active', ACCABEDROCKINACTIVE1: 'Inactive', ACCACODECOMMIT00001: 'Active' });
    expect((await a.verify!(input, ctx())).holds).toBe(false);
    expect(await a.release!(input, pre, undefined, ctx())).toMatchObject({ action: 'none' });
  });

  it('a key created after the pre-image is deactivated and stays so on release; one deleted meanwhile is reported', async () => {
    const a = deactivateUserBedrockKeys;
    const input = a.parseInput({}, ctx());
    const pre = await a.capture(input, ctx());
    creds.set('ACCAATTACKERSKEY0001', { service: 'bedrock.amazonaws.com', status: 'Active' });
    expect((await a.apply(input, pre, ctx())).deactivated).toEqual(['ACCABEDROCKACTIVE001', 'ACCAATTACKERSKEY0001']);
    creds.delete('ACCABEDROCKACTIVE001');
    expect(await a.release!(input, pre, undefined, ctx())).toMatchObject({ action: 'none', deletedSince: ['ACCABEDROCKACTIVE001'] });
    expect(creds.get('ACCAATTACKERSKEY0001')?.status).toBe('Inactive');
  });
});

describe('iam.deactivate-user-mfa-devices', () => {
  const OWN = `arn:aws:iam::${ACCOUNT}:mfa/llm-victim-phone`;
  const ATTACKER = `arn:aws:iam::${ACCOUNT}:mfa/attacker`;
  let devices: Map<string, Date>;
  beforeEach(() => {
    devices = new Map([
      [OWN, new Date('2026-06-01T08:00:00Z')],
      [ATTACKER, new Date('2026-11-28T14:20:00Z')],
    ]);
    iamMock.on(ListMFADevicesCommand).callsFake(() => ({ MFADevices: [...devices].map(([SerialNumber, EnableDate]) => ({ UserName: USER, SerialNumber, EnableDate })) }));
    iamMock.on(DeactivateMFADeviceCommand).callsFake((req: { SerialNumber: string }) => {
      if (!devices.delete(req.SerialNumber)) throw awsError('NoSuchEntity', 404);
      return {};
    });
  });

  it('deactivates only the devices enabled in the incident window; not reversible (no release: nothing can re-enable them)', async () => {
    const a = deactivateUserMfaDevices;
    expect(a.effect).toBe('destructive');
    expect(a.reversible).toBe(false);
    expect(a.release).toBeUndefined();
    const input = a.parseInput({ enabledSince: '2026-11-28T13:00:00Z' }, ctx());
    const pre = await a.capture(input, ctx());
    const out = await a.apply(input, pre, ctx());
    expect(out).toEqual({ deactivated: [ATTACKER], keptOutsideWindow: [OWN] });
    expect([...devices.keys()]).toEqual([OWN]);
    expect(iamMock).toHaveReceivedCommandTimes(DeactivateMFADeviceCommand, 1);
    expect((await a.verify!(input, ctx())).holds).toBe(true);
    // Again: nothing left in the window, nothing called.
    expect(await a.apply(input, await a.capture(input, ctx()), ctx())).toEqual({ deactivated: [], keptOutsideWindow: [OWN] });
    expect(iamMock.commandCalls(DeactivateMFADeviceCommand)).toHaveLength(1);
  });

  it('with no device in the window: nothing changes', async () => {
    const a = deactivateUserMfaDevices;
    const input = a.parseInput({ enabledSince: '2026-11-28T15:00:00Z' }, ctx());
    const pre = await a.capture(input, ctx());
    const out = await a.apply(input, pre, ctx());
    expect(out.deactivated).toEqual([]);
    expect(devices.size).toBe(2);
    expect(iamMock.commandCalls(DeactivateMFADeviceCommand)).toHaveLength(0);
  });

  it('refuses a window that is not a date-time, naming the value', () => {
    expect(() => deactivateUserMfaDevices.parseInput({ enabledSince: 'yesterday' }, ctx())).toThrow(StepError);
    expect(() => deactivateUserMfaDevices.parseInput({ enabledSince: 'yesterday' }, ctx())).toThrow(/enabledSince: an ISO-8601 date-time/);
  });
});

describe('iam.deny-user-ai-actions', () => {
  it("a user whose own inline policies leave no room: a clear, non-retried error naming the sizes; the user's policies untouched", async () => {
    const own = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(1800) }] };
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: ['own-big'] });
    iamMock.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(GetUserPolicyCommand, { PolicyName: 'own-big' }).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(own)), PolicyName: 'own-big', UserName: USER });
    iamMock.on(PutUserPolicyCommand).rejects(awsError('LimitExceeded', 409, 'Maximum policy size of 2048 bytes exceeded for user llm-victim'));
    const a = denyUserAiActions;
    const input = a.parseInput({}, ctx());
    const pre = await a.capture(input, ctx());
    expect(pre.otherInlineChars).toBeGreaterThan(1800);
    const err = await a.apply(input, pre, ctx()).then(
      () => expect.fail('expected the quota error'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).transient).toBe(false);
    expect((err as Error).message).toMatch(new RegExp(`user ${USER}: the deny tourniquet-ai-quarantine-inc-42 \\(\\d+ characters\\) does not fit: the user's own inline policies use ${pre.otherInlineChars} of the 2,048`));
    expect(iamMock.commandCalls(PutUserPolicyCommand).map((c) => c.args[0].input.PolicyName)).toEqual(['tourniquet-ai-quarantine-inc-42']);
  });
});

describe('iam.remove-user-console-access release', () => {
  it('recreates the profile with a reset required and a password that is in no output', async () => {
    let exists = true;
    iamMock.on(GetLoginProfileCommand).callsFake(() => {
      if (!exists) throw awsError('NoSuchEntity', 404);
      return { LoginProfile: { UserName: USER, CreateDate: new Date('2026-01-01T00:00:00Z'), PasswordResetRequired: false } };
    });
    iamMock.on(DeleteLoginProfileCommand).callsFake(() => {
      exists = false;
      return {};
    });
    iamMock.on(CreateLoginProfileCommand).callsFake(() => {
      exists = true;
      return {};
    });
    const a = removeUserConsoleAccess;
    const input = a.parseInput({}, ctx());
    const pre = await a.capture(input, ctx());
    expect(pre.loginProfile).toEqual({ createDate: '2026-01-01T00:00:00.000Z', passwordResetRequired: false });
    const out = await a.apply(input, pre, ctx());
    expect(out).toEqual({ deleted: true });
    const released = await a.release!(input, pre, out, ctx());
    const sent = iamMock.commandCalls(CreateLoginProfileCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ UserName: USER, PasswordResetRequired: true });
    expect(JSON.stringify(released)).not.toContain(sent.Password!);
    expect(released).toMatchObject({ action: 'recreated', note: expect.stringMatching(/administrator must set a new password/) });
  });

  it('throwaway passwords: 128 characters, every character class, never twice the same', () => {
    const a = throwawayPassword();
    expect(a).toHaveLength(128);
    for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(a).toMatch(re);
    expect(throwawayPassword()).not.toBe(a);
  });
});

describe('iam.capture-user-evidence', () => {
  it('stores the Bedrock API keys with the other service-specific credentials', async () => {
    iamMock.onAnyCommand().resolves({});
    iamMock.on(GetUserCommand).resolves({ User: { UserName: USER, UserId: 'AIDAEXAMPLE', Arn: `arn:aws:iam::${ACCOUNT}:user/${USER}`, Path: '/', CreateDate: new Date() } });
    iamMock.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(ListServiceSpecificCredentialsCommand).resolves({
      ServiceSpecificCredentials: [{ ServiceSpecificCredentialId: 'ACCABEDROCKACTIVE001', ServiceName: 'bedrock.amazonaws.com', Status: 'Active', UserName: USER, CreateDate: new Date(), ServiceUserName: 'u' }],
    });
    const c = ctx();
    const a = captureUserEvidence;
    const input = a.parseInput({}, c);
    const out = await a.apply(input, await a.capture(input, c), c);
    expect(out.unreadable).toEqual([]);
    expect(out.hasLoginProfile).toBe(false);
    expect(out.serviceSpecificCredentials).toEqual([{ id: 'ACCABEDROCKACTIVE001', serviceName: 'bedrock.amazonaws.com', status: 'Active' }]);
    expect(c.evidence.items.get(`iam/user/${USER}/service-specific-credentials.json`)).toMatchObject({ api: 'iam:ListServiceSpecificCredentials' });
  });

  it('a subject without a user name fails with one clear line', async () => {
    const noName = { ...subject, details: { principalId: 'AIDAEXAMPLE' } } as unknown as Subject;
    const c = makeCtx({ subject: noName });
    await expect(captureUserEvidence.capture(captureUserEvidence.parseInput({}, c), c)).rejects.toThrow(/no IAM user to act on: the subject is string "iam-user"/);
  });
});
