/**
 * The root user playbook (`userType: Root` credentials): no automatic step. IAM cannot restrict the root user nor
 * the temporary credentials it issues (GetSessionToken, GetFederationToken), and only the root user itself (or the
 * Organizations management account through centralized root access) can change its credentials; so the incident is
 * recorded, people are notified, and the plan says loudly, in manual steps, exactly what a human must do.
 */
import { z } from 'zod';
import type { ManualStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';
import { arg, hasForm } from './manual-command-args.js';

export const ROOT_USER_PLAYBOOK = 'root-user';

const OptionsSchema = z.strictObject({});

function manualSteps({ finding, subject }: PlanArgs<'root', Record<never, never>, typeof OptionsSchema>): ManualStep[] {
  const account = arg('accountId', subject.accountId, 'account-id');
  const partition = arg('partition', finding.partition, 'partition');
  const keyId = subject.details.accessKeyId;
  const key = arg('accessKeyId', keyId, 'access-key-id');
  const since = arg('timestamp', finding.firstSeen, 'first-seen-time');
  const temporary = hasForm('accessKeyId', keyId) && keyId.startsWith('ASIA');
  return [
    {
      id: 'root-change-password-and-mfa',
      title: `Change the root user’s password of account ${account} and check its MFA`,
      why: 'Only the root user can change its own sign-in credentials. Console sessions and root-issued temporary credentials end when they expire, not before; a new password stops new sign-ins.',
      commands: [
        'Console: sign in as the root user → account menu → Security credentials → Update password',
        'Same page → Multi-factor authentication: remove any device you do not know, assign a new one if none is left',
        `Centralized root access (from the management account): aws sts assume-root --target-principal ${account} --task-policy-arn arn=arn:${partition}:iam::aws:policy/root-task/IAMDeleteRootUserCredentials   # then delete the login profile and MFA devices with those credentials`,
      ],
    },
    temporary
      ? {
          id: 'root-temporary-credentials',
          title: `The finding's key ${key} is temporary: it cannot be deactivated`,
          why: 'An ASIA key is a session (a console sign-in or GetSessionToken/GetFederationToken issued by root). IAM cannot restrict root or its sessions; only an SCP can (next step), or waiting for expiry (at most 1 hour for root-issued GetSessionToken and GetFederationToken).',
          commands: [`aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${key} --start-time ${since}`],
        }
      : {
          id: 'root-access-keys',
          title: `Deactivate, then delete, the root user’s access key ${key}`,
          why: 'Root access keys can be managed only with the root user’s own credentials or a centralized root access session; Tourniquet has neither, and must not.',
          commands: [
            `aws iam update-access-key --access-key-id ${key} --status Inactive   # signed as the root user (no --user-name)`,
            `aws iam delete-access-key --access-key-id ${key}   # once the investigation no longer needs it`,
            'aws iam list-access-keys   # as the root user: delete any other root key too',
          ],
        },
    {
      id: 'root-deny-scp',
      title: `Deny the root user of ${account} with an SCP (from the management account)`,
      why: 'An SCP is the only policy that limits a member account’s root user, its sessions included, at once; it does not apply to the management account itself. Remove it when the root credentials are secured.',
      commands: [
        `aws organizations create-policy --type SERVICE_CONTROL_POLICY --name tourniquet-deny-root-${account} --description "Incident: deny the root user" --content '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:${partition}:iam::${account}:root"}}}]}'`,
        `aws organizations attach-policy --policy-id <policy-id> --target-id ${account}`,
      ],
    },
    {
      id: 'root-review-changes',
      title: 'Review everything the root user did, and undo what an attacker left behind',
      why: 'Root can create users, keys, roles and policies that outlive the stolen credentials. Check every Region (IAM events are in us-east-1).',
      commands: [
        `aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=root --start-time ${since}`,
        'Look for CreateUser, CreateAccessKey, CreateLoginProfile, UpdateLoginProfile, AttachUserPolicy, PutUserPolicy, CreateRole, UpdateAssumeRolePolicy, CreatePolicyVersion, CreateServiceSpecificCredential, CreateSAMLProvider, CreateOpenIDConnectProvider, RunInstances, CreateFunction',
      ],
    },
  ];
}

export const rootUserPlaybook = definePlaybook({
  name: ROOT_USER_PLAYBOOK,
  subjectKinds: ['root'],
  steps: {},
  options: OptionsSchema,
  plan: () => [],
  manualSteps,
});
