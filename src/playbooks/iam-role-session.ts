/**
 * The IAM role session playbook (`AccessKey` findings whose credentials are an assumed-role session: GuardDuty's
 * `userType: AssumedRole`, principal id `AROA…:<session name>`). Narrowest first: deny this one session on its role
 * (`aws:userid` = RoleId:session, the role's other sessions keep working); the role-wide revocation of every session
 * issued before now (the console's "Revoke active sessions") is planned as destructive, so it waits for a human.
 *
 * Not changed, and said so in manual steps with what a human should do instead:
 *  - service-linked roles and IAM Identity Center (`AWSReservedSSO_…`) roles (protected-roles.ts);
 *  - the responder's own role and the policy's protected principals (their guardrail blocks the decision: planning
 *    no step keeps it so even if a human raised the mode by hand);
 *  - an instance's profile credentials (session name = instance id): the derived `ec2-instance` subject's incident
 *    denies exactly this session (deny-instance-session), removes the profile, then revokes; a second deny here would
 *    fight it on release.
 * Pure: no I/O. More steps (e.g. CloudTrail activity review) are added to ROLE_SESSION_STEPS and planSteps.
 */
import { z } from 'zod';
import { denyRoleSession, denyRoleSessionDocument, sessionDenyPolicyName } from '../actions/iam-deny-role-session.js';
import { denyInstanceSessionDocument, denyPolicyName } from '../actions/iam-deny-instance-session.js';
import { revokeRoleSessions } from '../actions/iam-revoke-role-sessions.js';
import { permissionSetOfSsoRole, protectedRole } from '../actions/protected-roles.js';
import type { ManualStep, PlanStep } from '../contracts/plan.js';
import type { GuardrailVerdict } from '../policy/guardrails.js';
import { definePlaybook, type PlanArgs, type SubjectOfKind } from './define-playbook.js';
import { AI_ACTIVITY_STEPS, aiActivitySteps } from './ai-activity-steps.js';
import { INVOCATION_LOGGING_OPTIONS, INVOCATION_LOGGING_STEPS, invocationLoggingStep, needsInvocationLoggingCheck } from './invocation-logging-step.js';
import { arg, hasForm } from './manual-command-args.js';

export const IAM_ROLE_SESSION_PLAYBOOK = 'iam-role-session';

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The steps, in plan order: step id → the action it runs. */
export const ROLE_SESSION_STEPS = {
  'deny-role-session': denyRoleSession,
  'revoke-role-sessions': revokeRoleSessions,
  // What the session did in Bedrock and SageMaker, and stopping it (AI subjects; ai-activity-steps.ts).
  ...AI_ACTIVITY_STEPS,
  // For Bedrock-logging findings and AI findings (invocation-logging-step.ts).
  ...INVOCATION_LOGGING_STEPS,
} as const;

const OptionsSchema = z.strictObject({ ...INVOCATION_LOGGING_OPTIONS });

type Args = PlanArgs<'iam-role-session', typeof ROLE_SESSION_STEPS, typeof OptionsSchema>;

/** What the subject is, once: plan() and manualSteps() both follow it. */
export type RoleSessionCase =
  | { readonly kind: 'unknown-role'; readonly why: string }
  | { readonly kind: 'protected-role'; readonly roleName: string; readonly protection: NonNullable<ReturnType<typeof protectedRole>> }
  | { readonly kind: 'guardrail'; readonly roleName: string; readonly verdict: GuardrailVerdict }
  | { readonly kind: 'instance-credentials'; readonly roleName: string; readonly instanceId: string }
  | { readonly kind: 'role-only'; readonly roleName: string }
  | { readonly kind: 'session'; readonly roleName: string; readonly sessionName: string; readonly roleId?: string };

/** Guardrails that refuse any change to the subject's principal (the policy's protections and the responder itself). */
const PRINCIPAL_GUARDRAILS: ReadonlySet<string> = new Set(['responder-self', 'protected-principal']);

