/**
 * The RDS instance playbook (`CredentialAccess:RDS/*`, `Discovery:RDS/*`): a manual snapshot into the case first,
 * then public accessibility off (reversible), then the master password changed (destructive: waits for approval;
 * never seen by Tourniquet; not reversible). An Aurora Limitless shard group gets no steps (recorded and notified):
 * it has no instance-level snapshot or accessibility switch. Pure: no I/O.
 */
import { z } from 'zod';
import { disablePublicAccess } from '../actions/rds-disable-public-access.js';
import { rotateMasterPassword } from '../actions/rds-rotate-master-password.js';
import { snapshotDbInstance } from '../actions/rds-snapshot-instance.js';
import type { PlanStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';

export const RDS_INSTANCE_PLAYBOOK = 'rds-instance';

export const RDS_INSTANCE_STEPS = {
  'snapshot-instance': snapshotDbInstance,
  'disable-public-access': disablePublicAccess,
  'rotate-master-password': rotateMasterPassword,
} as const;

const RdsPlaybookOptionsSchema = z.strictObject({});

function planSteps({ subject, step }: PlanArgs<'rds-instance', typeof RDS_INSTANCE_STEPS, typeof RdsPlaybookOptionsSchema>): PlanStep[] {
  const id = subject.details.dbInstanceIdentifier ?? (subject.details.limitless ? undefined : subject.arn);
  if (id === undefined) return [];
  const base = { dbInstanceIdentifier: id };
  return [
    step('snapshot-instance', {
      input: base,
      dependsOn: [],
      description: 'Describe the instance into the case and take a manual snapshot (its cluster’s for Aurora), tagged with the case id; kept on release',
    }),
    step('disable-public-access', {
      input: base,
      dependsOn: [],
      after: ['snapshot-instance'],
      description: 'Public accessibility off (applied immediately); release restores the prior setting',
    }),
    step('rotate-master-password', {
      input: base,
      dependsOn: [],
      // Never change the password before the evidence exists.
      requiresSuccessOf: ['snapshot-instance'],
      after: ['disable-public-access'],
      description: 'Change the master password through RDS and Secrets Manager (never seen by Tourniquet); the old one stops working; not reversible',
    }),
  ];
}

export const rdsInstancePlaybook = definePlaybook({
  name: RDS_INSTANCE_PLAYBOOK,
  subjectKinds: ['rds-instance'],
  steps: RDS_INSTANCE_STEPS,
  options: RdsPlaybookOptionsSchema,
  plan: planSteps,
});
