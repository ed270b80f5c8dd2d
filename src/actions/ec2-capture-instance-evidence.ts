/**
 * `ec2.capture-instance-evidence`: reads everything about the instance that containment will change or that an
 * investigator needs (instance, ENIs, volumes, profile association, protective attributes, user data, console
 * output) and stores each API answer in the case evidence. No AWS mutation.
 */
import {
  type DescribeVolumesCommandOutput,
  type Volume,
  DescribeVolumesCommand,
  GetConsoleOutputCommand,
  type InstanceAttributeName,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { sharedRead, type ReadContext } from './action.js';
import { defineAction } from './define-action.js';
import { sharedTargetGroups, sharedTargetRegistrations } from './elbv2-deregister-targets.js';
import { profileAssociationsRequest, sharedProfileAssociations } from './iam-role-lookup.js';
import { describeInstanceRequest, instanceIn, requireSharedInstance, sharedDescribeInstance, sharedDescribeInstanceEnis, sharedInstanceAttribute } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // Also store GetConsoleOutput (default true).
  consoleOutput: z.boolean().optional(),
});

/** Input of `ec2.capture-instance-evidence`. */
export type CaptureInstanceEvidenceInput = z.infer<typeof InputSchema>;

export type CaptureInstanceEvidencePreImage = { instanceId: string; state: string | null };

export type CaptureInstanceEvidenceOutput = {
  instanceId: string;
  state: string | null;
  vpcId: string | null;
  subnetId: string | null;
  enis: Array<{ networkInterfaceId: string; subnetId: string | null; deviceIndex: number | null; groupIds: string[]; privateIp: string | null; publicIp: string | null }>;
  volumes: Array<{ volumeId: string; device: string | null; sizeGiB: number | null; encrypted: boolean }>;
  profileAssociation: { associationId: string; profileArn: string | null; state: string | null } | null;
  /** Evidence artefact names written. */
  evidence: string[];
};

const ATTRIBUTES: readonly InstanceAttributeName[] = [
  'disableApiTermination',
  'disableApiStop',
  'instanceInitiatedShutdownBehavior',
  'userData',
];

async function describeAllVolumes(ec2: EC2Client, request: { Filters: Array<{ Name: string; Values: string[] }> }): Promise<{ volumes: Volume[]; pages: DescribeVolumesCommandOutput[] }> {
  const pages: DescribeVolumesCommandOutput[] = [];
  const volumes: Volume[] = [];
  let nextToken: string | undefined;
  do {
    const res = await ec2.send(new DescribeVolumesCommand({ ...request, NextToken: nextToken }));
    pages.push(res);
    volumes.push(...(res.Volumes ?? []));
    nextToken = res.NextToken;
  } while (nextToken);
  return { volumes, pages };
}

/** Strips the SDK's non-JSON bits while keeping `$metadata.requestId` (it ties the artefact to CloudTrail). */
function asEvidence(api: string, request: unknown, response: unknown): Json {
  return JSON.parse(JSON.stringify({ api, request, response })) as Json;
}

