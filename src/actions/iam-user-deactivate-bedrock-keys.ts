/**
 * `iam.deactivate-user-bedrock-keys`: the user's Bedrock long-term API keys — IAM service-specific credentials for
 * `bedrock.amazonaws.com` — become Inactive. They are bearer tokens that work without the user's access keys, so
 * deactivating the keys alone leaves them usable. Deactivated, not reset or deleted (reversible; the investigation
 * may need them). The Tourniquet deny also denies `bedrock:CallWithBearerToken` and
 * `iam:UpdateServiceSpecificCredential`, so the attacker can neither use nor re-activate them meanwhile.
 *
 * The pre-image records each credential's status; release re-activates exactly those that were Active. Short-term
 * Bedrock API keys are derived from a SigV4 session and cannot be listed or deactivated: the deny covers them.
 */
import { IAMClient, UpdateServiceSpecificCredentialCommand } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { BEDROCK_SERVICE_NAME, listServiceCredentials, resolveUserName, USER_ARN, UserInputSchema, type ServiceCredentialState } from './iam-user-lookup.js';

export type DeactivateBedrockKeysPreImage = { userName: string; credentials: ServiceCredentialState[] };
export type DeactivateBedrockKeysOutput = { deactivated: string[]; alreadyInactive: string[] };

export const deactivateUserBedrockKeys = defineAction({
  name: 'iam.deactivate-user-bedrock-keys',
  effect: 'contain',
  input: UserInputSchema,
  description:
    'Set every Bedrock long-term API key of the IAM user (service-specific credentials for bedrock.amazonaws.com) ' +
    'Inactive. Release re-activates only those that were Active before.',
  permissions: [
    { actions: ['iam:ListServiceSpecificCredentials'], resources: [USER_ARN], why: 'List the user Bedrock API keys and their status' },
    { actions: ['iam:UpdateServiceSpecificCredential'], resources: [USER_ARN], why: 'Deactivate the user Bedrock API keys and restore them on release' },
  ],

  async capture(input, ctx): Promise<DeactivateBedrockKeysPreImage> {
    const userName = resolveUserName(input, ctx);
    return { userName, credentials: await listServiceCredentials(ctx.aws(IAMClient), userName, BEDROCK_SERVICE_NAME) };
  },

  async apply(_input, pre, ctx): Promise<DeactivateBedrockKeysOutput> {
    const iam = ctx.aws(IAMClient);
    // Listed again: a key created since the pre-image is deactivated too.
    const now = await listServiceCredentials(iam, pre.userName, BEDROCK_SERVICE_NAME);
    const deactivated: string[] = [];
    const alreadyInactive: string[] = [];
    for (const c of now) {
      if (c.status === 'Inactive') {
        alreadyInactive.push(c.serviceSpecificCredentialId);
        continue;
      }
      await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: pre.userName, ServiceSpecificCredentialId: c.serviceSpecificCredentialId, Status: 'Inactive' }));
      deactivated.push(c.serviceSpecificCredentialId);
    }
    return { deactivated, alreadyInactive };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const iam = ctx.aws(IAMClient);
    const now = new Map((await listServiceCredentials(iam, pre.userName, BEDROCK_SERVICE_NAME)).map((c) => [c.serviceSpecificCredentialId, c.status]));
    const reactivated: string[] = [];
    const gone: string[] = [];
    for (const c of pre.credentials.filter((x) => x.status === 'Active')) {
      const status = now.get(c.serviceSpecificCredentialId);
      if (status === undefined) {
        gone.push(c.serviceSpecificCredentialId);
        continue;
      }
      if (status === 'Active') continue;
      try {
        await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: pre.userName, ServiceSpecificCredentialId: c.serviceSpecificCredentialId, Status: 'Active' }));
        reactivated.push(c.serviceSpecificCredentialId);
      } catch (err) {
        if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err; // deleted meanwhile
        gone.push(c.serviceSpecificCredentialId);
      }
    }
    const keptInactive = pre.credentials.filter((c) => c.status !== 'Active').map((c) => c.serviceSpecificCredentialId);
    return { action: reactivated.length > 0 ? 'restored' : 'none', reactivated, keptInactive, deletedSince: gone };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const userName = resolveUserName(input, ctx);
    const creds = await listServiceCredentials(ctx.aws(IAMClient), userName, BEDROCK_SERVICE_NAME);
    const active = creds.filter((c) => c.status !== 'Inactive');
    return {
      holds: active.length === 0,
      detail: `${userName}: ${creds.length} Bedrock API key(s)` + (active.length ? `, still active: ${active.map((c) => c.serviceSpecificCredentialId).join(', ')}` : ', none active'),
    };
  },
});
