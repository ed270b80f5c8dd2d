/** Every kind `tourniquet drill` builds findings for: one line each. */
import type { DrillKind } from './drill-kind.js';
import { ec2Drill } from './kinds/ec2.js';
import { ecsTaskDrill } from './kinds/ecs-task.js';
import { eksDrill } from './kinds/eks.js';
import { iamUserDrill } from './kinds/iam-user.js';
import { lambdaDrill } from './kinds/lambda.js';
import { rdsDrill } from './kinds/rds.js';
import { roleSessionDrill } from './kinds/role-session.js';
import { sagemakerNotebookDrill } from './kinds/sagemaker-notebook.js';
import { s3BucketDrill } from './kinds/s3-bucket.js';
import { s3ObjectDrill } from './kinds/s3-object.js';
import { amiDrill, snapshotDrill } from './kinds/scan-artefact.js';

export const DRILL_KINDS: readonly DrillKind[] = [ec2Drill, iamUserDrill, roleSessionDrill, s3BucketDrill, s3ObjectDrill, lambdaDrill, ecsTaskDrill, rdsDrill, snapshotDrill, amiDrill, eksDrill, sagemakerNotebookDrill];

export function findDrillKind(kind: string): DrillKind | undefined {
  return DRILL_KINDS.find((k) => k.kind === kind);
}
