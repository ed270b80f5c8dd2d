/**
 * The IAM principal(s) a subject stands for, so guardrails can refuse to contain protected principals. Subject
 * details other than EC2 are loosely typed (`Record<string, unknown>`), so every field is read defensively; a
 * subject without a recognizable principal yields none.
 */
import type { Subject } from '../findings/model.js';
import { globMatch } from './glob.js';

export interface PrincipalCandidate {
  readonly arn: string;
  /** Where the ARN came from, for explanations (`subject ARN`, `instance profile`, `access key of IAMUser` …). */
  readonly source: string;
}

const IAM_ARN = /^arn:([a-z0-9-]+):(iam|sts)::(\d{12}|aws):(.+)$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function field(details: unknown, key: string): string | undefined {
  if (details === null || typeof details !== 'object' || !Object.hasOwn(details, key)) return undefined;
  return str((details as Record<string, unknown>)[key]);
}

/** The principal ARNs of a subject, as reported (forms without paths etc. come from `principalForms`). */
export function subjectPrincipals(subject: Subject, partition: string): PrincipalCandidate[] {
  const out: PrincipalCandidate[] = [];
  const add = (arn: string | undefined, source: string): void => {
    if (arn !== undefined && IAM_ARN.test(arn) && !out.some((c) => c.arn === arn)) out.push({ arn, source });
  };
  const iam = (resource: string): string => `arn:${partition}:iam::${subject.accountId}:${resource}`;

  add(subject.arn, 'subject ARN');
  if (subject.kind === 'ec2-instance') {
    add(subject.details.iamInstanceProfile?.arn, 'instance profile');
    for (const role of subject.details.iamInstanceProfile?.roleArns ?? []) add(role, 'instance profile role (resolved by the engine)');
    return out;
  }
  const d = subject.details;
  for (const key of ['arn', 'principalArn', 'userArn', 'roleArn', 'sessionArn']) add(field(d, key), `details.${key}`);
  const name = field(d, 'userName') ?? field(d, 'roleName') ?? str(subject.name);
  switch (subject.kind) {
    case 'iam-user':
      if (name !== undefined) add(iam(`user/${name}`), 'IAM user name');
      break;
    case 'iam-role-session':
      if (field(d, 'roleName') !== undefined) add(iam(`role/${field(d, 'roleName')}`), 'role name');
      break;
    case 'root':
      add(iam('root'), 'account root');
      break;
    case 'access-key': {
      // GuardDuty accessKeyDetails: userType IAMUser | AssumedRole | Root | FederatedUser; for AssumedRole the
      // userName is the role's name.
      const userType = field(d, 'userType');
      const userName = field(d, 'userName');
      if (userType === 'Root') add(iam('root'), 'access key of Root');
      else if (userName !== undefined && userType === 'IAMUser') add(iam(`user/${userName}`), 'access key of IAMUser');
      else if (userName !== undefined && userType === 'AssumedRole') add(iam(`role/${userName}`), 'access key of AssumedRole');
      else if (userName !== undefined && userType === 'FederatedUser') {
        add(`arn:${partition}:sts::${subject.accountId}:federated-user/${userName}`, 'access key of FederatedUser');
      }
      break;
    }
    default:
      break;
  }
  return out;
}

/**
 * The forms one principal ARN is matched in: as given, without its IAM path, and — for an assumed-role session —
 * the role itself. `arn:aws:sts::1:assumed-role/R/s` → also `arn:aws:iam::1:role/R`.
 */
export function principalForms(arn: string): string[] {
  const m = IAM_ARN.exec(arn);
  if (!m) return [arn];
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  const forms = [arn];
  const parts = resource.split('/');
  const kind = parts[0];
  if (service === 'sts' && kind === 'assumed-role' && parts.length >= 2) {
    forms.push(`arn:${partition}:iam::${account}:role/${parts[1]}`);
  } else if (service === 'iam' && (kind === 'role' || kind === 'user' || kind === 'instance-profile') && parts.length > 2) {
    forms.push(`arn:${partition}:iam::${account}:${kind}/${parts[parts.length - 1]}`);
  }
  return forms;
}

export interface PrincipalMatch {
  readonly pattern: string;
  readonly candidate: PrincipalCandidate;
  /** The form of the candidate that matched. */
  readonly form: string;
}

/** The first (pattern, principal) pair where any form of the principal matches the glob pattern. */
export function findPrincipalMatch(
  patterns: readonly string[],
  candidates: readonly PrincipalCandidate[],
): PrincipalMatch | undefined {
  for (const candidate of candidates) {
    for (const form of principalForms(candidate.arn)) {
      for (const pattern of patterns) {
        // An exact pattern may be a session ARN (the responder's GetCallerIdentity ARN): compare its forms too. A
        // glob is used as written: `role/team/*` without its path would be `role/*`, every role.
        for (const p of pattern.includes('*') ? [pattern] : principalForms(pattern)) {
          if (globMatch(p, form)) return { pattern, candidate, form };
        }
      }
    }
  }
  return undefined;
}