export function roleSessionCase(subject: SubjectOfKind<'iam-role-session'>, guardrails: readonly GuardrailVerdict[]): RoleSessionCase {
  const d = subject.details;
  const roleName = d.roleName;
  if (!hasForm('roleName', roleName)) {
    return { kind: 'unknown-role', why: roleName === undefined ? 'the finding names no role (accessKeyDetails.userName)' : 'the finding’s role name is not a valid IAM role name' };
  }
  const protection = protectedRole(roleName);
  if (protection !== undefined) return { kind: 'protected-role', roleName, protection };
  const verdict = guardrails.find((v) => v.outcome === 'block' && PRINCIPAL_GUARDRAILS.has(v.guardrail));
  if (verdict !== undefined) return { kind: 'guardrail', roleName, verdict };
  if (!hasForm('sessionName', d.sessionName)) return { kind: 'role-only', roleName };
  if (INSTANCE_ID.test(d.sessionName)) return { kind: 'instance-credentials', roleName, instanceId: d.sessionName };
  return { kind: 'session', roleName, sessionName: d.sessionName, ...(hasForm('roleId', d.roleId) ? { roleId: d.roleId } : {}) };
}

function planSteps({ finding, subject, options, step, guardrails }: Args): PlanStep[] {
  const c = roleSessionCase(subject, guardrails);
  const steps: PlanStep[] = [];
  if (c.kind === 'session') {
    steps.push(
      step('deny-role-session', {
        input: { roleName: c.roleName, sessionName: c.sessionName, ...(c.roleId !== undefined ? { roleId: c.roleId } : {}) },
        dependsOn: [],
        description: `Deny this session only (aws:userid = ${c.roleId ?? 'RoleId'}:${c.sessionName}) on role ${c.roleName}; its other sessions keep working`,
      }),
    );
  }
  if (c.kind === 'session' || c.kind === 'role-only') {
    steps.push(
      step('revoke-role-sessions', {
        input: { roleName: c.roleName },
        dependsOn: [],
        // The narrow deny first; its failure must not hold back the wide one a human chose to approve.
        after: c.kind === 'session' ? ['deny-role-session'] : [],
        description: `Revoke EVERY session of role ${c.roleName} issued before now: everything using the role must assume it again`,
      }),
    );
    // The stop steps wait for the session deny, so the session cannot start again what they stop.
    steps.push(...aiActivitySteps({ playbook: IAM_ROLE_SESSION_PLAYBOOK, finding, subject, after: c.kind === 'session' ? ['deny-role-session'] : [] }));
    // Only for a role Tourniquet may act on: protected roles keep "no step, no call".
    if (needsInvocationLoggingCheck(finding, subject)) steps.push(invocationLoggingStep(IAM_ROLE_SESSION_PLAYBOOK, options.invocationLogging, subject.region));
  }
  return steps;
}

