/**
 * A generated GuardDuty export for triage tests: two gzip JSON Lines objects with duplicates across them, a
 * re-publication (same id, later updatedAt, higher count) and an older occurrence after it, two accounts, one stolen
 * key acting on two buckets, an attack sequence with the finding it correlated, a sample and two corrupt lines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ACCOUNT, finding, instanceDetails, type JsonObj } from '../unit/findings/finding-fixtures.js';

export { ACCOUNT };
export const OTHER_ACCOUNT = '444455556666';
const arnOf = (id: string, account = ACCOUNT): string => `arn:aws:guardduty:us-east-1:${account}:detector/d1/finding/${id}`;

function ec2(id: string, instanceId: string, o: { count: number; updatedAt: string; severity?: number; account?: string; extra?: JsonObj; lastSeen?: string }): JsonObj {
  const account = o.account ?? ACCOUNT;
  const f = finding(
    { id, arn: arnOf(id, account), accountId: account, severity: o.severity ?? 8, updatedAt: o.updatedAt, ...(o.extra ?? {}) },
    { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceId, tags: [] }) },
  );
  const service = f['service'] as JsonObj;
  f['service'] = { ...service, count: o.count, eventLastSeen: o.lastSeen ?? o.updatedAt };
  return f;
}

function s3Exfil(id: string, bucket: string, updatedAt: string): JsonObj {
  return finding(
    { id, arn: arnOf(id), type: 'Exfiltration:S3/AnomalousBehavior', severity: 8, updatedAt },
    {
      resourceType: 'S3Bucket',
      s3BucketDetails: [{ name: bucket, arn: `arn:aws:s3:::${bucket}`, type: 'Destination' }],
      accessKeyDetails: { accessKeyId: 'AKIAEXAMPLESTOLEN001', principalId: 'AIDAEXAMPLEALICE', userName: 'alice', userType: 'IAMUser' },
    },
  );
}

function sequence(id: string, signalFindingId: string): JsonObj {
  const f = finding(
    { id, arn: arnOf(id), type: 'AttackSequence:EC2/CompromisedInstanceGroup', severity: 9, updatedAt: '2026-08-01T12:30:00.000Z' },
    { resourceType: 'AttackSequence' },
  );
  f['service'] = {
    ...(f['service'] as JsonObj),
    count: 1,
    eventLastSeen: '2026-08-01T12:30:00.000Z',
    featureName: 'Correlation',
    detection: { sequence: { uid: 'seq-uid', description: 'd', signals: [{ uid: arnOf(signalFindingId), type: 'FINDING', name: 'x', createdAt: 1, updatedAt: 1, firstSeenAt: 1, lastSeenAt: 1, count: 1 }], resources: [], actors: [], endpoints: [] } },
  };
  return f;
}

const jsonl = (items: readonly (JsonObj | string)[]): string => items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n') + '\n';

/** The export's objects: name → gzip body. */
export function exportObjects(): Array<{ name: string; body: Buffer }> {
  const first = [
    ec2('a1', 'i-0aaa0000000000001', { count: 3, updatedAt: '2026-08-01T10:25:00.000Z' }),
    s3Exfil('k1', 'model-weights', '2026-08-01T11:00:00.000Z'),
    '{not json',
    JSON.stringify({ ...ec2('bad', 'i-0bad0000000000001', { count: 1, updatedAt: '2026-08-01T10:00:00.000Z' }), type: 42 }),
  ];
  const second = [
    // The re-publication: same id, later updatedAt, higher count.
    ec2('a1', 'i-0aaa0000000000001', { count: 7, updatedAt: '2026-08-01T12:00:00.000Z' }),
    // An older occurrence arriving after it: replaced, not kept.
    ec2('a1', 'i-0aaa0000000000001', { count: 2, updatedAt: '2026-08-01T10:10:00.000Z' }),
    s3Exfil('k2', 'training-data', '2026-08-01T11:30:00.000Z'),
    ec2('b1', 'i-0bbb0000000000001', { count: 1, updatedAt: '2026-07-25T12:00:00.000Z', severity: 5, account: OTHER_ACCOUNT }),
    sequence('seq1', 'c1'),
    ec2('c1', 'i-0ccc0000000000001', { count: 41, updatedAt: '2026-08-01T12:20:00.000Z', severity: 6, extra: { associatedAttackSequenceArn: arnOf('seq1') } }),
    ec2('sample1', 'i-99999999', { count: 1, updatedAt: '2026-08-01T12:00:00.000Z' }),
  ];
  return [
    { name: '2026-08-01-a.jsonl.gz', body: gzipSync(jsonl(first)) },
    { name: '2026-08-01-b.jsonl.gz', body: gzipSync(jsonl(second)) },
  ];
}

/** The export written to a new temporary folder; returns the folder. */
export function writeExport(): string {
  const dir = mkdtempSync(join(tmpdir(), 'triage-'));
  for (const o of exportObjects()) writeFileSync(join(dir, o.name), o.body);
  return dir;
}

