/**
 * Read-only EC2 lookups shared by the instance actions. Every Describe call is filtered (EC2 throttles unfiltered
 * Describe calls in a smaller bucket) and paginated where the API paginates.
 */
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Instance,
  type NetworkInterface,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import type { BoundActionContext } from './action.js';
import { TAG } from './action-support.js';

/** The instance, or undefined when EC2 does not know it. */
export async function findInstance(ec2: EC2Client, instanceId: string): Promise<Instance | undefined> {
  // A filter (not InstanceIds) so an unknown id is an empty answer rather than an InvalidInstanceID.NotFound error.
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  for (const reservation of out.Reservations ?? []) {
    for (const instance of reservation.Instances ?? []) {
      if (instance.InstanceId === instanceId) return instance;
    }
  }
  return undefined;
}

/** The instance; a StepError when it does not exist (nothing to contain, or a wrong id). */
export async function requireInstance(ctx: BoundActionContext, instanceId: string): Promise<Instance> {
  const instance = await findInstance(ctx.aws(EC2Client), instanceId);
  if (instance === undefined) {
    throw ctx.fail(`instance ${instanceId} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
  }
  return instance;
}

/** Every ENI attached to the instance (primary and secondary), ordered by device index. */
export async function listInstanceEnis(ec2: EC2Client, instanceId: string): Promise<NetworkInterface[]> {
  const enis: NetworkInterface[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
        NextToken: nextToken,
      }),
    );
    enis.push(...(out.NetworkInterfaces ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return enis.sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
}

/** EBS volumes attached to the instance, from its block-device mappings: device name → volume id. */
export function instanceEbsVolumes(instance: Instance): Array<{ deviceName: string; volumeId: string; deleteOnTermination: boolean }> {
  const out: Array<{ deviceName: string; volumeId: string; deleteOnTermination: boolean }> = [];
  for (const m of instance.BlockDeviceMappings ?? []) {
    if (m.DeviceName !== undefined && m.Ebs?.VolumeId !== undefined) {
      out.push({ deviceName: m.DeviceName, volumeId: m.Ebs.VolumeId, deleteOnTermination: m.Ebs.DeleteOnTermination === true });
    }
  }
  return out;
}

/** Snapshots this account owns that carry `tourniquet:case=<caseId>` and were taken of one of `volumeIds`. */
export async function caseSnapshots(ec2: EC2Client, caseId: string, volumeIds: readonly string[]): Promise<Snapshot[]> {
  if (volumeIds.length === 0) return [];
  const snapshots: Snapshot[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${TAG.case}`, Values: [caseId] },
          { Name: 'volume-id', Values: [...volumeIds] },
        ],
        NextToken: nextToken,
      }),
    );
    snapshots.push(...(out.Snapshots ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return snapshots;
}

/** The partition of a region (for ARNs built from a region). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}
