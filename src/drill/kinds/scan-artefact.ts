/**
 * `drill snapshot <snap-id>` / `drill ami <ami-id>`: a Malware Protection finding about a real EBS snapshot or AMI
 * (`Execution:EC2/MaliciousFile!Snapshot` / `!AMI`), as an on-demand or backup scan raises.
 */
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { UsageError } from '../../errors.js';
import { partitionOf } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const snapshotDrill: DrillKind = {
  kind: 'snapshot',
  idHelp: 'an EBS snapshot id (snap-…)',
  defaultType: 'Execution:EC2/MaliciousFile!Snapshot',
  typeResources: ['EC2'],
  checkId: (id) => (/^snap-[0-9a-f]{8,17}$/.test(id) ? undefined : `expected a snapshot id such as snap-0123456789abcdef0, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const ec2 = new EC2Client(ctx.config);
    try {
      const snap = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
      if (snap === undefined) throw new UsageError(`snapshot ${id} not found in ${ctx.region}`);
      return {
        label: id,
        resource: { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: `arn:${partitionOf(ctx.region)}:ec2:${ctx.region}::snapshot/${id}` } },
        resourceRole: 'TARGET',
        featureName: 'MalwareProtection',
      };
    } finally {
      ec2.destroy();
    }
  },
};

export const amiDrill: DrillKind = {
  kind: 'ami',
  idHelp: 'an AMI id (ami-…)',
  defaultType: 'Execution:EC2/MaliciousFile!AMI',
  typeResources: ['EC2'],
  checkId: (id) => (/^ami-[0-9a-f]{8,17}$/.test(id) ? undefined : `expected an AMI id such as ami-0123456789abcdef0, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const ec2 = new EC2Client(ctx.config);
    try {
      const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0];
      if (image === undefined) throw new UsageError(`AMI ${id} not found in ${ctx.region}`);
      return {
        label: id,
        resource: { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: `arn:${partitionOf(ctx.region)}:ec2:${ctx.region}::image/${id}` } },
        resourceRole: 'TARGET',
        featureName: 'MalwareProtection',
      };
    } finally {
      ec2.destroy();
    }
  },
};
