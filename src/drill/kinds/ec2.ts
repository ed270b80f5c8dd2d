/** `drill ec2 <instance-id>`: the instance as EC2 describes it (ENIs, groups, profile, tags). */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { UsageError } from '../../errors.js';
import type { DrillKind } from '../drill-kind.js';
import { ec2DrillResource } from '../ec2-finding.js';

export const ec2Drill: DrillKind = {
  kind: 'ec2',
  idHelp: 'an instance id (i-0123456789abcdef0)',
  defaultType: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  typeResources: ['EC2', 'Runtime'],
  checkId: (id) => (/^i-[0-9a-f]{8,17}$/.test(id) ? undefined : `expected an instance id such as i-0123456789abcdef0, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const ec2 = new EC2Client(ctx.config);
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const instance = out.Reservations?.[0]?.Instances?.[0];
      if (!instance) throw new UsageError(`instance ${id} not found in ${ctx.region}`);
      return ec2DrillResource(instance, ctx.type);
    } finally {
      ec2.destroy();
    }
  },
};
