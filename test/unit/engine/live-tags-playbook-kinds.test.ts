/**
 * Live tags for the Lambda, RDS and scan-artefact kinds: read from AWS (GetFunction, DescribeDBInstances,
 * DescribeSnapshots / DescribeImages) so an exemption tag added since the finding counts; a recovery point that is
 * not an EC2 artefact has no reader (the finding's tags without the exemption tag are used, towards containment).
 */
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { LIVE_TAG_PERMISSIONS, readLiveTags, type LiveTagsDeps } from '../../../src/engine/live-tags.js';
import type { Subject } from '../../../src/findings/model.js';
import { ACCOUNT, REGION, mockClients } from '../actions/action-fixtures.js';

const lambda = mockClient(LambdaClient);
const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
afterEach(() => {
  lambda.reset();
  rds.reset();
  ec2.reset();
});

const KEY = 'tourniquet:exempt';
const deps: LiveTagsDeps = { exemptTagKey: KEY, observeOnly: false, clients: () => Promise.resolve(mockClients()), isTransient: isTransientAwsError, retry: { baseDelayMs: 1, maxDelayMs: 2 } };
const base = { accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: false, reasons: [] } };

describe('live tags of the Lambda, RDS and scan-artefact kinds', () => {
  it('a function: GetFunction’s tags', async () => {
    lambda.on(GetFunctionCommand, { FunctionName: 'agent-tool' }).resolves({ Tags: { [KEY]: 'true', team: 'ml' } });
    const s: Subject = { ...base, kind: 'lambda-function', id: 'arn', details: { functionName: 'agent-tool', securityGroupIds: [] } };
    expect(await readLiveTags(s, deps)).toEqual({ source: 'live', read: 'lambda:GetFunction', tags: [{ key: KEY, value: 'true' }, { key: 'team', value: 'ml' }] });
  });

  it('a DB instance: DescribeDBInstances’ TagList; a limitless shard group has no reader', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'ledger-db' }).resolves({ DBInstances: [{ TagList: [{ Key: KEY, Value: 'true' }] }] });
    const s: Subject = { ...base, kind: 'rds-instance', id: 'ledger-db', details: { dbInstanceIdentifier: 'ledger-db' } };
    expect(await readLiveTags(s, deps)).toEqual({ source: 'live', read: 'rds:DescribeDBInstances', tags: [{ key: KEY, value: 'true' }] });
    const shard: Subject = { ...base, kind: 'rds-instance', id: 'shards', tags: [{ key: KEY, value: 'true' }], details: { limitless: true, dbShardGroupIdentifier: 'shards' } };
    expect(await readLiveTags(shard, deps)).toMatchObject({ source: 'finding', why: 'no-reader', tags: [] });
  });

  it('a snapshot, an AMI, and a recovery point that is one; a snapshot that no longer exists is a failed read', async () => {
    ec2.on(DescribeSnapshotsCommand, { SnapshotIds: ['snap-0123456789abcdef0'] }).resolves({ Snapshots: [{ Tags: [{ Key: KEY, Value: 'yes' }] }] });
    ec2.on(DescribeImagesCommand, { ImageIds: ['ami-0123456789abcdef0'] }).resolves({ Images: [{ Tags: [] }] });
    const snapArn = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
    const snap: Subject = { ...base, kind: 'ebs-snapshot', id: 'snap-0123456789abcdef0', details: { snapshotArn: snapArn } };
    expect(await readLiveTags(snap, deps)).toEqual({ source: 'live', read: 'ec2:DescribeSnapshots', tags: [{ key: KEY, value: 'yes' }] });
    const image: Subject = { ...base, kind: 'ec2-image', id: 'ami-0123456789abcdef0', details: { imageArn: `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0` } };
    expect(await readLiveTags(image, deps)).toEqual({ source: 'live', read: 'ec2:DescribeImages', tags: [] });
    const rp: Subject = { ...base, kind: 'recovery-point', id: snapArn, details: { recoveryPointArn: snapArn } };
    expect(await readLiveTags(rp, deps)).toMatchObject({ source: 'live', read: 'ec2:DescribeSnapshots' });
    const s3rp: Subject = { ...base, kind: 'recovery-point', id: 'x', details: { recoveryPointArn: `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:continuous:lake-1` } };
    expect(await readLiveTags(s3rp, deps)).toMatchObject({ source: 'finding', why: 'no-reader' });
    ec2.on(DescribeSnapshotsCommand, { SnapshotIds: ['snap-0123456789abcdef0'] }).resolves({ Snapshots: [] });
    expect(await readLiveTags(snap, deps)).toMatchObject({ source: 'finding', why: 'read-failed' });
  });

  it('the role may make these reads', () => {
    const granted = LIVE_TAG_PERMISSIONS.flatMap((p) => p.actions);
    for (const a of ['lambda:GetFunction', 'rds:DescribeDBInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeImages']) expect(granted).toContain(a);
  });
});
