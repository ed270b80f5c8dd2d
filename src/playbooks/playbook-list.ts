/**
 * Every playbook, the one list: the engine builds plans from it, the action registry registers the actions its
 * steps run, and the policy validator knows playbook names, subject kinds, step ids and options from it. Adding a
 * playbook = its file plus one line here. A subject kind's default playbook is the first here that handles it.
 */
import type { Playbook } from './define-playbook.js';
import { bedrockModelPlaybook } from './bedrock-model.js';
import { ec2InstancePlaybook } from './ec2-instance.js';
import { ecsTaskPlaybook } from './ecs-task.js';
import { eksPlaybook } from './eks.js';
import { federatedUserPlaybook } from './federated-user.js';
import { iamRoleSessionPlaybook } from './iam-role-session.js';
import { iamUserPlaybook } from './iam-user.js';
import { lambdaFunctionPlaybook } from './lambda-function.js';
import { malwareScanArtefactPlaybook } from './malware-scan-artefact.js';
import { rdsInstancePlaybook } from './rds-instance.js';
import { recordOnlyPlaybook } from './record-only.js';
import { rootUserPlaybook } from './root-user.js';
import { s3BucketPlaybook } from './s3-bucket.js';
import { s3ObjectPlaybook } from './s3-object.js';
import { sagemakerNotebookPlaybook } from './sagemaker-notebook.js';

export const PLAYBOOKS: readonly Playbook[] = [
  ec2InstancePlaybook,
  ecsTaskPlaybook,
  eksPlaybook,
  iamUserPlaybook,
  iamRoleSessionPlaybook,
  rootUserPlaybook,
  federatedUserPlaybook,
  lambdaFunctionPlaybook,
  rdsInstancePlaybook,
  malwareScanArtefactPlaybook,
  s3BucketPlaybook,
  s3ObjectPlaybook,
  bedrockModelPlaybook,
  sagemakerNotebookPlaybook,
  // Last: every kind without a playbook of its own.
  recordOnlyPlaybook,
];

/** The playbook named `name`, or undefined. */
export function findPlaybook(name: string): Playbook | undefined {
  return PLAYBOOKS.find((p) => p.name === name);
}