function manualSteps({ finding, subject, guardrails }: Args): ManualStep[] {
  const c = roleSessionCase(subject, guardrails);
  const account = arg('accountId', subject.accountId, 'account-id');
  const partition = arg('partition', finding.partition, 'partition');
  const session = arg('sessionName', subject.details.sessionName, 'session-name');
  const roleId = arg('roleId', subject.details.roleId, 'role-id');
  const since = arg('timestamp', finding.firstSeen, 'first-seen-time');
  const trail = `aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=${session} --start-time ${since}`;
  switch (c.kind) {
    case 'unknown-role':
      return [
        {
          id: 'identify-role',
          title: 'Identify the role behind this session, then contain it by hand',
          why: `Tourniquet plans nothing: ${c.why}.`,
          commands: [`aws iam list-roles --query "Roles[?RoleId=='${roleId}'].[RoleName,Arn]"`, trail],
        },
      ];
    case 'protected-role':
      return c.protection.kind === 'identity-center' ? identityCenterSteps(c.roleName, account, session, roleId, trail) : serviceLinkedSteps(c.roleName, trail, c.protection.why);
    case 'guardrail':
      return guardrailSteps(c.roleName, c.verdict, { session, roleId, trail, account, partition, since });
    case 'instance-credentials':
      return [
        {
          id: 'instance-session',
          title: `Follow the ec2-instance incident of ${c.instanceId}: it contains this session`,
          why:
            `The session is named after instance ${c.instanceId}: these are its instance-profile credentials. The ec2-instance ` +
            'playbook denies exactly this session (deny-instance-session: aws:userid and ec2:SourceInstanceARN), removes the ' +
            'instance profile, then revokes the role’s older sessions in that order; this incident adds no second deny, which ' +
            'would undo or be undone by that one on release.',
          commands: [
            'tourniquet incidents   # the ec2-instance incident of the instance: its deny-instance-session step',
            `aws ec2 describe-iam-instance-profile-associations --filters Name=instance-id,Values=${c.instanceId}`,
            // When that incident does not contain (observe, or a rule gives the instance no playbook): the same deny by hand.
            `aws iam put-role-policy --role-name ${c.roleName} --policy-name ${denyPolicyName(c.instanceId)} --policy-document '${JSON.stringify(
              denyInstanceSessionDocument({ roleId, roleArn: `arn:${partition}:iam::${account}:role/${c.roleName}` }, arg('region', subject.region, 'region'), account, c.instanceId),
            )}'   # only if that incident does not contain the instance`,
          ],
        },
      ];
    case 'role-only':
    case 'session':
      return [assumptionSourceStep(c.roleName, account, partition, since)];
  }
}

/** A deny or a revocation does not stop whoever assumed the role from assuming it again. */
function assumptionSourceStep(roleName: string, account: string, partition: string, since: string): ManualStep {
  return {
    id: 'cut-assumption-source',
    title: `Cut how the session of ${roleName} was obtained`,
    why:
      'Denying the session or revoking older ones does not stop the attacker from assuming the role again with what let ' +
      'them do it the first time (a user’s access keys, a too-wide trust policy, an OIDC subject, another role). Find ' +
      'the AssumeRole call that issued it and contain that principal; tighten the trust policy if it allowed too much.',
    commands: [
      `aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=arn:${partition}:iam::${account}:role/${roleName} --start-time ${since}`,
      `aws iam get-role --role-name ${roleName} --query Role.AssumeRolePolicyDocument`,
    ],
  };
}

