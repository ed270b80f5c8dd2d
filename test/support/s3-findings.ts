/**
 * GuardDuty S3 findings and Malware Protection scan results for tests, shaped like the samples in
 * /work/shared/samples (Impact-S3-MaliciousIPCaller, MalwareProtection-S3-ObjectScanResult) but real (not
 * `sample: true`, which never mutates anything), naming buckets and objects that exist in moto.
 */
import type { Finding, MalwareScanResult } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';

export interface BucketFindingOptions {
  readonly bucket: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly type?: string;
  readonly id?: string;
  /** accessKeyDetails; omitted when undefined. */
  readonly accessKey?: { accessKeyId: string; principalId?: string; userName?: string; userType: string };
  readonly remoteIp?: string;
}

export function bucketFindingJson(o: BucketFindingOptions): Record<string, unknown> {
  const accountId = o.accountId ?? '123456789012';
  const region = o.region ?? 'us-east-1';
  const id = o.id ?? `s3-${o.bucket}`;
  return {
    schemaVersion: '2.0',
    accountId,
    region,
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:${region}:${accountId}:detector/d1/finding/${id}`,
    type: o.type ?? 'Exfiltration:S3/AnomalousBehavior',
    resource: {
      resourceType: 'S3Bucket',
      ...(o.accessKey !== undefined ? { accessKeyDetails: o.accessKey } : {}),
      s3BucketDetails: [
        {
          name: o.bucket,
          arn: `arn:aws:s3:::${o.bucket}`,
          type: 'Destination',
          owner: { id: 'canonical-owner' },
          publicAccess: { effectivePermission: 'NOT_PUBLIC' },
          tags: [{ key: 'team', value: 'ml' }],
        },
      ],
    },
    service: {
      serviceName: 'guardduty',
      detectorId: 'd1',
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'GetObject',
          serviceName: 's3.amazonaws.com',
          ...(o.remoteIp !== undefined ? { remoteIpDetails: { ipAddressV4: o.remoteIp } } : {}),
        },
      },
      resourceRole: 'TARGET',
      additionalInfo: { sample: false },
      eventFirstSeen: '2026-12-03T07:00:00.000Z',
      eventLastSeen: '2026-12-03T07:10:00.000Z',
      archived: false,
      count: 1,
    },
    severity: 8,
    createdAt: '2026-12-03T07:00:00.000Z',
    updatedAt: '2026-12-03T07:10:00.000Z',
    title: 'test S3 finding',
  };
}

export function bucketFinding(o: BucketFindingOptions): Finding {
  const rec = parseRecord(bucketFindingJson(o), { name: 'test-s3-finding' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

export interface ObjectFindingOptions {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly id?: string;
}

/** `Object:S3/MaliciousFile`: the bucket and one object in `s3ObjectDetails`. */
export function objectFinding(o: ObjectFindingOptions): Finding {
  const json = bucketFindingJson({ bucket: o.bucket, type: 'Object:S3/MaliciousFile', id: o.id ?? `obj-${o.bucket}-${o.key}` });
  const resource = json['resource'] as { s3BucketDetails: Array<Record<string, unknown>> };
  resource.s3BucketDetails[0]!['s3ObjectDetails'] = [
    {
      objectArn: `arn:aws:s3:::${o.bucket}/${o.key}`,
      key: o.key,
      ...(o.versionId !== undefined ? { versionId: o.versionId } : {}),
      ...(o.eTag !== undefined ? { eTag: o.eTag } : {}),
      hash: 'not-checked',
    },
  ];
  (json['service'] as Record<string, unknown>)['action'] = undefined;
  const rec = parseRecord(JSON.parse(JSON.stringify(json)), { name: 'test-object-finding' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

/** A "GuardDuty Malware Protection Object Scan Result" event. */
export function scanResult(o: { bucket: string; key: string; versionId?: string; eTag?: string; status: string; id?: string }): MalwareScanResult {
  const rec = parseRecord(
    {
      version: '0',
      id: o.id ?? `scan-${o.bucket}-${o.key}-${o.status}`,
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
      source: 'aws.guardduty',
      account: '123456789012',
      time: '2026-12-03T07:20:00Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        schemaVersion: '1.0',
        scanStatus: 'COMPLETED',
        resourceType: 'S3_OBJECT',
        s3ObjectDetails: { bucketName: o.bucket, objectKey: o.key, ...(o.eTag !== undefined ? { eTag: o.eTag } : {}), ...(o.versionId !== undefined ? { versionId: o.versionId } : {}) },
        scanResultDetails: { scanResultStatus: o.status, ...(o.status === 'THREATS_FOUND' ? { threats: [{ name: 'Python.Pickle.Exploit' }] } : {}) },
      },
    },
    { name: 'test-scan-result' },
  );
  if (rec.kind !== 'malware-scan-result') throw new Error('not a scan result');
  return rec;
}
