/**
 * Every playbook, the one list: its name, the subject kinds it handles, and how to load it. Loading is an `import()`,
 * so the Lambda bundle puts each playbook (its actions and their AWS SDK code) in its own chunk and an EC2 finding
 * loads only the EC2 playbook. Deciding which playbook a subject gets needs no playbook loaded; planning and running
 * it do (loaded-playbooks.ts). Adding a playbook = its file plus one line here. A subject kind's default playbook is
 * the first here that handles it. A test checks each line against the playbook it loads.
 */
import type { SubjectKind } from '../findings/model.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';
import type { PlaybookKinds } from '../contracts/playbook-info.js';
import type { Playbook } from './define-playbook.js';

export interface PlaybookEntry extends PlaybookKinds {
  /** Imports the playbook's file (once; later calls get the same module). */
  load(): Promise<Playbook>;
}

const entry = (name: string, subjectKinds: readonly SubjectKind[], load: () => Promise<Playbook>): PlaybookEntry => ({ name, subjectKinds, load });

export const PLAYBOOK_CATALOG: readonly PlaybookEntry[] = [
  entry('ec2-instance', ['ec2-instance'], async () => (await import('./ec2-instance.js')).ec2InstancePlaybook),
  entry('ecs-task', ['ecs-task'], async () => (await import('./ecs-task.js')).ecsTaskPlaybook),
  entry('eks', ['eks-cluster', 'k8s-workload', 'k8s-user'], async () => (await import('./eks.js')).eksPlaybook),
  entry('iam-user', ['iam-user'], async () => (await import('./iam-user.js')).iamUserPlaybook),
  entry('iam-role-session', ['iam-role-session'], async () => (await import('./iam-role-session.js')).iamRoleSessionPlaybook),
  entry('root-user', ['root'], async () => (await import('./root-user.js')).rootUserPlaybook),
  entry('federated-user', ['federated-user'], async () => (await import('./federated-user.js')).federatedUserPlaybook),
  entry('lambda-function', ['lambda-function'], async () => (await import('./lambda-function.js')).lambdaFunctionPlaybook),
  entry('rds-instance', ['rds-instance'], async () => (await import('./rds-instance.js')).rdsInstancePlaybook),
  entry('malware-scan-artefact', ['ebs-snapshot', 'ec2-image', 'recovery-point'], async () => (await import('./malware-scan-artefact.js')).malwareScanArtefactPlaybook),
  entry('s3-bucket', ['s3-bucket'], async () => (await import('./s3-bucket.js')).s3BucketPlaybook),
  entry('s3-object', ['s3-object'], async () => (await import('./s3-object.js')).s3ObjectPlaybook),
  entry('bedrock', ['bedrock-model'], async () => (await import('./bedrock-model.js')).bedrockModelPlaybook),
  entry('sagemaker-notebook', ['sagemaker-notebook'], async () => (await import('./sagemaker-notebook.js')).sagemakerNotebookPlaybook),
  // Last: every kind without a playbook of its own.
  entry('none', SUBJECT_KINDS, async () => (await import('./record-only.js')).recordOnlyPlaybook),
];

/** The catalogue line of `name`, or undefined. */
export function catalogEntry(name: string): PlaybookEntry | undefined {
  return PLAYBOOK_CATALOG.find((p) => p.name === name);
}