function identityCenterSteps(roleName: string, account: string, session: string, roleId: string, trail: string): ManualStep[] {
  const permissionSet = permissionSetOfSsoRole(roleName) ?? '<permission-set>';
  const deny = JSON.stringify({ Sid: 'TourniquetDenySession', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': `${roleId}:${session}` } } });
  return [
    {
      id: 'sso-deny-session',
      title: `Deny this session in permission set ${permissionSet} and re-provision it`,
      why:
        `${roleName} is an IAM Identity Center role: IAM changes to it are refused or overwritten, so Tourniquet does not ` +
        'touch it. Signing the user out or removing the assignment does not end role sessions already issued (they last ' +
        'the permission set’s session duration); a deny in the permission set’s inline policy does. put-inline-policy ' +
        'REPLACES the inline policy: add the statement to the current one.',
      commands: [
        'aws sso-admin list-instances   # the instance ARN and identity store id',
        `aws sso-admin list-permission-sets-provisioned-to-account --instance-arn <instance-arn> --account-id ${account}   # find ${permissionSet}`,
        'aws sso-admin get-inline-policy-for-permission-set --instance-arn <instance-arn> --permission-set-arn <permission-set-arn>',
        `aws sso-admin put-inline-policy-to-permission-set --instance-arn <instance-arn> --permission-set-arn <permission-set-arn> --inline-policy '{"Version":"2012-10-17","Statement":[<current statements>,${deny}]}'`,
        `aws sso-admin provision-permission-set --instance-arn <instance-arn> --permission-set-arn <permission-set-arn> --target-type AWS_ACCOUNT --target-id ${account}`,
      ],
    },
    {
      id: 'sso-remove-assignment',
      title: `Remove the user’s account assignment (${permissionSet} in ${account})`,
      why: 'Stops new sessions through this permission set. If the access comes through a group, remove the user from the group instead.',
      commands: [
        `aws identitystore get-user-id --identity-store-id <identity-store-id> --alternate-identifier '{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"${session}"}}'`,
        `aws sso-admin delete-account-assignment --instance-arn <instance-arn> --target-id ${account} --target-type AWS_ACCOUNT --permission-set-arn <permission-set-arn> --principal-type USER --principal-id <user-id>`,
        `Console: IAM Identity Center → AWS accounts → ${account} → Users and groups → the user → Remove access`,
      ],
    },
    {
      id: 'sso-disable-user',
      title: 'Disable the user in Identity Center and delete their active sessions',
      why: 'Ends the portal sign-in so the user cannot start new sessions anywhere; with an external identity provider, disable the user there too.',
      commands: ['Console: IAM Identity Center → Users → the user → Disable user access; then the Active sessions tab → Delete session', trail],
    },
  ];
}

function serviceLinkedSteps(roleName: string, trail: string, why: string): ManualStep[] {
  return [
    {
      id: 'service-linked-role',
      title: `Contain the service resource that uses ${roleName}`,
      why: `${why}, so Tourniquet does not touch it. The AWS service it belongs to acts with it: find the resource whose activity was flagged and contain that resource, or the principal that configured it.`,
      commands: [`aws iam get-role --role-name ${roleName} --query "Role.[Arn,Description,AssumeRolePolicyDocument]"`, trail],
    },
  ];
}

function guardrailSteps(
  roleName: string,
  verdict: GuardrailVerdict,
  { session, roleId, trail, account, partition, since }: { session: string; roleId: string; trail: string; account: string; partition: string; since: string },
): ManualStep[] {
  const policyName = session.startsWith('<') ? 'tourniquet-deny-session-<session-name>' : sessionDenyPolicyName(session);
  const document = JSON.stringify(denyRoleSessionDocument(roleId, session));
  if (verdict.guardrail === 'responder-self') {
    return [
      {
        id: 'responder-role-session',
        title: `Investigate the responder’s own role ${roleName}: Tourniquet never contains itself`,
        why:
          `${verdict.reason}. Denying its own sessions would stop every containment and release in progress. If this ` +
          'session is not the responder’s (a stolen copy), deny it by hand once no incident is running, and find how the ' +
          'credentials left the responder (its Lambda environment, logs, a developer machine).',
        commands: [
          trail,
          `aws iam put-role-policy --role-name ${roleName} --policy-name ${policyName} --policy-document '${document}'`,
          `Console: IAM → Roles → ${roleName} → Revoke active sessions   # every session, the responder's too: redeploy it afterwards`,
        ],
      },
    ];
  }
  return [
    {
      id: 'protected-role-session',
      title: `Decide by hand on the session of protected role ${roleName}`,
      why: `${verdict.reason}. The policy file protects this role, so Tourniquet plans no change. To deny only this session (its other sessions keep working), and to undo it:`,
      commands: [
        `aws iam put-role-policy --role-name ${roleName} --policy-name ${policyName} --policy-document '${document}'`,
        `aws iam delete-role-policy --role-name ${roleName} --policy-name ${policyName}   # release`,
        trail,
      ],
    },
    assumptionSourceStep(roleName, account, partition, since),
  ];
}

export const iamRoleSessionPlaybook = definePlaybook({
  name: IAM_ROLE_SESSION_PLAYBOOK,
  subjectKinds: ['iam-role-session'],
  steps: ROLE_SESSION_STEPS,
  options: OptionsSchema,
  plan: planSteps,
  manualSteps,
});
