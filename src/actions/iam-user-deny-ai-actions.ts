/**
 * `iam.deny-user-ai-actions`: an inline Deny on the user for what `AWSCompromisedKeyQuarantineV3` leaves open to an
 * attacker abusing AI services with stolen keys ("LLMjacking"). A Deny on the user applies to every credential of the
 * user, including session tokens the attacker already derived with `sts:GetSessionToken` (permissions are evaluated
 * on every request), so it also cuts what key deactivation alone does not.
 *
 * Why these actions (V3, version v3 of 2026-03-16, denies only five Bedrock actions and two of SageMaker):
 * - `bedrock:*`: V3 denies InvokeModel and InvokeModelWithResponseStream (so Converse/ConverseStream, which are
 *   authorised through them), CreateModelInvocationJob and the two model-agreement calls. It leaves
 *   CallWithBearerToken (Bedrock API keys), InvokeAgent/InvokeFlow/InvokeInlineAgent, Retrieve*, model access
 *   (PutUseCaseForModelAccess), DeleteModelInvocationLoggingConfiguration (attackers turn logging off), provisioned
 *   throughput and model customisation (cost) open. Nothing in Bedrock is needed by a contained user.
 * - `bedrock-mantle:*`: Bedrock's OpenAI-compatible inference (its own service prefix, with its own
 *   CallWithBearerToken and CreateInference); `bedrock-agentcore:Invoke*`: AgentCore runtimes, gateways, tools.
 * - `sagemaker:Create*` (training jobs, notebooks, endpoints, HyperPod clusters: GPU capacity, and the
 *   CreatePresigned*Url calls that open a notebook or Studio running as its own role), `sagemaker:InvokeEndpoint*`
 *   (deployed models), `sagemaker:StartNotebookInstance`.
 * - `sts:*`: V3 leaves `sts:AssumeRole` open (a pivot into every role that trusts the user or its account);
 *   GetSessionToken/GetFederationToken are in V3 but repeated so this policy holds if V3 could not be attached.
 *   (`sts:GetCallerIdentity` is never denied by AWS whatever the policy says.)
 * - Persistence on the user that V3 leaves open: `iam:*ServiceSpecificCredential*` (a new Bedrock API key, or
 *   re-activating the one `iam.deactivate-user-bedrock-keys` turned off), `iam:*MFADevice` (registering an MFA device),
 *   `iam:*SSHPublicKey`, `iam:*SigningCertificate`; and `iam:*AccessKey`, `iam:*LoginProfile` (in V3, repeated).
 * - `aws-marketplace:Subscribe`: third-party Bedrock models are enabled through Marketplace subscriptions.
 *
 * Inline, not a customer-managed policy: one call, no account-level object to create, name or clean up, no
 * `iam:CreatePolicy` for the responder, and it does not take one of the user's 10 managed-policy slots (V3 takes
 * one already). The cost is IAM's quota of 2,048 characters of inline policy per USER in all (whitespace not
 * counted, not adjustable): this document is kept compact (wildcards, 424 characters) and the pre-image
 * records how much the user's own inline policies use. When they leave too little room, PutUserPolicy's
 * LimitExceeded becomes a clear, non-retried error naming the sizes; the V3 step still applies and V3 already
 * denies InvokeModel (which Bedrock API-key calls need too). The user's own inline policies are never touched.
 *
 * One policy per case (`tourniquet-ai-quarantine-<caseId>`): release deletes exactly its own, never another's.
 */
import { DeleteUserPolicyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AwsCallError } from '../errors.js';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { awsErrorCode, isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { listInlinePolicyNames, readUserPolicy, resolveUserName, USER_ARN, UserInputSchema } from './iam-user-lookup.js';
import { inlinePolicySize } from './inline-policy-quota.js';
import { sameDocument } from './role-inline-policy.js';

/** IAM's quota on all inline policies of one user together (characters, whitespace not counted; not adjustable). */
export const USER_INLINE_POLICY_QUOTA = 2_048;

const SID = 'TourniquetAiQuarantine';

/** The actions denied (see the file comment for why each). */
export const AI_DENY_ACTIONS: readonly string[] = [
  'bedrock:*',
  'bedrock-mantle:*',
  'bedrock-agentcore:Invoke*',
  'sagemaker:Create*',
  'sagemaker:InvokeEndpoint*',
  'sagemaker:StartNotebookInstance',
  'sts:*',
  'iam:*ServiceSpecificCredential*',
  'iam:*MFADevice',
  'iam:*SSHPublicKey',
  'iam:*SigningCertificate',
  'iam:*AccessKey',
  'iam:*LoginProfile',
  'aws-marketplace:Subscribe',
];

export function aiDenyDocument(): Json {
  return { Version: '2012-10-17', Statement: [{ Sid: SID, Effect: 'Deny', Action: [...AI_DENY_ACTIONS], Resource: '*' }] };
}

export function aiDenyPolicyName(caseId: string): string {
  return `tourniquet-ai-quarantine-${caseId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 128);
}

export type DenyAiActionsPreImage = {
  userName: string;
  policyName: string;
  /** The document under that name before (null: none, the usual case). */
  prior: Json | null;
  /** Characters the user's other inline policies use (of the 2,048 quota). */
  otherInlineChars: number;
};
export type DenyAiActionsOutput = { put: boolean; policyName: string; chars: number };

export const denyUserAiActions = defineAction({
  name: 'iam.deny-user-ai-actions',
  effect: 'contain',
  input: UserInputSchema,
  description:
    'Inline Deny on the IAM user for what AWSCompromisedKeyQuarantineV3 leaves open to an AI attacker: all of Bedrock ' +
    '(API keys, agents, model access, logging), SageMaker create/invoke/presigned URLs, sts:AssumeRole, new Bedrock ' +
    'API keys and MFA/SSH/certificate persistence. Release deletes only this policy.',
  permissions: [
    { actions: ['iam:ListUserPolicies', 'iam:GetUserPolicy'], resources: [USER_ARN], why: 'Read the user inline policies and their size' },
    { actions: ['iam:PutUserPolicy', 'iam:DeleteUserPolicy'], resources: [USER_ARN], why: 'Put the Tourniquet AI deny on the user and delete it on release' },
  ],

  async capture(input, ctx): Promise<DenyAiActionsPreImage> {
    const userName = resolveUserName(input, ctx);
    const iam = ctx.aws(IAMClient);
    const policyName = aiDenyPolicyName(ctx.caseId);
    let prior: Json | null = null;
    let otherInlineChars = 0;
    const names = await listInlinePolicyNames(iam, userName);
    const docs = await Promise.all(names.map((name) => readUserPolicy(iam, userName, name)));
    names.forEach((name, i) => {
      const doc = docs[i] ?? null;
      if (name === policyName) prior = doc;
      else if (doc !== null) otherInlineChars += inlinePolicySize(doc);
    });
    return { userName, policyName, prior, otherInlineChars };
  },

  async apply(_input, pre, ctx): Promise<DenyAiActionsOutput> {
    const iam = ctx.aws(IAMClient);
    const document = aiDenyDocument();
    const chars = inlinePolicySize(document);
    const current = ctx.preImageFresh === true ? pre.prior : await readUserPolicy(iam, pre.userName, pre.policyName);
    if (sameDocument(current, document)) return { put: false, policyName: pre.policyName, chars };
    try {
      await iam.send(new PutUserPolicyCommand({ UserName: pre.userName, PolicyName: pre.policyName, PolicyDocument: JSON.stringify(document) }));
    } catch (err) {
      const code = awsErrorCode(err);
      if (code !== 'LimitExceeded' && code !== 'LimitExceededException') throw err;
      throw new AwsCallError(
        'iam',
        'PutUserPolicy',
        code,
        false,
        `user ${pre.userName}: the deny ${pre.policyName} (${chars} characters) does not fit: the user's own inline policies use ` +
          `${pre.otherInlineChars} of the ${USER_INLINE_POLICY_QUOTA.toLocaleString('en-US')} characters IAM allows per user in all ` +
          '(not adjustable). AWSCompromisedKeyQuarantineV3 (its own step) still denies InvokeModel; to add this deny, move the ' +
          "user's inline policies to a managed policy or put them on a group, then retry the step",
        { cause: err },
      );
    }
    return { put: true, policyName: pre.policyName, chars };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const iam = ctx.aws(IAMClient);
    const current = await readUserPolicy(iam, pre.userName, pre.policyName);
    if (pre.prior !== null) {
      // A policy of this name was there before (a re-run after a lost journal write): put it back as it was.
      if (sameDocument(current, pre.prior)) return { action: 'none', policyName: pre.policyName };
      await iam.send(new PutUserPolicyCommand({ UserName: pre.userName, PolicyName: pre.policyName, PolicyDocument: JSON.stringify(pre.prior) }));
      return { action: 'restored', policyName: pre.policyName };
    }
    if (current === null) return { action: 'none', policyName: pre.policyName };
    try {
      await iam.send(new DeleteUserPolicyCommand({ UserName: pre.userName, PolicyName: pre.policyName }));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err; // deleted concurrently
    }
    return { action: 'deleted', policyName: pre.policyName };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const userName = resolveUserName(input, ctx);
    const policyName = aiDenyPolicyName(ctx.caseId);
    const holds = sameDocument(await readUserPolicy(ctx.aws(IAMClient), userName, policyName), aiDenyDocument());
    return { holds, detail: `${userName}: inline deny ${policyName} ${holds ? 'in place' : 'MISSING or changed'}` };
  },
});
