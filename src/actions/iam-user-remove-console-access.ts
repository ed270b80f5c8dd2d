/**
 * `iam.remove-user-console-access`: delete the user's login profile (its console password), so a stolen or
 * attacker-set password no longer opens the console. The pre-image records that a profile existed (and whether a
 * reset was required).
 *
 * Release cannot restore the old password: AWS never returns it. It recreates the profile with a throwaway random
 * password and `PasswordResetRequired`, so the user has console access again in name, but nobody knows the password:
 * an administrator must set a new one (`aws iam update-login-profile --user-name … --password-reset-required`, or
 * the console) and hand it over out of band. The throwaway password is generated in memory, sent once to IAM and
 * dropped: it is not in the release output, the journal, the evidence or the call records (the call recorder
 * redacts every `Password` field). Handing a password to the responder's output instead would put a credential into
 * the journal, notifications and logs — exactly what must not happen during a credential incident.
 */
import { randomInt } from 'node:crypto';
import { CreateLoginProfileCommand, DeleteLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { readLoginProfile, resolveUserName, USER_ARN, UserInputSchema, type LoginProfileState } from './iam-user-lookup.js';

export type RemoveConsoleAccessPreImage = { userName: string; loginProfile: LoginProfileState | null };
export type RemoveConsoleAccessOutput = { deleted: boolean };

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#$%^&*()_+-=[]{}|'];
// IAM's maximum: at least the minimum length any account password policy can require (6-128).
const PASSWORD_LENGTH = 128;

/**
 * A random password that meets any account password policy IAM allows: every character class present, 128
 * characters. Reuse prevention cannot refuse it (it is new).
 */
export function throwawayPassword(): string {
  const all = CLASSES.join('');
  const chars = CLASSES.map((c) => c[randomInt(c.length)]!);
  while (chars.length < PASSWORD_LENGTH) chars.push(all[randomInt(all.length)]!);
  // Shuffle so the class-guaranteed characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export const RELEASE_PASSWORD_NOTE =
  'the login profile was recreated with a random password nobody knows and PasswordResetRequired: an administrator ' +
  'must set a new password (aws iam update-login-profile --password-reset-required, or the console) and give it to the user out of band';

export const removeUserConsoleAccess = defineAction({
  name: 'iam.remove-user-console-access',
  effect: 'contain',
  input: UserInputSchema,
  description:
    "Delete the IAM user's login profile (console password). Release recreates it with an unknown random password and " +
    'PasswordResetRequired: an administrator must then set the user a new password.',
  permissions: [
    { actions: ['iam:GetLoginProfile'], resources: [USER_ARN], why: 'Read whether the user has a console password' },
    { actions: ['iam:DeleteLoginProfile', 'iam:CreateLoginProfile'], resources: [USER_ARN], why: 'Remove console access and recreate the login profile on release' },
  ],

  async capture(input, ctx): Promise<RemoveConsoleAccessPreImage> {
    const userName = resolveUserName(input, ctx);
    return { userName, loginProfile: await readLoginProfile(ctx.aws(IAMClient), userName) };
  },

  async apply(_input, pre, ctx): Promise<RemoveConsoleAccessOutput> {
    const iam = ctx.aws(IAMClient);
    if ((await readLoginProfile(iam, pre.userName)) === null) return { deleted: false };
    try {
      await iam.send(new DeleteLoginProfileCommand({ UserName: pre.userName }));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err; // deleted concurrently
      return { deleted: false };
    }
    return { deleted: true };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.loginProfile === null) return { action: 'none', reason: 'the user had no console password' };
    const iam = ctx.aws(IAMClient);
    if ((await readLoginProfile(iam, pre.userName)) !== null) return { action: 'none', reason: 'a login profile exists again (set by someone meanwhile): left as it is' };
    try {
      await iam.send(new CreateLoginProfileCommand({ UserName: pre.userName, Password: throwawayPassword(), PasswordResetRequired: true }));
    } catch (err) {
      if (!isAwsError(err, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) throw err; // created concurrently
      return { action: 'none', reason: 'a login profile was created meanwhile: left as it is' };
    }
    return { action: 'recreated', passwordResetRequired: true, note: RELEASE_PASSWORD_NOTE };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const userName = resolveUserName(input, ctx);
    const profile = await readLoginProfile(ctx.aws(IAMClient), userName);
    return { holds: profile === null, detail: `${userName}: ${profile === null ? 'no console password' : 'login profile STILL present'}` };
  },
});
