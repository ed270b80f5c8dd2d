/**
 * The s3-bucket and s3-object plans (pure), the deny statement's merge and removal, and which scan results become
 * findings: clean objects never get a plan.
 */
import { describe, expect, it } from 'vitest';
import { denySid, denyStatement, mergeStatement, removeStatement } from '../../../src/actions/s3-deny-principal-statement.js';
import { scanResultFinding } from '../../../src/findings/scan-result-finding.js';
import { s3BucketPlaybook } from '../../../src/playbooks/s3-bucket.js';
import { s3ObjectPlaybook } from '../../../src/playbooks/s3-object.js';
import { denyTargetOf } from '../../../src/playbooks/s3-deny-target.js';
import { bucketFinding, objectFinding, scanResult } from '../../support/s3-findings.js';

const bucketPlan = (f: ReturnType<typeof bucketFinding>, options: unknown = {}) => s3BucketPlaybook.plan(f, f.subjects.find((s) => s.kind === 's3-bucket')!, options);

describe('s3-bucket plan', () => {
  it('all steps, the deny naming the principal id (the tightest key)', () => {
    const f = bucketFinding({ bucket: 'b-1', accessKey: { accessKeyId: 'AKIA3XFRBF23EXAMPLE1', principalId: 'AIDA3XFRBF23EXAMPLE01', userName: 'u', userType: 'IAMUser' }, remoteIp: '81.2.69.144' });
    const plan = bucketPlan(f);
    expect(plan.steps.map((s) => [s.id, s.effect, s.reversible])).toEqual([
      ['capture-config', 'read', false],
      ['block-public-access', 'contain', true],
      ['disable-acls', 'contain', true],
      ['deny-principal', 'contain', true],
      ['enable-versioning', 'contain', true],
    ]);
    expect(plan.steps.find((s) => s.id === 'deny-principal')!.input).toEqual({ bucket: 'b-1', target: { kind: 'userid', value: 'AIDA3XFRBF23EXAMPLE01' } });
  });

  it('deny target: user ARN when only the name is known, the public IP when only that, none for a private IP or an AWS service', () => {
    expect(denyTargetOf(bucketFinding({ bucket: 'b', accessKey: { accessKeyId: 'AKIA3XFRBF23EXAMPLE1', principalId: 'GeneratedFindingPrincipalId', userName: 'bob', userType: 'IAMUser' } }))).toEqual({
      kind: 'principal-arn',
      value: 'arn:aws:iam::123456789012:user/bob',
    });
    expect(denyTargetOf(bucketFinding({ bucket: 'b', remoteIp: '81.2.69.144' }))).toEqual({ kind: 'source-ip', value: '81.2.69.144' });
    expect(denyTargetOf(bucketFinding({ bucket: 'b', remoteIp: '10.0.0.5' }))).toBeUndefined();
    expect(denyTargetOf(bucketFinding({ bucket: 'b', remoteIp: '127.0.0.1' }))).toBeUndefined();
    // A drill's outside caller (RFC 5737): the plan a real finding gets.
    expect(denyTargetOf(bucketFinding({ bucket: 'b', remoteIp: '198.51.100.77' }))).toEqual({ kind: 'source-ip', value: '198.51.100.77' });
    expect(denyTargetOf(bucketFinding({ bucket: 'b', accessKey: { accessKeyId: 'x', principalId: 'AIDA3XFRBF23EXAMPLE01', userType: 'AWSService' } }))).toBeUndefined();
    expect(bucketPlan(bucketFinding({ bucket: 'b' })).steps.map((s) => s.id)).not.toContain('deny-principal');
  });

  it('options leave steps out; a malware (Object:) finding only records the bucket configuration', () => {
    expect(bucketPlan(bucketFinding({ bucket: 'b' }), { blockPublicAccess: false, disableAcls: false, enableVersioning: false }).steps.map((s) => s.id)).toEqual(['capture-config']);
    const f = objectFinding({ bucket: 'b', key: 'k.pkl', versionId: 'v1' });
    expect(bucketPlan(f).steps.map((s) => s.id)).toEqual(['capture-config']);
  });
});

