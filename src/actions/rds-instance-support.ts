/**
 * Shared by the RDS actions: which DB instance a step acts on, the ARN patterns their permissions use, and the
 * instance read through the lazily loaded SDK.
 */
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { describeValue } from '../errors.js';
import type { BoundActionContext } from './action.js';
import { isAwsError } from './action-support.js';
import { loadRds, type RdsSdk } from './rds-sdk.js';

export const RDS_ARN = {
  db: 'arn:${Partition}:rds:${Region}:${Account}:db:*',
  cluster: 'arn:${Partition}:rds:${Region}:${Account}:cluster:*',
  snapshot: 'arn:${Partition}:rds:${Region}:${Account}:snapshot:*',
  clusterSnapshot: 'arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:*',
  // Secrets RDS manages for master passwords are named `rds!db-…` / `rds!cluster-…`.
  managedSecret: 'arn:${Partition}:secretsmanager:${Region}:${Account}:secret:rds!*',
} as const;

const DB_IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const DB_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:([A-Za-z][A-Za-z0-9-]{0,62})$/;

/** The DB instance identifier: `input.dbInstanceIdentifier`, else the subject's. Checked before any call. */
export function resolveDbInstance(input: { dbInstanceIdentifier?: string | undefined }, ctx: BoundActionContext): string {
  const s = ctx.subject;
  const raw = input.dbInstanceIdentifier ?? (s.kind === 'rds-instance' ? (s.details.dbInstanceIdentifier ?? s.arn) : undefined);
  if (raw === undefined) throw ctx.fail(`no DB instance to act on: the subject is ${describeValue(s.kind)} and the input has no dbInstanceIdentifier`);
  if (DB_IDENTIFIER.test(raw)) return raw;
  const m = DB_ARN.exec(raw);
  if (m?.[1] !== undefined) return m[1];
  throw ctx.fail(`not a DB instance identifier or ARN: ${describeValue(raw)}`);
}

export async function rdsClient(ctx: BoundActionContext): Promise<{ sdk: RdsSdk; rds: RDSClient }> {
  const sdk = await loadRds();
  return { sdk, rds: ctx.aws(sdk.RDSClient) };
}

/** The instance; a StepError when RDS does not know it. */
export async function requireDbInstance(ctx: BoundActionContext, id: string): Promise<DBInstance> {
  const { sdk, rds } = await rdsClient(ctx);
  try {
    const out = await rds.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const db = out.DBInstances?.[0];
    if (db !== undefined) return db;
  } catch (err) {
    if (!isAwsError(err, 'DBInstanceNotFound', 'DBInstanceNotFoundFault')) throw err;
  }
  throw ctx.fail(`DB instance ${id} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
}
