/**
 * `iam.capture-user-evidence`: everything IAM holds about the user that containment changes or an investigator needs
 * (the user, its access keys and their last use, attached and inline policies with their documents, groups, MFA
 * devices, login profile, SSH public keys, service-specific credentials — Bedrock API keys among them —, signing
 * certificates, tags), each answer stored in the case evidence. Reads only.
 *
 * One listing that cannot be read (an access denied, an API the endpoint lacks) is stored as its error and named in
 * the output's `unreadable`; the rest is still captured: partial evidence beats none, and the containment steps do
 * not wait on it. A user that does not exist fails the step.
 */
import { settleAll } from '../run-limited.js';
import {
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListGroupsForUserCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import {
  allPages,
  listAccessKeys,
  listAttachedPolicyArns,
  listInlinePolicyNames,
  listMfaDevices,
  listServiceCredentials,
  readLoginProfile,
  readUserPolicy,
  resolveUserName,
  USER_ARN,
  UserInputSchema,
} from './iam-user-lookup.js';

export type CaptureUserEvidencePreImage = { userName: string; userId: string | null; arn: string | null };

export type CaptureUserEvidenceOutput = {
  userName: string;
  accessKeys: Array<{ accessKeyId: string; status: string; lastUsedDate: string | null; lastUsedService: string | null; lastUsedRegion: string | null }>;
  attachedPolicyArns: string[];
  inlinePolicyNames: string[];
  groups: string[];
  mfaDevices: Array<{ serialNumber: string; enableDate: string | null }>;
  hasLoginProfile: boolean;
  serviceSpecificCredentials: Array<{ id: string; serviceName: string; status: string }>;
  /** Listings that could not be read (stored as their error). */
  unreadable: string[];
  /** Evidence artefact names written. */
  evidence: string[];
};

/** Strips the SDK's non-JSON bits (dates become strings) while keeping `$metadata.requestId` for CloudTrail. */
function asEvidence(api: string, request: unknown, response: unknown): Json {
  return JSON.parse(JSON.stringify({ api, request, response })) as Json;
}

export const captureUserEvidence = defineAction({
  name: 'iam.capture-user-evidence',
  effect: 'read',
  input: UserInputSchema,
  description:
    'Store the IAM user, its access keys and their last use, attached and inline policies (documents), groups, MFA ' +
    'devices, login profile, SSH keys, service-specific credentials (Bedrock API keys), signing certificates and tags ' +
    'as case evidence. Reads only. Fails if the user does not exist.',
  permissions: [
    {
      actions: [
        'iam:GetUser',
        'iam:ListAccessKeys',
        'iam:ListAttachedUserPolicies',
        'iam:ListUserPolicies',
        'iam:GetUserPolicy',
        'iam:ListGroupsForUser',
        'iam:ListMFADevices',
        'iam:GetLoginProfile',
        'iam:ListSSHPublicKeys',
        'iam:ListServiceSpecificCredentials',
        'iam:ListSigningCertificates',
        'iam:ListUserTags',
        'iam:GetAccessKeyLastUsed',
      ],
      resources: [USER_ARN],
      why: 'Read the compromised IAM user and its credentials as evidence',
    },
  ],

  async capture(input, ctx): Promise<CaptureUserEvidencePreImage> {
    const userName = resolveUserName(input, ctx);
    try {
      const out = await ctx.aws(IAMClient).send(new GetUserCommand({ UserName: userName }));
      return { userName, userId: out.User?.UserId ?? null, arn: out.User?.Arn ?? null };
    } catch (err) {
      if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw ctx.fail(`IAM user ${userName} does not exist (any more)`, err);
      throw err;
    }
  },

  async apply(_input, pre, ctx): Promise<CaptureUserEvidenceOutput> {
    const iam = ctx.aws(IAMClient);
    const userName = pre.userName;
    const prefix = `iam/user/${userName}`;
    const written: string[] = [];
    const unreadable: string[] = [];
    const put = async (name: string, content: Json): Promise<void> => {
      const full = `${prefix}/${name}.json`;
      await ctx.evidence.put(full, content);
      written.push(full);
    };
    /** Reads one listing into the evidence; a failure is stored as the error and the capture goes on. */
    const read = async <T>(name: string, api: string, request: Json, fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        const value = await fn();
        await put(name, asEvidence(api, request, value));
        return value;
      } catch (err) {
        const e = err as { name?: unknown; message?: unknown };
        await put(name, asEvidence(api, request, { error: typeof e.name === 'string' ? e.name : 'Error', message: typeof e.message === 'string' ? e.message : String(err) }));
        unreadable.push(name);
        return undefined;
      }
    };
    const req = { UserName: userName };

    // Every listing at once (none depends on another; the per-key and per-policy reads follow their listing).
    const userRead = iam.send(new GetUserCommand(req)).then((user) => put('get-user', asEvidence('iam:GetUser', req, user)));
    const keysRead = read('access-keys', 'iam:ListAccessKeys', req, () => listAccessKeys(iam, userName)).then((keys) =>
      Promise.all(
        (keys ?? []).map(async (key) => {
          const used = await read(`access-key-last-used-${key.accessKeyId}`, 'iam:GetAccessKeyLastUsed', { AccessKeyId: key.accessKeyId }, () =>
            iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId })),
          );
          return {
            accessKeyId: key.accessKeyId,
            status: key.status,
            lastUsedDate: used?.AccessKeyLastUsed?.LastUsedDate?.toISOString() ?? null,
            lastUsedService: used?.AccessKeyLastUsed?.ServiceName ?? null,
            lastUsedRegion: used?.AccessKeyLastUsed?.Region ?? null,
          };
        }),
      ),
    );
    const attachedRead = read('attached-policies', 'iam:ListAttachedUserPolicies', req, () => listAttachedPolicyArns(iam, userName));
    const inlineRead = read('inline-policy-names', 'iam:ListUserPolicies', req, () => listInlinePolicyNames(iam, userName)).then(async (names) => {
      await Promise.all(
        (names ?? []).map((policyName) =>
          read(`inline-policy-${policyName}`, 'iam:GetUserPolicy', { UserName: userName, PolicyName: policyName }, () => readUserPolicy(iam, userName, policyName)),
        ),
      );
      return names ?? [];
    });
    const groupsRead = read('groups', 'iam:ListGroupsForUser', req, () =>
      allPages(async (marker) => {
        const out = await iam.send(new ListGroupsForUserCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
        return { items: (out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])), marker: out.Marker, truncated: out.IsTruncated };
      }),
    );
    const mfaRead = read('mfa-devices', 'iam:ListMFADevices', req, () => listMfaDevices(iam, userName));
    const loginRead = read('login-profile', 'iam:GetLoginProfile', req, () => readLoginProfile(iam, userName));
    const sshRead = read('ssh-public-keys', 'iam:ListSSHPublicKeys', req, () =>
      allPages(async (marker) => {
        const out = await iam.send(new ListSSHPublicKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
        return { items: out.SSHPublicKeys ?? [], marker: out.Marker, truncated: out.IsTruncated };
      }),
    );
    const servicesRead = read('service-specific-credentials', 'iam:ListServiceSpecificCredentials', req, () => listServiceCredentials(iam, userName));
    const certsRead = read('signing-certificates', 'iam:ListSigningCertificates', req, () =>
      allPages(async (marker) => {
        const out = await iam.send(new ListSigningCertificatesCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
        return { items: out.Certificates ?? [], marker: out.Marker, truncated: out.IsTruncated };
      }),
    );
    const tagsRead = read('tags', 'iam:ListUserTags', req, () =>
      allPages(async (marker) => {
        const out = await iam.send(new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
        return { items: out.Tags ?? [], marker: out.Marker, truncated: out.IsTruncated };
      }),
    );
    // GetUser failing fails the capture (the user must exist); every other read stores its error and goes on.
    const [, accessKeys, attachedOrNone, inline, groupsOrNone, mfaOrNone, login, , servicesOrNone] = await settleAll([
      userRead,
      keysRead,
      attachedRead,
      inlineRead,
      groupsRead,
      mfaRead,
      loginRead,
      sshRead,
      servicesRead,
      certsRead,
      tagsRead,
    ]);
    const attached = attachedOrNone ?? [];
    const groups = groupsOrNone ?? [];
    const mfa = mfaOrNone ?? [];
    const services = servicesOrNone ?? [];
    // The reads finish in any order: list the artefacts in a stable one.
    written.sort();
    unreadable.sort();

    return {
      userName,
      accessKeys,
      attachedPolicyArns: attached,
      inlinePolicyNames: inline,
      groups,
      mfaDevices: mfa,
      hasLoginProfile: login !== null && login !== undefined,
      serviceSpecificCredentials: services.map((s) => ({ id: s.serviceSpecificCredentialId, serviceName: s.serviceName, status: s.status })),
      unreadable,
      evidence: written,
    };
  },
});
