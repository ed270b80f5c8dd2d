/**
 * The federated user playbook (`userType: FederatedUser`: a GetFederationToken session, principal id
 * `<account>:<name>`): no automatic step. Such a session cannot be revoked, and the finding does not name the IAM
 * user that issued it; its permissions are that user's policies intersected with the session policy, evaluated on
 * every request, so a deny on the issuing user cuts it. The manual steps say how to find that user and what to put
 * on it. (A root-issued federation token cannot be restricted by IAM at all: see the root-user playbook's SCP.)
 */
import { z } from 'zod';
import type { ManualStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';
import { arg } from './manual-command-args.js';

export const FEDERATED_USER_PLAYBOOK = 'federated-user';

const OptionsSchema = z.strictObject({});

function manualSteps({ finding, subject }: PlanArgs<'federated-user', Record<never, never>, typeof OptionsSchema>): ManualStep[] {
  const d = subject.details;
  const account = arg('accountId', subject.accountId, 'account-id');
  // The principal id is `<account>:<name>`; the name is what GetFederationToken was given.
  const fromPrincipal = d.principalId?.includes(':') ? d.principalId.slice(d.principalId.indexOf(':') + 1) : undefined;
  const name = arg('userName', d.userName ?? fromPrincipal, 'federated-name');
  const key = arg('accessKeyId', d.accessKeyId, 'access-key-id');
  const since = arg('timestamp', finding.firstSeen, 'first-seen-time');
  const deny = `{"Version":"2012-10-17","Statement":[{"Sid":"TourniquetDenyFederatedSession","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":"${account}:${name}"}}}]}`;
  return [
    {
      id: 'find-issuing-user',
      title: `Find the IAM user that issued federated session ${name}`,
      why: 'GetFederationToken is called by an IAM user (or root); the finding names only the session. CloudTrail’s GetFederationToken event with requestParameters.name = the session name has the issuer in userIdentity.',
      commands: [`aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=GetFederationToken --start-time ${since}   # the event whose requestParameters.name is ${name}`],
    },
    {
      id: 'deny-federated-session',
      title: `Deny session ${account}:${name} on the issuing user`,
      why: 'Federation tokens cannot be revoked, but every request is checked against the issuing user’s policies: this deny cuts the session (aws:userid = account:name) and nothing else of the user. If root issued it, IAM cannot restrict it: use the SCP of the root-user playbook.',
      commands: [
        `aws iam put-user-policy --user-name <issuing-user> --policy-name tourniquet-deny-federated-${name} --policy-document '${deny}'`,
        `aws iam delete-user-policy --user-name <issuing-user> --policy-name tourniquet-deny-federated-${name}   # release`,
      ],
    },
    {
      id: 'contain-issuing-user',
      title: 'Contain the issuing user’s own credentials',
      why: 'Whoever could call GetFederationToken can issue another session with a new name. Deactivate the user’s access keys (reversible) and, to cut every token it issued before now, revoke its older sessions.',
      commands: [
        'aws iam list-access-keys --user-name <issuing-user>',
        'aws iam update-access-key --user-name <issuing-user> --access-key-id <key-id> --status Inactive',
        `aws iam put-user-policy --user-name <issuing-user> --policy-name AWSRevokeOlderSessions --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"<now, e.g. 2026-12-03T09:00:00Z>"}}}]}'`,
      ],
    },
    {
      id: 'review-federated-activity',
      title: `Review what session ${name} did`,
      why: 'A federated session may have created other credentials or resources that outlive it.',
      commands: [`aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${key} --start-time ${since}`],
    },
  ];
}

export const federatedUserPlaybook = definePlaybook({
  name: FEDERATED_USER_PLAYBOOK,
  subjectKinds: ['federated-user'],
  steps: {},
  options: OptionsSchema,
  plan: () => [],
  manualSteps,
});
