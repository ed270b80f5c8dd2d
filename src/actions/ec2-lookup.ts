/**
 * Read-only EC2 lookups shared by the instance actions. Every Describe call is filtered (EC2 throttles unfiltered
 * Describe calls in a smaller bucket) and paginated where the API paginates.
 */
import {
  DescribeInstanceAttributeCommand,
  type DescribeInstanceAttributeCommandOutput,
  type DescribeInstancesCommandOutput,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  DescribeSnapshotsCommand,
  EC2Client,
  type Instance,
  type InstanceAttributeName,
  type NetworkInterface,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { sharedRead, type BoundActionContext, type ReadContext } from './action.js';
import { TAG } from './action-support.js';

/** The DescribeInstances request for one instance: a filter (not InstanceIds), so an unknown id is an empty answer. */
export function describeInstanceRequest(instanceId: string): { Filters: Array<{ Name: string; Values: string[] }> } {
  return { Filters: [{ Name: 'instance-id', Values: [instanceId] }] };
}

/** The instance, or undefined when EC2 does not know it. */
export async function findInstance(ec2: EC2Client, instanceId: string): Promise<Instance | undefined> {
  return instanceIn(await ec2.send(new DescribeInstancesCommand(describeInstanceRequest(instanceId))), instanceId);
}

/** The instance in a DescribeInstances answer. */
export function instanceIn(out: DescribeInstancesCommandOutput, instanceId: string): Instance | undefined {
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

/** The shared-reads key of the instance's DescribeInstances answer (the responder seeds it with its live-tags read). */
export function describeInstancesKey(instanceId: string): string {
  return `ec2:DescribeInstances:${instanceId}`;
}

/**
 * The run's one DescribeInstances answer for the instance (see ActionContext.reads): every pre-image of the EC2
 * playbook is taken from it, so they cost one round trip together. Use it for pre-images and identity, not to verify.
 */
export function sharedDescribeInstance(ctx: BoundActionContext, instanceId: string): Promise<DescribeInstancesCommandOutput> {
  return sharedRead(ctx, describeInstancesKey(instanceId), () => ctx.aws(EC2Client).send(new DescribeInstancesCommand(describeInstanceRequest(instanceId))));
}

/** The instance from the run's shared answer; a StepError when it does not exist. */
export async function requireSharedInstance(ctx: BoundActionContext, instanceId: string): Promise<Instance> {
  const instance = instanceIn(await sharedDescribeInstance(ctx, instanceId), instanceId);
  if (instance === undefined) {
    throw ctx.fail(`instance ${instanceId} does not exist in ${ctx.clients.accountId}/${ctx.clients.region}`);
  }
  return instance;
}

/** The run's shared list of the instance's ENIs (pre-images, identity). */
export async function sharedInstanceEnis(ctx: ReadContext, instanceId: string): Promise<NetworkInterface[]> {
  return (await sharedDescribeInstanceEnis(ctx, instanceId)).enis;
}

/** The same with the API's pages (evidence keeps them as answered). */
export function sharedDescribeInstanceEnis(ctx: ReadContext, instanceId: string): Promise<{ enis: NetworkInterface[]; pages: DescribeNetworkInterfacesCommandOutput[] }> {
  return sharedRead(ctx, `ec2:DescribeNetworkInterfaces:${instanceId}`, () => describeInstanceEnis(ctx.aws(EC2Client), instanceId));
}

/** The run's shared DescribeInstanceAttribute answer for one attribute (pre-images, evidence). */
export function sharedInstanceAttribute(ctx: ReadContext, instanceId: string, attribute: InstanceAttributeName): Promise<DescribeInstanceAttributeCommandOutput> {
  return sharedRead(ctx, `ec2:DescribeInstanceAttribute:${instanceId}:${attribute}`, () =>
    ctx.aws(EC2Client).send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: attribute })),
  );
}

/** Every ENI attached to the instance (primary and secondary), ordered by device index, with the API's pages. */
export async function describeInstanceEnis(ec2: EC2Client, instanceId: string): Promise<{ enis: NetworkInterface[]; pages: DescribeNetworkInterfacesCommandOutput[] }> {
  const enis: NetworkInterface[] = [];
  const pages: DescribeNetworkInterfacesCommandOutput[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
        NextToken: nextToken,
      }),
    );
    pages.push(out);
    enis.push(...(out.NetworkInterfaces ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return { enis: enis.sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0)), pages };
}

/** Every ENI attached to the instance (primary and secondary), ordered by device index. */
export async function listInstanceEnis(ec2: EC2Client, instanceId: string): Promise<NetworkInterface[]> {
  return (await describeInstanceEnis(ec2, instanceId)).enis;
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

/** Snapshots this account owns that carry `tourniquet:case=<caseId>` (and were taken of one of `volumeIds`, if given). */
export async function caseSnapshots(ec2: EC2Client, caseId: string, volumeIds?: readonly string[]): Promise<Snapshot[]> {
  if (volumeIds !== undefined && volumeIds.length === 0) return [];
  const snapshots: Snapshot[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${TAG.case}`, Values: [caseId] },
          ...(volumeIds !== undefined ? [{ Name: 'volume-id', Values: [...volumeIds] }] : []),
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
