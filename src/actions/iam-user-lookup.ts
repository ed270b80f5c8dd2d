/**
 * IAM user lookups shared by the `iam-user` playbook's actions: which user a step acts on, and paginated reads of
 * its access keys, service-specific credentials (Bedrock API keys), MFA devices, login profile and policies. The
 * IAM SDK is already part of the core (the EC2 credential steps and the live-tag reader use it), so it is imported
 * directly rather than lazily.
 */
import type {
  IAMClient} from '@aws-sdk/client-iam';
import {
  GetLoginProfileCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext } from './action.js';
import { isAwsError } from './action-support.js';

/** IAM user names: 1–64 of `[\w+=,.@-]` (the IAM API's pattern). Checked before any call or policy document. */
export const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** Every IAM user of the account (resource patterns for `IamPermission.resources`). */
export const USER_ARN = 'arn:${Partition}:iam::${Account}:user/*';

/** The optional `userName` every iam-user action takes (defaults to the subject's user). */
export const UserInputSchema = z.strictObject({
  userName: z.string().regex(USER_NAME, { error: 'an IAM user name (1-64 of letters, digits and +=,.@_-)' }).optional(),
});

/** The user a step acts on: `input.userName`, else the iam-user subject's `userName`. */
export function resolveUserName(input: { userName?: string | undefined }, ctx: BoundActionContext): string {
  const fromSubject = ctx.subject.kind === 'iam-user' ? ctx.subject.details.userName : undefined;
  const name = input.userName ?? fromSubject ?? undefined;
  if (name === undefined) {
    throw ctx.fail(`no IAM user to act on: the subject is ${describeValue(ctx.subject.kind)} ${describeValue(ctx.subject.id)} without a user name, and the input has no userName`);
  }
  if (!USER_NAME.test(name)) throw ctx.fail(`not an IAM user name: ${describeValue(name)}`);
  return name;
}

/** Paginates an IAM `Marker`/`IsTruncated` listing. */
export async function allPages<T>(page: (marker: string | undefined) => Promise<{ items: T[]; marker?: string | undefined; truncated?: boolean | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const res = await page(marker);
    out.push(...res.items);
    marker = res.truncated === true ? res.marker : undefined;
  } while (marker !== undefined);
  return out;
}

export type AccessKeyState = { accessKeyId: string; status: string; createDate: string | null };

export async function listAccessKeys(iam: IAMClient, userName: string): Promise<AccessKeyState[]> {
  return allPages(async (marker) => {
    const out = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    const items = (out.AccessKeyMetadata ?? []).flatMap((k) =>
      k.AccessKeyId === undefined ? [] : [{ accessKeyId: k.AccessKeyId, status: k.Status ?? 'Unknown', createDate: k.CreateDate?.toISOString() ?? null }],
    );
    return { items, marker: out.Marker, truncated: out.IsTruncated };
  });
}

/** Bedrock long-term API keys are IAM service-specific credentials for this service. */
export const BEDROCK_SERVICE_NAME = 'bedrock.amazonaws.com';

export type ServiceCredentialState = { serviceSpecificCredentialId: string; serviceName: string; status: string; createDate: string | null };

/** The user's service-specific credentials (of one service when `serviceName` is given). */
export async function listServiceCredentials(iam: IAMClient, userName: string, serviceName?: string): Promise<ServiceCredentialState[]> {
  return allPages(async (marker) => {
    const out = await iam.send(
      new ListServiceSpecificCredentialsCommand({ UserName: userName, ...(serviceName ? { ServiceName: serviceName } : {}), ...(marker ? { Marker: marker } : {}) }),
    );
    const items = (out.ServiceSpecificCredentials ?? []).flatMap((c) =>
      c.ServiceSpecificCredentialId === undefined
        ? []
        : [{ serviceSpecificCredentialId: c.ServiceSpecificCredentialId, serviceName: c.ServiceName ?? '', status: c.Status ?? 'Unknown', createDate: c.CreateDate?.toISOString() ?? null }],
    );
    return { items, marker: out.Marker, truncated: out.IsTruncated };
  });
}

export type MfaDeviceState = { serialNumber: string; enableDate: string | null };

export async function listMfaDevices(iam: IAMClient, userName: string): Promise<MfaDeviceState[]> {
  return allPages(async (marker) => {
    const out = await iam.send(new ListMFADevicesCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    const items = (out.MFADevices ?? []).flatMap((d) => (d.SerialNumber === undefined ? [] : [{ serialNumber: d.SerialNumber, enableDate: d.EnableDate?.toISOString() ?? null }]));
    return { items, marker: out.Marker, truncated: out.IsTruncated };
  });
}

export type LoginProfileState = { createDate: string | null; passwordResetRequired: boolean };

/** The user's console password profile, or null when the user has none. */
export async function readLoginProfile(iam: IAMClient, userName: string): Promise<LoginProfileState | null> {
  try {
    const out = await iam.send(new GetLoginProfileCommand({ UserName: userName }));
    return { createDate: out.LoginProfile?.CreateDate?.toISOString() ?? null, passwordResetRequired: out.LoginProfile?.PasswordResetRequired === true };
  } catch (err) {
    if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return null;
    throw err;
  }
}

export async function listAttachedPolicyArns(iam: IAMClient, userName: string): Promise<string[]> {
  return allPages(async (marker) => {
    const out = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    return { items: (out.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])), marker: out.Marker, truncated: out.IsTruncated };
  });
}

export async function listInlinePolicyNames(iam: IAMClient, userName: string): Promise<string[]> {
  return allPages(async (marker) => {
    const out = await iam.send(new ListUserPoliciesCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    return { items: out.PolicyNames ?? [], marker: out.Marker, truncated: out.IsTruncated };
  });
}

/** One inline user policy's document (IAM returns it URL-encoded), or null when the user has no policy of that name. */
export async function readUserPolicy(iam: IAMClient, userName: string, policyName: string): Promise<Json | null> {
  try {
    const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
    return out.PolicyDocument === undefined ? null : (JSON.parse(decodeURIComponent(out.PolicyDocument)) as Json);
  } catch (err) {
    if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return null;
    throw err;
  }
}
