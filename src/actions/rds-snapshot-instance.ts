/**
 * `rds.snapshot-instance`: the DB instance's description into the case, and a manual snapshot tagged with the case
 * id (`tourniquet:case`, `tourniquet:incident`). A member of an Aurora cluster cannot be snapshotted on its own, so
 * its cluster is (CreateDBClusterSnapshot). The snapshot identifier is derived from the case and the instance, so a
 * second run finds the first run's snapshot instead of taking another. Snapshots are kept on release.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { TAG, isAwsError, tagValue } from './action-support.js';
import { defineAction } from './define-action.js';
import { RDS_ARN, rdsClient, requireDbInstance, resolveDbInstance } from './rds-instance-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's DB instance.
  dbInstanceIdentifier: z.string().optional(),
});

export type SnapshotDbPreImage = { dbInstanceIdentifier: string; clusterIdentifier: string | null; snapshotIdentifier: string; existed: boolean };
export type SnapshotDbOutput = { kind: 'instance' | 'cluster'; snapshotIdentifier: string; created: boolean; status: string };

/** Letters, digits and single hyphens, starting with a letter, at most 255 characters (RDS's snapshot id rules). */
export function caseSnapshotIdentifier(caseId: string, resource: string): string {
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const id = `tourniquet-${slug(caseId)}-${slug(resource)}`.replace(/-{2,}/g, '-').replace(/-+$/, '');
  if (id.length <= 255) return id;
  const digest = createHash('sha256').update(`${caseId}\n${resource}`).digest('hex').slice(0, 16);
  return `${id.slice(0, 238).replace(/-+$/, '')}-${digest}`;
}

function caseTags(ctx: BoundActionContext): Array<{ Key: string; Value: string }> {
  return [
    { Key: TAG.case, Value: tagValue(ctx.caseId) },
    { Key: TAG.incident, Value: tagValue(ctx.incidentId) },
  ];
}

/** The snapshot's status, or null when there is none of that identifier. */
async function snapshotStatus(ctx: BoundActionContext, cluster: boolean, snapshotIdentifier: string): Promise<string | null> {
  const { sdk, rds } = await rdsClient(ctx);
  try {
    if (cluster) {
      const out = await rds.send(new sdk.DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotIdentifier }));
      return out.DBClusterSnapshots?.[0]?.Status ?? null;
    }
    const out = await rds.send(new sdk.DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotIdentifier }));
    return out.DBSnapshots?.[0]?.Status ?? null;
  } catch (err) {
    if (isAwsError(err, 'DBSnapshotNotFound', 'DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault')) return null;
    throw err;
  }
}

export const snapshotDbInstance = defineAction({
  name: 'rds.snapshot-instance',
  effect: 'evidence',
  input: InputSchema,
  description:
    'Record the DB instance’s description and take a manual snapshot (of its cluster for an Aurora member), tagged ' +
    'with the case id. The snapshot is kept on release.',
  permissions: [
    {
      actions: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBClusterSnapshots'],
      resources: [RDS_ARN.db, RDS_ARN.snapshot, RDS_ARN.cluster, RDS_ARN.clusterSnapshot],
      why: 'Read the instance and find the case’s snapshot',
    },
    { actions: ['rds:CreateDBSnapshot'], resources: [RDS_ARN.db, RDS_ARN.snapshot], why: 'Snapshot the instance as evidence' },
    { actions: ['rds:CreateDBClusterSnapshot'], resources: [RDS_ARN.cluster, RDS_ARN.clusterSnapshot], why: 'Snapshot the Aurora cluster of a member instance' },
    {
      actions: ['rds:AddTagsToResource'],
      resources: [RDS_ARN.snapshot, RDS_ARN.clusterSnapshot],
      conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'tourniquet:*' } },
      why: 'Tag the snapshot with the case when it is created',
    },
  ],

  async capture(input, ctx): Promise<SnapshotDbPreImage> {
    const id = resolveDbInstance(input, ctx);
    const db = await requireDbInstance(ctx, id);
    const clusterIdentifier = db.DBClusterIdentifier ?? null;
    const snapshotIdentifier = caseSnapshotIdentifier(ctx.caseId, clusterIdentifier ?? id);
    return { dbInstanceIdentifier: id, clusterIdentifier, snapshotIdentifier, existed: (await snapshotStatus(ctx, clusterIdentifier !== null, snapshotIdentifier)) !== null };
  },

  async apply(_input, pre, ctx): Promise<SnapshotDbOutput> {
    const db = await requireDbInstance(ctx, pre.dbInstanceIdentifier);
    await ctx.evidence.put(`rds-${pre.dbInstanceIdentifier}.json`, { capturedAt: ctx.now().toISOString(), dbInstance: JSON.parse(JSON.stringify(db)) as Json });
    const cluster = pre.clusterIdentifier !== null;
    const kind = cluster ? 'cluster' : 'instance';
    const existing = await snapshotStatus(ctx, cluster, pre.snapshotIdentifier);
    if (existing !== null) return { kind, snapshotIdentifier: pre.snapshotIdentifier, created: false, status: existing };
    const { sdk, rds } = await rdsClient(ctx);
    if (pre.clusterIdentifier !== null) {
      const out = await rds.send(
        new sdk.CreateDBClusterSnapshotCommand({ DBClusterIdentifier: pre.clusterIdentifier, DBClusterSnapshotIdentifier: pre.snapshotIdentifier, Tags: caseTags(ctx) }),
      );
      return { kind, snapshotIdentifier: pre.snapshotIdentifier, created: true, status: out.DBClusterSnapshot?.Status ?? 'unknown' };
    }
    const out = await rds.send(
      new sdk.CreateDBSnapshotCommand({ DBInstanceIdentifier: pre.dbInstanceIdentifier, DBSnapshotIdentifier: pre.snapshotIdentifier, Tags: caseTags(ctx) }),
    );
    return { kind, snapshotIdentifier: pre.snapshotIdentifier, created: true, status: out.DBSnapshot?.Status ?? 'unknown' };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const id = resolveDbInstance(input, ctx);
    const db = await requireDbInstance(ctx, id);
    const cluster = db.DBClusterIdentifier ?? null;
    const snapshotIdentifier = caseSnapshotIdentifier(ctx.caseId, cluster ?? id);
    const status = await snapshotStatus(ctx, cluster !== null, snapshotIdentifier);
    return {
      holds: status !== null && status !== 'failed',
      detail: `${cluster !== null ? `cluster ${cluster}` : id}: snapshot ${snapshotIdentifier} ${status ?? 'absent'}`,
    };
  },
});
