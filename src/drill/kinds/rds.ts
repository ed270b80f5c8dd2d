/** `drill rds <db-instance-id>`: an anomalous-login finding about a real DB instance (identifiers and tags from RDS). */
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { UsageError } from '../../errors.js';
import { drillRemoteIp } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const rdsDrill: DrillKind = {
  kind: 'rds',
  idHelp: 'a DB instance identifier',
  defaultType: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
  typeResources: ['RDS'],
  checkId: (id) => (/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(id) ? undefined : `expected a DB instance identifier, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const rds = new RDSClient(ctx.config);
    try {
      const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
      if (db?.DBInstanceArn === undefined) throw new UsageError(`DB instance ${id} not found in ${ctx.region}`);
      return {
        label: `db/${id}`,
        resource: {
          resourceType: 'RDSDBInstance',
          rdsDbInstanceDetails: {
            dbInstanceIdentifier: id,
            engine: db.Engine ?? null,
            engineVersion: db.EngineVersion ?? null,
            ...(db.DBClusterIdentifier ? { dbClusterIdentifier: db.DBClusterIdentifier } : {}),
            dbInstanceArn: db.DBInstanceArn,
            tags: (db.TagList ?? []).map((t) => ({ key: t.Key, value: t.Value })),
          },
          rdsDbUserDetails: { user: 'drill', application: 'psql', database: 'postgres', ssl: 'on', authMethod: 'PASSWORD' },
        },
        action: { actionType: 'RDS_LOGIN_ATTEMPT', rdsLoginAttemptAction: { remoteIpDetails: drillRemoteIp() } },
        resourceRole: 'TARGET',
      };
    } finally {
      rds.destroy();
    }
  },
};
