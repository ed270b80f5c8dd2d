/**
 * The roles of an instance's profile, resolved before deciding: a protected-principal pattern names roles
 * (`arn:aws:iam::*:role/BreakGlass`), and an instance running with such a role must be protected like the role
 * itself. GuardDuty reports only the instance-profile ARN, so the engine asks IAM (GetInstanceProfile) — alongside
 * the live-tags read, so it adds no round trip before the decision. The roles go into the subject's details, where
 * the guardrails (src/policy/principals.ts) see them, and are journaled with the incident.
 * A failed read is recorded and the decision goes on with the profile ARN alone, as a failed live-tags read does.
 */
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { sharedRead, type IamPermission, type SharedReads } from '../actions/action.js';
import { INSTANCE_PROFILE_ARN, profileNameFromArn, profileRolesKey, roleRefsOf, type RoleRef } from '../actions/iam-role-lookup.js';
import type { AwsClients } from '../aws/clients.js';
import type { Subject } from '../findings/model.js';
import type { TimelineEvent } from '../journal/journal.js';
import { RetryExhaustedError, withRetry, type RetryOptions } from './retry.js';

export interface ProfileRolesDeps {
  /** Observe requested or the deployment capped at observe: nothing can change, nothing is read. */
  readonly observeOnly: boolean;
  readonly clients: () => Promise<AwsClients>;
  readonly isTransient: (err: unknown) => boolean;
  readonly retry?: RetryOptions;
  /**
   * The run's shared reads: the roles go there under the steps' key (profileRolesKey), so the session deny's read-ahead
   * and capture, and the other findings of the instance in flight, join this read instead of making their own.
   */
  readonly reads?: SharedReads;
}

export type ProfileRoles =
  | { readonly source: 'resolved'; readonly profileArn: string; readonly roleArns: readonly string[]; readonly roles: readonly RoleRef[] }
  | { readonly source: 'none'; readonly why: string }
  | { readonly source: 'failed'; readonly profileArn: string; readonly detail: string };

/** The subject's instance-profile ARN when it is one IAM can be asked about. */
function profileArnOf(subject: Subject): string | undefined {
  if (subject.kind !== 'ec2-instance') return undefined;
  const arn = subject.details.iamInstanceProfile?.arn;
  return arn !== undefined && INSTANCE_PROFILE_ARN.test(arn) ? arn : undefined;
}

export async function resolveProfileRoles(subject: Subject, deps: ProfileRolesDeps): Promise<ProfileRoles> {
  const profileArn = profileArnOf(subject);
  if (profileArn === undefined) return { source: 'none', why: subject.kind === 'ec2-instance' ? 'the finding names no instance profile' : 'not an instance' };
  if (deps.observeOnly) return { source: 'none', why: 'observe was requested: nothing can change, so the profile was not read' };
  // Registered before this function first awaits: called before any prefetch reads, this read (with its retries) is
  // the one a prefetch of the same key joins, never the other way round.
  const reading = sharedRead(deps, profileRolesKey(profileArn), async (): Promise<RoleRef[]> => {
    const clients = await deps.clients();
    const { value } = await withRetry(
      () => clients.aws(IAMClient).send(new GetInstanceProfileCommand({ InstanceProfileName: profileNameFromArn(profileArn) })),
      deps.isTransient,
      deps.retry,
    );
    return roleRefsOf(value);
  });
  try {
    const roles = await reading;
    return { source: 'resolved', profileArn, roleArns: roles.map((r) => r.roleArn), roles };
  } catch (err) {
    const cause = err instanceof RetryExhaustedError ? err.lastError : err;
    return { source: 'failed', profileArn, detail: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) };
  }
}

/** The subject as the decision sees it: its profile's roles added to its details. */
export function withProfileRoles(subject: Subject, resolved: ProfileRoles): Subject {
  if (resolved.source !== 'resolved' || subject.kind !== 'ec2-instance') return subject;
  const profile = subject.details.iamInstanceProfile ?? {};
  return { ...subject, details: { ...subject.details, iamInstanceProfile: { ...profile, roleArns: [...resolved.roleArns] } } };
}

/** The timeline's record of the resolution (only when something was read or failed). */
export function profileRolesEvent(resolved: ProfileRoles, at: Date): TimelineEvent | undefined {
  if (resolved.source === 'none') return undefined;
  return resolved.source === 'resolved'
    ? {
        at: at.toISOString(),
        type: 'decision.profile-roles',
        message: `instance profile ${resolved.profileArn}: role(s) ${resolved.roleArns.join(', ') || 'none'} (iam:GetInstanceProfile), checked against the protected principals`,
      }
    : {
        at: at.toISOString(),
        type: 'decision.profile-roles',
        message: `instance profile ${resolved.profileArn}: its roles could not be read (${resolved.detail}); the protected principals were checked against the profile alone`,
      };
}

/** For the responder's role (merged into the generated policy with the live-tags reads). */
export const PROFILE_ROLES_PERMISSIONS: readonly IamPermission[] = [
  {
    actions: ['iam:GetInstanceProfile'],
    resources: ['arn:${Partition}:iam::${Account}:instance-profile/*'],
    why: 'before deciding: the roles of an instance profile, so a protected role protects the instances running with it',
  },
];
