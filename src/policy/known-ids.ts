/**
 * Playbook names and step ids: the one list both the policy validator and the playbooks use (playbooks import it;
 * policy cannot import playbooks, which depend on it). Unknown ids in a policy file are warnings, not errors.
 */
import type { SubjectKind } from '../findings/model.js';

export const NO_PLAYBOOK = 'none';
export const EC2_INSTANCE_PLAYBOOK = 'ec2-instance';

/** Step ids of the `ec2-instance` playbook (plan order). */
export const EC2_INSTANCE_STEP_IDS: readonly string[] = [
  'capture-evidence',
  'snapshot-volumes',
  'tag-instance',
  'preserve-instance',
  'leave-auto-scaling',
  'deregister-targets',
  'isolate-network',
  'deny-instance-session',
  'replace-instance-profile',
  'enforce-imdsv2',
  'revoke-role-sessions',
  'nacl-cut',
  'stop-instance',
  // Only when the responder has a blocklist and the finding a public remote IPv4 address.
  'block-remote-ip',
];

export interface PlaybookInfo {
  /** Subject kinds the playbook handles; undefined = every kind. */
  readonly subjects?: readonly SubjectKind[];
  readonly stepIds: readonly string[];
}

/** The playbooks known to the validator, by name. */
export const KNOWN_PLAYBOOKS: ReadonlyMap<string, PlaybookInfo> = new Map<string, PlaybookInfo>([
  [EC2_INSTANCE_PLAYBOOK, { subjects: ['ec2-instance'], stepIds: EC2_INSTANCE_STEP_IDS }],
  // Record the incident and notify; no steps of its own.
  [NO_PLAYBOOK, { stepIds: [] }],
]);

/** The playbook used for a subject kind when no rule names one. */
export function defaultPlaybookForKind(kind: SubjectKind): string {
  return kind === 'ec2-instance' ? EC2_INSTANCE_PLAYBOOK : NO_PLAYBOOK;
}

export { SUBJECT_KINDS } from '../findings/subject-kinds.js';