export const captureInstanceEvidence = defineAction({
  name: 'ec2.capture-instance-evidence',
  effect: 'read',
  input: InputSchema,
  description:
    'Store the instance, its network interfaces, volumes, instance-profile association, protective attributes, ' +
    'user data, console output and target-group registrations as case evidence. Reads only. Fails if the instance does not exist.',
  permissions: [
    {
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeVolumes',
        'ec2:DescribeIamInstanceProfileAssociations',
      ],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    {
      actions: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
      why: 'Record which target groups the instance is registered in (Describe calls do not support resource-level permissions)',
    },
    {
      actions: ['ec2:DescribeInstanceAttribute', 'ec2:GetConsoleOutput'],
      resources: [ARN.ec2Instance],
      why: 'Read instance attributes (including user data) and console output as evidence',
    },
  ],

  // The reads that need only the instance id, with the live tags (DescribeInstances): the evidence is then read
  // before anything changes, and its answers are there when the steps take their pre-images. Not the console
  // output (a step option may turn it off) nor the target health (it needs the instance's VPC first).
  async prefetch(ctx) {
    if (ctx.subject.kind !== 'ec2-instance') return;
    const id = ctx.subject.details.instanceId;
    await Promise.all([
      sharedDescribeInstanceEnis(ctx, id),
      sharedVolumes(ctx, id),
      sharedProfileAssociations(ctx, id),
      ...ATTRIBUTES.map((attribute) => sharedInstanceAttribute(ctx, id, attribute)),
      sharedTargetGroups(ctx),
    ]);
  },

  async capture(input, ctx): Promise<CaptureInstanceEvidencePreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const instance = await requireSharedInstance(ctx, instanceId);
    return { instanceId, state: instance.State?.Name ?? null };
  },

  async apply(input, pre, ctx): Promise<CaptureInstanceEvidenceOutput> {
    const ec2 = ctx.aws(EC2Client);
    const id = pre.instanceId;
    const prefix = `ec2/${id}`;
    const written: string[] = [];
    const put = async (name: string, content: Json): Promise<void> => {
      const full = `${prefix}/${name}.json`;
      await ctx.evidence.put(full, content);
      written.push(full);
    };

    // Every read at once: none depends on another. The instance, its ENIs and its attributes are the answers the
    // other steps of this run took their pre-images from (shared reads), so the case holds what they acted on; and
    // an attempt retried after a failed read asks again only for what it does not have yet.
    const eniReq = { Filters: [{ Name: 'attachment.instance-id', Values: [id] }] };
    const volReq = { Filters: [{ Name: 'attachment.instance-id', Values: [id] }] };
    const assocReq = profileAssociationsRequest(id);
    const consoleReq = { InstanceId: id };
    const [instanceRes, eniRes, volRes, assocRes, attributes, consoleRes, targets] = await Promise.all([
      sharedDescribeInstance(ctx, id),
      sharedDescribeInstanceEnis(ctx, id),
      sharedVolumes(ctx, id),
      sharedProfileAssociations(ctx, id),
      Promise.all(ATTRIBUTES.map(async (attribute) => ({ attribute, res: await sharedInstanceAttribute(ctx, id, attribute) }))),
      input.consoleOutput !== false ? sharedRead(ctx, `ec2:GetConsoleOutput:${id}`, () => ec2.send(new GetConsoleOutputCommand(consoleReq))) : Promise.resolve(undefined),
      // Which load balancers sent it traffic (also the pre-image of `elbv2.deregister-targets`, read once per run).
      sharedTargetRegistrations(ctx, id),
    ]);
    const instance = instanceIn(instanceRes, id);
    if (instance === undefined) throw ctx.fail(`instance ${id} does not exist (any more)`);
    const enis = eniRes.enis;
    const volumes = volRes.volumes;
    await put('describe-instances', asEvidence('ec2:DescribeInstances', describeInstanceRequest(id), instanceRes));
    await put('describe-network-interfaces', asEvidence('ec2:DescribeNetworkInterfaces', eniReq, eniRes.pages));
    await put('describe-volumes', asEvidence('ec2:DescribeVolumes', volReq, volRes.pages));
    await put('describe-iam-instance-profile-associations', asEvidence('ec2:DescribeIamInstanceProfileAssociations', assocReq, assocRes));
    for (const { attribute, res } of attributes) {
      await put(`attribute-${attribute}`, asEvidence('ec2:DescribeInstanceAttribute', { InstanceId: id, Attribute: attribute }, res));
    }
    if (consoleRes !== undefined) await put('console-output', asEvidence('ec2:GetConsoleOutput', consoleReq, consoleRes));
    await put('target-registrations', asEvidence('elasticloadbalancing:DescribeTargetGroups+DescribeTargetHealth', { instanceId: id }, targets));

    const active = (assocRes.IamInstanceProfileAssociations ?? []).find(
      (a) => a.State === 'associated' || a.State === 'associating',
    );
    return {
      instanceId: id,
      state: instance.State?.Name ?? null,
      vpcId: instance.VpcId ?? null,
      subnetId: instance.SubnetId ?? null,
      enis: enis.map((e) => ({
        networkInterfaceId: e.NetworkInterfaceId ?? '',
        subnetId: e.SubnetId ?? null,
        deviceIndex: e.Attachment?.DeviceIndex ?? null,
        groupIds: (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
        privateIp: e.PrivateIpAddress ?? null,
        publicIp: e.Association?.PublicIp ?? null,
      })),
      volumes: volumes.map((v) => ({
        volumeId: v.VolumeId ?? '',
        device: v.Attachments?.find((a) => a.InstanceId === id)?.Device ?? null,
        sizeGiB: v.Size ?? null,
        encrypted: v.Encrypted === true,
      })),
      profileAssociation:
        active?.AssociationId === undefined
          ? null
          : { associationId: active.AssociationId, profileArn: active.IamInstanceProfile?.Arn ?? null, state: active.State ?? null },
      evidence: written,
    };
  },
});

/** The instance's volumes, once per run (evidence; read with the live tags). */
function sharedVolumes(ctx: ReadContext, instanceId: string): ReturnType<typeof describeAllVolumes> {
  return sharedRead(ctx, `ec2:DescribeVolumes:${instanceId}`, () => describeAllVolumes(ctx.aws(EC2Client), { Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
}
