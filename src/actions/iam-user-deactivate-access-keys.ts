/**
 * `iam.deactivate-user-access-keys`: every access key of the user becomes Inactive — all of them, not only the one
 * in the finding, because attackers add a second key (`CreateAccessKey`) for persistence. Keys are deactivated, never
 * deleted (the investigation may need them, and deactivation is reversible).
 *
 * The pre-image records each key's status. Release sets Active again exactly the keys that were Active before: a key
 * that was already Inactive stays Inactive, and a key created after the pre-image (most likely the attacker's) is not
 * in it and stays Inactive too.
 */
import { settleAll } from '../run-limited.js';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { listAccessKeys, resolveUserName, USER_ARN, UserInputSchema, type AccessKeyState } from './iam-user-lookup.js';

export type DeactivateAccessKeysPreImage = { userName: string; keys: AccessKeyState[] };
export type DeactivateAccessKeysOutput = { deactivated: string[]; alreadyInactive: string[] };

export const deactivateUserAccessKeys = defineAction({
  name: 'iam.deactivate-user-access-keys',
  effect: 'contain',
  input: UserInputSchema,
  description:
    'Set every access key of the IAM user Inactive (the stolen one and any the attacker added). Release re-activates ' +
    'only the keys that were Active before; keys already Inactive, or created since, stay Inactive.',
  permissions: [
    { actions: ['iam:ListAccessKeys'], resources: [USER_ARN], why: 'List the user access keys and their status' },
    { actions: ['iam:UpdateAccessKey'], resources: [USER_ARN], why: 'Deactivate the user access keys and restore them on release' },
  ],

  async capture(input, ctx): Promise<DeactivateAccessKeysPreImage> {
    const userName = resolveUserName(input, ctx);
    return { userName, keys: await listAccessKeys(ctx.aws(IAMClient), userName) };
  },

  async apply(_input, pre, ctx): Promise<DeactivateAccessKeysOutput> {
    const iam = ctx.aws(IAMClient);
    // Listed again unless the pre-image was read just now: a key the attacker created since is deactivated too (and
    // verify lists them again either way; the AI deny, started at once, already refuses iam:CreateAccessKey).
    const now = ctx.preImageFresh === true ? pre.keys : await listAccessKeys(iam, pre.userName);
    const active = now.filter((k) => k.status !== 'Inactive');
    const alreadyInactive = now.filter((k) => k.status === 'Inactive').map((k) => k.accessKeyId);
    // Every key at once: each call is one key's status, none depends on another.
    await settleAll(active.map((key) => iam.send(new UpdateAccessKeyCommand({ UserName: pre.userName, AccessKeyId: key.accessKeyId, Status: 'Inactive' }))));
    return { deactivated: active.map((k) => k.accessKeyId), alreadyInactive };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const iam = ctx.aws(IAMClient);
    const now = new Map((await listAccessKeys(iam, pre.userName)).map((k) => [k.accessKeyId, k.status]));
    const reactivated: string[] = [];
    const gone: string[] = [];
    for (const key of pre.keys.filter((k) => k.status === 'Active')) {
      const status = now.get(key.accessKeyId);
      if (status === undefined) {
        gone.push(key.accessKeyId);
        continue;
      }
      if (status === 'Active') continue;
      try {
        await iam.send(new UpdateAccessKeyCommand({ UserName: pre.userName, AccessKeyId: key.accessKeyId, Status: 'Active' }));
        reactivated.push(key.accessKeyId);
      } catch (err) {
        // Deleted between the listing and the update (someone rotated it): nothing left to restore.
        if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err;
        gone.push(key.accessKeyId);
      }
    }
    const keptInactive = pre.keys.filter((k) => k.status !== 'Active').map((k) => k.accessKeyId);
    const added = [...now.keys()].filter((id) => !pre.keys.some((k) => k.accessKeyId === id));
    return { action: reactivated.length > 0 ? 'restored' : 'none', reactivated, keptInactive, createdSinceNotRestored: added, deletedSince: gone };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const userName = resolveUserName(input, ctx);
    const keys = await listAccessKeys(ctx.aws(IAMClient), userName);
    const active = keys.filter((k) => k.status !== 'Inactive');
    return {
      holds: active.length === 0,
      detail: `${userName}: ${keys.length} access key(s)` + (active.length ? `, still active: ${active.map((k) => k.accessKeyId).join(', ')}` : ', all Inactive'),
    };
  },
});
