/**
 * Malware Protection for EC2 / Backup scanned artefacts: `ebsSnapshotDetails.snapshotArn` → `ebs-snapshot`,
 * `ec2ImageDetails.imageArn` → `ec2-image`, `recoveryPointDetails.recoveryPointArn` → `recovery-point`.
 */
import type { Subject } from '../model.js';
import type { JsonObject } from '../record-context.js';
import { otherSubject, type SubjectEnv } from './subject-env.js';
import { sub } from '../json-path.js';

function lastSegment(arn: string): string {
  const slash = arn.lastIndexOf('/');
  const colon = arn.lastIndexOf(':');
  return arn.slice(Math.max(slash, colon) + 1);
}

export function backupSubjects(env: SubjectEnv, resource: JsonObject, path: string): Subject[] {
  const { ctx } = env;
  const out: Subject[] = [];
  const snap = ctx.optObject(resource, 'ebsSnapshotDetails', path);
  if (snap !== undefined) {
    const arn = ctx.reqString(snap, 'snapshotArn', sub(path, 'ebsSnapshotDetails'));
    out.push(otherSubject(env, 'ebs-snapshot', { id: lastSegment(arn), arn }, { snapshotArn: arn }));
  }
  const image = ctx.optObject(resource, 'ec2ImageDetails', path);
  if (image !== undefined) {
    const arn = ctx.reqString(image, 'imageArn', sub(path, 'ec2ImageDetails'));
    out.push(otherSubject(env, 'ec2-image', { id: lastSegment(arn), arn }, { imageArn: arn }));
  }
  const rp = ctx.optObject(resource, 'recoveryPointDetails', path);
  if (rp !== undefined) {
    const p = sub(path, 'recoveryPointDetails');
    const arn = ctx.reqString(rp, 'recoveryPointArn', p);
    out.push(otherSubject(env, 'recovery-point', { id: arn, arn }, { recoveryPointArn: arn, backupVaultName: ctx.optString(rp, 'backupVaultName', p) }));
  }
  return out;
}
