/** Every subject kind the model has, as a list (policy files name them in `match.subject`). */
import type { SubjectKind } from './model.js';

// A Record so the compiler flags a subject kind added to the model but not here.
const KIND_SET: Readonly<Record<SubjectKind, true>> = {
  'ec2-instance': true,
  'access-key': true,
  'iam-user': true,
  'iam-role-session': true,
  'root': true,
  'federated-user': true,
  's3-bucket': true,
  's3-object': true,
  'eks-cluster': true,
  'k8s-workload': true,
  'k8s-user': true,
  'container': true,
  'ecs-cluster': true,
  'ecs-task': true,
  'lambda-function': true,
  'rds-instance': true,
  'attack-sequence': true,
  'bedrock-model': true,
  'sagemaker-notebook': true,
  'malware-scan-object': true,
  'ebs-snapshot': true,
  'ec2-image': true,
  'recovery-point': true,
};

export const SUBJECT_KINDS: readonly SubjectKind[] = Object.keys(KIND_SET) as SubjectKind[];