describe('s3-object plan', () => {
  const objectPlan = (f: ReturnType<typeof objectFinding>, options: unknown = {}) => s3ObjectPlaybook.plan(f, f.subjects.find((s) => s.kind === 's3-object')!, options);

  it('versioned (a version id): capture, tag, delete marker; nothing destructive', () => {
    const plan = objectPlan(objectFinding({ bucket: 'b', key: 'm.pkl', versionId: 'v1', eTag: 'abc' }), { evidenceMaxBytes: 10 });
    expect(plan.steps.map((s) => [s.id, s.effect])).toEqual([
      ['capture-object', 'read'],
      ['tag-object', 'contain'],
      ['hide-object', 'contain'],
    ]);
    expect(plan.steps[0]!.input).toEqual({ bucket: 'b', key: 'm.pkl', versionId: 'v1', eTag: 'abc', maxBytes: 10 });
  });

  it('unversioned (no version id, or "null"): the move to quarantine is destructive and needs the evidence copy', () => {
    for (const versionId of [undefined, 'null']) {
      const plan = objectPlan(objectFinding({ bucket: 'b', key: 'm.pkl', ...(versionId !== undefined ? { versionId } : {}) }));
      const q = plan.steps.find((s) => s.id === 'quarantine-object')!;
      expect(q.effect).toBe('destructive');
      expect(q.requiresSuccessOf).toEqual(['capture-object']);
      expect(plan.steps.map((s) => s.id)).not.toContain('hide-object');
    }
  });

  it('an object named by a finding that is not Object:* gets no steps', () => {
    const f = objectFinding({ bucket: 'b', key: 'm.pkl' });
    const other = { ...f, type: { ...f.type, raw: 'Exfiltration:S3/AnomalousBehavior', threatPurpose: 'Exfiltration' } };
    expect(objectPlan(other).steps).toEqual([]);
  });
});

describe('scan results', () => {
  it('only THREATS_FOUND becomes a finding (Object:S3/MaliciousFile, one s3-object subject); clean and failed scans touch nothing', () => {
    for (const status of ['NO_THREATS_FOUND', 'UNSUPPORTED', 'ACCESS_DENIED', 'FAILED']) {
      expect(scanResultFinding(scanResult({ bucket: 'b', key: 'k', status })), status).toBeUndefined();
    }
    const f = scanResultFinding(scanResult({ bucket: 'models', key: 'a/model.pkl', versionId: 'v9', eTag: 'e1', status: 'THREATS_FOUND', id: 'ev-1' }))!;
    expect(f).toMatchObject({ kind: 'finding', id: 'malware-scan-ev-1', severity: 8, sample: false, archived: false });
    expect(f.type.raw).toBe('Object:S3/MaliciousFile');
    expect(f.subjects.map((s) => [s.kind, s.id, s.details])).toEqual([['s3-object', 'models/a/model.pkl', { bucket: 'models', key: 'a/model.pkl', versionId: 'v9', eTag: 'e1', hash: undefined }]]);
    expect(s3ObjectPlaybook.plan(f, f.subjects[0]!).steps.map((s) => s.id)).toEqual(['capture-object', 'tag-object', 'hide-object']);
  });
});

describe('the deny statement in a bucket policy', () => {
  const own = JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'A', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } });
  const deny = denyStatement('b', 'aws', 'case-1', { kind: 'userid', value: 'AIDA3XFRBF23EXAMPLE01' });

  it('is merged next to the statements kept as they are, once (same Sid replaced), and removed back to the original text', () => {
    const merged = mergeStatement(own, deny);
    expect((JSON.parse(merged) as { Statement: unknown[] }).Statement).toEqual([JSON.parse(own).Statement, deny]);
    expect(mergeStatement(merged, deny)).toBe(merged);
    expect(removeStatement(merged, denySid('case-1'), own)).toBe(own);
    expect(removeStatement(own, denySid('case-1'), own)).toBe('unchanged');
  });

  it('with no policy before: a policy of its own, deleted again on release', () => {
    const created = mergeStatement(null, deny);
    expect(removeStatement(created, denySid('case-1'), null)).toBeNull();
  });

  it('never denies without a condition on the attacker', () => {
    for (const target of [
      { kind: 'userid', value: 'AROA3XFRBF23EXAMPLE02:s' },
      { kind: 'principal-arn', value: 'arn:aws:iam::123456789012:user/x' },
      { kind: 'source-ip', value: '81.2.69.144' },
    ] as const) {
      const s = denyStatement('b', 'aws', 'c', target);
      expect(s['Principal']).toBe('*');
      expect(Object.keys(s['Condition'] as object)).toHaveLength(1);
    }
  });
});
