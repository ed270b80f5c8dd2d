/**
 * `iam.attach-user-quarantine-policy`: attach the AWS managed policy `AWSCompromisedKeyQuarantineV3` to the user —
 * the policy AWS itself attaches to users whose keys leaked publicly. It denies the usual fraud (instances, Lambda,
 * new users and keys, policy changes, S3 reads, `sts:GetSessionToken`, `bedrock:InvokeModel*` …) for every
 * credential of the user, derived session tokens included. It is not full containment: the Tourniquet deny
 * (`iam.deny-user-ai-actions`) closes what it leaves open to an AI attacker.
 *
 * The pre-image records whether the policy was already attached (AWS may have attached it first): release detaches it
 * only when Tourniquet attached it. Permissions are limited to this one policy ARN (`iam:PolicyARN`).
 */
import { AttachUserPolicyCommand, DetachUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { partitionOf } from '../aws/partition.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { listAttachedPolicyArns, resolveUserName, USER_ARN, UserInputSchema } from './iam-user-lookup.js';

export const QUARANTINE_POLICY_NAME = 'AWSCompromisedKeyQuarantineV3';

/** The policy's ARN in the partition of the subject's Region (AWS managed policies live in account `aws`). */
export function quarantinePolicyArn(region: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${QUARANTINE_POLICY_NAME}`;
}

export type AttachQuarantinePreImage = { userName: string; policyArn: string; alreadyAttached: boolean };
export type AttachQuarantineOutput = { attached: boolean; policyArn: string };

function policyArnFor(ctx: BoundActionContext): string {
  return quarantinePolicyArn(ctx.clients.region);
}

export const attachUserQuarantinePolicy = defineAction({
  name: 'iam.attach-user-quarantine-policy',
  effect: 'contain',
  input: UserInputSchema,
  description:
    `Attach the AWS managed policy ${QUARANTINE_POLICY_NAME} to the IAM user (denies instance launches, new keys and ` +
    'users, policy changes, S3 reads, session tokens, Bedrock InvokeModel …). Release detaches it only if Tourniquet attached it.',
  permissions: [
    { actions: ['iam:ListAttachedUserPolicies'], resources: [USER_ARN], why: 'Read the managed policies attached to the user' },
    {
      actions: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'],
      resources: [USER_ARN],
      // Any partition: the generator does not expand placeholders in conditions.
      conditions: { ArnLike: { 'iam:PolicyARN': `arn:*:iam::aws:policy/${QUARANTINE_POLICY_NAME}` } },
      why: `Attach ${QUARANTINE_POLICY_NAME} to the user and detach it on release`,
    },
  ],

  async capture(input, ctx): Promise<AttachQuarantinePreImage> {
    const userName = resolveUserName(input, ctx);
    const policyArn = policyArnFor(ctx);
    const attached = await listAttachedPolicyArns(ctx.aws(IAMClient), userName);
    return { userName, policyArn, alreadyAttached: attached.includes(policyArn) };
  },

  async apply(_input, pre, ctx): Promise<AttachQuarantineOutput> {
    const iam = ctx.aws(IAMClient);
    if ((await listAttachedPolicyArns(iam, pre.userName)).includes(pre.policyArn)) return { attached: false, policyArn: pre.policyArn };
    // LimitExceeded (10 managed policies per user by default) is not transient: it fails the step with AWS's message,
    // and the inline deny (a separate step) still applies.
    await iam.send(new AttachUserPolicyCommand({ UserName: pre.userName, PolicyArn: pre.policyArn }));
    return { attached: true, policyArn: pre.policyArn };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.alreadyAttached) return { action: 'none', reason: `${QUARANTINE_POLICY_NAME} was attached before Tourniquet: left attached` };
    const iam = ctx.aws(IAMClient);
    if (!(await listAttachedPolicyArns(iam, pre.userName)).includes(pre.policyArn)) return { action: 'none', reason: 'not attached' };
    try {
      await iam.send(new DetachUserPolicyCommand({ UserName: pre.userName, PolicyArn: pre.policyArn }));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err; // detached concurrently
    }
    return { action: 'detached', policyArn: pre.policyArn };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const userName = resolveUserName(input, ctx);
    const policyArn = policyArnFor(ctx);
    const attached = (await listAttachedPolicyArns(ctx.aws(IAMClient), userName)).includes(policyArn);
    return { holds: attached, detail: `${userName}: ${QUARANTINE_POLICY_NAME} ${attached ? 'attached' : 'NOT attached'}` };
  },
});
