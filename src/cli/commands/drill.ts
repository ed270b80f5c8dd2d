import type { Command } from 'commander';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UsageError } from '../../errors.js';
import { buildEc2DrillFinding } from '../../drill/ec2-finding.js';
import type { ReportExit } from './index.js';
import { printJson } from '../print-safe.js';

/**
 * `tourniquet drill ec2 <instance-id>`: prints a GuardDuty-format finding for a real instance (game days, trying the
 * engine on your own sandbox). The finding is marked as a drill in its title and additionalInfo.
 */
export function registerDrillCommand(program: Command, exit: ReportExit): void {
  program
    .command('drill')
    .description('print a synthetic GuardDuty finding (a drill) for a real EC2 instance, to feed to plan/respond')
    .argument('<kind>', 'resource kind: ec2')
    .argument('<id>', 'instance id')
    .option('--type <type>', 'finding type', 'CryptoCurrency:EC2/BitcoinTool.B!DNS')
    .option('--severity <n>', 'severity 1.0–10.0', '8')
    .option('--region <region>', 'region (default: $AWS_REGION)')
    .option('--endpoint <url>', 'AWS endpoint (default: $AWS_ENDPOINT_URL)')
    .action(async (kind: string, id: string, flags: { type: string; severity: string; region?: string; endpoint?: string }) => {
      if (kind !== 'ec2') throw new UsageError(`drill supports the kind "ec2" for now, received ${JSON.stringify(kind)}`);
      if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new UsageError(`expected an instance id such as i-0123456789abcdef0, received ${JSON.stringify(id)}`);
      const severity = Number(flags.severity);
      if (!Number.isFinite(severity) || severity < 1 || severity > 10) throw new UsageError(`--severity must be 1.0–10.0, received ${JSON.stringify(flags.severity)}`);
      if (!/^[A-Za-z]+:[A-Za-z0-9]+\/.+$/.test(flags.type)) throw new UsageError(`--type must look like Purpose:Resource/Family…, received ${JSON.stringify(flags.type)}`);
      const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new UsageError('no region: pass --region or set AWS_REGION');
      const endpoint = flags.endpoint ?? process.env.AWS_ENDPOINT_URL;
      const cfg = { region, ...(endpoint ? { endpoint } : {}) };
      const [identity, described] = await Promise.all([
        new STSClient(cfg).send(new GetCallerIdentityCommand({})),
        new EC2Client(cfg).send(new DescribeInstancesCommand({ InstanceIds: [id] })),
      ]);
      const instance = described.Reservations?.[0]?.Instances?.[0];
      if (!instance) throw new UsageError(`instance ${id} not found in ${region}`);
      const finding = buildEc2DrillFinding(instance, { accountId: identity.Account ?? '000000000000', region, type: flags.type, severity });
      printJson(finding);
      exit(0);
    });
}
