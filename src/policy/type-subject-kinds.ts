/**
 * The subject kinds a rule's finding-type patterns can produce, so a rule that names types but no `match.subject`
 * (`type: ["CryptoCurrency:EC2/"]`) still resolves to the one playbook its `options:` are for once several
 * playbooks exist. Mirrors the routing by ResourceTypeAffected segment in findings/subjects/route-subjects.ts; a
 * pattern whose segment is unknown or a wildcard (or an attack sequence, which names any resource) can produce any
 * kind.
 */
import type { SubjectKind } from '../findings/model.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';

const CREDENTIALS: readonly SubjectKind[] = ['access-key', 'iam-user', 'iam-role-session', 'root', 'federated-user', 'ec2-instance'];
const BACKUP: readonly SubjectKind[] = ['ebs-snapshot', 'ec2-image', 'recovery-point'];
const KUBERNETES: readonly SubjectKind[] = ['eks-cluster', 'k8s-workload', 'k8s-user', 'container', 'ec2-instance', ...CREDENTIALS];
const RUNTIME: readonly SubjectKind[] = [...KUBERNETES, 'ecs-cluster', 'ecs-task'];

const BY_SEGMENT: ReadonlyMap<string, readonly SubjectKind[]> = new Map([
  ['EC2', ['ec2-instance', ...BACKUP]],
  ['IAMUser', [...CREDENTIALS, 'bedrock-model']],
  ['IAM', [...CREDENTIALS, 'bedrock-model']],
  ['S3', ['s3-bucket', 's3-object', 'malware-scan-object', ...BACKUP, ...CREDENTIALS]],
  ['Kubernetes', KUBERNETES],
  ['EKS', KUBERNETES],
  ['Runtime', RUNTIME],
  ['Container', RUNTIME],
  ['ECS', RUNTIME],
  ['Lambda', ['lambda-function']],
  ['RDS', ['rds-instance']],
]);

/** The kinds findings matching any of the patterns can have as subjects (every kind when a pattern is open). */
export function subjectKindsOfTypes(patterns: readonly string[]): readonly SubjectKind[] {
  const out = new Set<SubjectKind>();
  for (const p of patterns) {
    const segment = /^[A-Za-z]+:([A-Za-z0-9]+)\//.exec(p)?.[1];
    const kinds = segment === undefined ? undefined : BY_SEGMENT.get(segment);
    if (kinds === undefined) return SUBJECT_KINDS;
    for (const k of kinds) out.add(k);
  }
  return SUBJECT_KINDS.filter((k) => out.has(k));
}
