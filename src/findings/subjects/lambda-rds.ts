/** `resource.lambdaDetails` → `lambda-function`; `resource.rdsDbInstanceDetails` / `rdsLimitlessDbDetails` → `rds-instance`. */
import type { AiReason, Subject } from '../model.js';
import { nameReasons } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { otherSubject, readTags, type SubjectEnv } from './subject-env.js';
import { item, sub } from '../json-path.js';

export function lambdaSubject(env: SubjectEnv, d: JsonObject, path: string): Subject {
  const { ctx } = env;
  const arn = ctx.optString(d, 'functionArn', path);
  const name = ctx.optString(d, 'functionName', path);
  const id = arn ?? name ?? ctx.fail(sub(path, 'functionArn'), 'a function arn or name', d['functionArn']);
  const role = ctx.optString(d, 'role', path);
  const vpc = ctx.optObject(d, 'vpcConfig', path);
  const vp = sub(path, 'vpcConfig');
  const groups: string[] = [];
  if (vpc !== undefined) {
    const sgs = ctx.optArray(vpc, 'securityGroups', vp);
    if (sgs !== undefined) {
      for (let i = 0; i < sgs.length; i++) {
        const sg = ctx.element(sgs, i, sub(vp, 'securityGroups'));
        if (sg === undefined) continue;
        // Optional in the API model (a group may be named only).
        const groupId = ctx.optString(sg, 'groupId', item(sub(vp, 'securityGroups'), i));
        if (groupId !== undefined) groups.push(groupId);
        else ctx.note(item(sub(vp, 'securityGroups'), i), 'security group has no groupId: left out');
      }
    }
  }
  const reasons: AiReason[] = [];
  nameReasons('function', name ?? arn, reasons);
  nameReasons('execution role', role, reasons);
  return otherSubject(env, 'lambda-function', { id, arn, name, tags: readTags(env, d, 'tags', path), reasons }, {
    functionName: name,
    functionVersion: ctx.optString(d, 'functionVersion', path),
    role,
    revisionId: ctx.optString(d, 'revisionId', path),
    lastModifiedAt: ctx.optTimestamp(d, 'lastModifiedAt', path),
    vpcId: vpc === undefined ? undefined : ctx.optString(vpc, 'vpcId', vp),
    subnetIds: vpc === undefined ? undefined : ctx.optStringArray(vpc, 'subnetIds', vp),
    securityGroupIds: groups,
  });
}

function rdsUser(env: SubjectEnv, resource: JsonObject, path: string): Readonly<Record<string, string | undefined>> | undefined {
  const { ctx } = env;
  const u = ctx.optObject(resource, 'rdsDbUserDetails', path);
  if (u === undefined) return undefined;
  const up = sub(path, 'rdsDbUserDetails');
  return {
    user: ctx.optString(u, 'user', up),
    application: ctx.optString(u, 'application', up),
    database: ctx.optString(u, 'database', up),
    ssl: ctx.optString(u, 'ssl', up),
    authMethod: ctx.optString(u, 'authMethod', up),
  };
}

/** RDS subjects of `resource` (path `.resource`); empty when neither RDS detail object is present. */
export function rdsSubjects(env: SubjectEnv, resource: JsonObject, path: string): Subject[] {
  const { ctx } = env;
  const out: Subject[] = [];
  const dbUser = rdsUser(env, resource, path);
  const d = ctx.optObject(resource, 'rdsDbInstanceDetails', path);
  if (d !== undefined) {
    const p = sub(path, 'rdsDbInstanceDetails');
    const ident = ctx.optString(d, 'dbInstanceIdentifier', p);
    const arn = ctx.optString(d, 'dbInstanceArn', p);
    const resourceId = ctx.optString(d, 'dbiResourceId', p);
    const id = ident ?? resourceId ?? arn ?? ctx.fail(sub(p, 'dbInstanceIdentifier'), 'a DB instance identifier, resource id or arn', d['dbInstanceIdentifier']);
    const reasons: AiReason[] = [];
    nameReasons('DB instance', ident, reasons);
    out.push(
      otherSubject(env, 'rds-instance', { id, arn, name: ident, tags: readTags(env, d, 'tags', p), reasons }, {
        dbInstanceIdentifier: ident,
        dbClusterIdentifier: ctx.optString(d, 'dbClusterIdentifier', p),
        dbiResourceId: resourceId,
        engine: ctx.optString(d, 'engine', p),
        engineVersion: ctx.optString(d, 'engineVersion', p),
        dbUser,
      }),
    );
  }
  const l = ctx.optObject(resource, 'rdsLimitlessDbDetails', path);
  if (l !== undefined) {
    const p = sub(path, 'rdsLimitlessDbDetails');
    const ident = ctx.optString(l, 'dbShardGroupIdentifier', p);
    const arn = ctx.optString(l, 'dbShardGroupArn', p);
    const resourceId = ctx.optString(l, 'dbShardGroupResourceId', p);
    const id = ident ?? resourceId ?? arn ?? ctx.fail(sub(p, 'dbShardGroupIdentifier'), 'a DB shard group identifier, resource id or arn', l['dbShardGroupIdentifier']);
    out.push(
      otherSubject(env, 'rds-instance', { id, arn, name: ident, tags: readTags(env, l, 'tags', p) }, {
        limitless: true,
        dbShardGroupIdentifier: ident,
        dbShardGroupResourceId: resourceId,
        dbClusterIdentifier: ctx.optString(l, 'dbClusterIdentifier', p),
        engine: ctx.optString(l, 'engine', p),
        engineVersion: ctx.optString(l, 'engineVersion', p),
        dbUser,
      }),
    );
  }
  return out;
}
