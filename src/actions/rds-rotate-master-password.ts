/**
 * `rds.rotate-master-password` (destructive, needs approval): the master user password is changed without Tourniquet
 * ever seeing a password, so none can reach the journal, the evidence or a log:
 * - when RDS already manages it in Secrets Manager (`MasterUserSecret`), RDS rotates it (RotateMasterUserPassword);
 * - otherwise RDS is asked to manage it (ManageMasterUserPassword): RDS generates a new password, stores it in a
 *   Secrets Manager secret it owns (`rds!…`), and the old one stops working.
 * For a member of an Aurora cluster the password belongs to the cluster, so the cluster is modified.
 * Not reversible: the old password was never known and must not be restored. Applications that read the old
 * password from elsewhere break until they read the RDS-managed secret. An operator can turn management off again
 * (ModifyDBInstance ManageMasterUserPassword=false with a password of their choosing) once the case is closed.
 * A retried apply finds a rotation in progress (`rotating`) and leaves it; after it finished, a second rotation only
 * changes the password once more.
 */
import { z } from 'zod';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { RDS_ARN, rdsClient, requireDbInstance, resolveDbInstance } from './rds-instance-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's DB instance.
  dbInstanceIdentifier: z.string().optional(),
});

type Target = { kind: 'instance' | 'cluster'; identifier: string; secretArn: string | null; secretStatus: string | null };

export type RotateMasterPasswordPreImage = { dbInstanceIdentifier: string } & Target;
export type RotateMasterPasswordOutput = { method: 'rotate-managed' | 'manage' | 'none'; target: string; reason?: string };

async function readTarget(ctx: BoundActionContext, id: string): Promise<Target> {
  const db = await requireDbInstance(ctx, id);
  if (db.DBClusterIdentifier !== undefined) {
    const { sdk, rds } = await rdsClient(ctx);
    const out = await rds.send(new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: db.DBClusterIdentifier }));
    const c = out.DBClusters?.[0];
    return { kind: 'cluster', identifier: db.DBClusterIdentifier, secretArn: c?.MasterUserSecret?.SecretArn ?? null, secretStatus: c?.MasterUserSecret?.SecretStatus ?? null };
  }
  return { kind: 'instance', identifier: id, secretArn: db.MasterUserSecret?.SecretArn ?? null, secretStatus: db.MasterUserSecret?.SecretStatus ?? null };
}

async function modify(ctx: BoundActionContext, t: Target, change: { RotateMasterUserPassword: true } | { ManageMasterUserPassword: true }): Promise<void> {
  const { sdk, rds } = await rdsClient(ctx);
  if (t.kind === 'cluster') await rds.send(new sdk.ModifyDBClusterCommand({ DBClusterIdentifier: t.identifier, ApplyImmediately: true, ...change }));
  else await rds.send(new sdk.ModifyDBInstanceCommand({ DBInstanceIdentifier: t.identifier, ApplyImmediately: true, ...change }));
}

export const rotateMasterPassword = defineAction({
  name: 'rds.rotate-master-password',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Change the master user password without Tourniquet seeing it: RDS rotates its Secrets Manager secret, or takes ' +
    'the password over into a new one. The old password stops working; not reversible.',
  permissions: [
    { actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], resources: [RDS_ARN.db], why: 'Read the instance; rotate or hand its master password to RDS' },
    { actions: ['rds:DescribeDBClusters', 'rds:ModifyDBCluster'], resources: [RDS_ARN.cluster], why: 'The same for the Aurora cluster of a member instance' },
    {
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret'],
      resources: [RDS_ARN.managedSecret],
      why: 'RDS creates and rotates its managed master-password secret with the caller’s permissions',
    },
    {
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['arn:${Partition}:kms:${Region}:${Account}:key/*'],
      conditions: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
      why: 'A managed secret encrypted with a customer-managed key is rotated through Secrets Manager with that key',
    },
  ],

  async capture(input, ctx): Promise<RotateMasterPasswordPreImage> {
    const id = resolveDbInstance(input, ctx);
    return { dbInstanceIdentifier: id, ...(await readTarget(ctx, id)) };
  },

  async apply(_input, pre, ctx): Promise<RotateMasterPasswordOutput> {
    const now = await readTarget(ctx, pre.dbInstanceIdentifier);
    const target = `${now.kind} ${now.identifier}`;
    if (pre.secretArn === null) {
      // Taken over by an earlier run of this step: the password RDS generated is already not the attacker's.
      if (now.secretArn !== null) return { method: 'none', target, reason: 'the password is already managed by RDS since this step ran' };
      await modify(ctx, now, { ManageMasterUserPassword: true });
      return { method: 'manage', target };
    }
    if (now.secretStatus === 'rotating') return { method: 'none', target, reason: 'a rotation is in progress' };
    await modify(ctx, now, { RotateMasterUserPassword: true });
    return { method: 'rotate-managed', target };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const t = await readTarget(ctx, resolveDbInstance(input, ctx));
    // What can be read back: the password is in an RDS-managed secret. Whether the old one still works can only be
    // proven by trying it, which Tourniquet does not do.
    return {
      holds: t.secretArn !== null && t.secretStatus !== 'impaired',
      detail: `${t.kind} ${t.identifier}: master password ${t.secretArn === null ? 'not managed by RDS' : `in RDS-managed secret ${t.secretArn} (${t.secretStatus ?? 'status unknown'})`}`,
    };
  },
});
