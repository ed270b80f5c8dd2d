/**
 * `ec2.preserve-instance`: keep the instance and its volumes from being destroyed while the case is open.
 * ModifyInstanceAttribute, one attribute per call: termination protection on, OS-initiated shutdown → stop,
 * DeleteOnTermination=false on every EBS mapping. Release restores the recorded values.
 *
 * DisableApiStop is deliberately NOT set: it would also block our own later `ec2.stop-instance` until cleared.
 * Spot instances cannot get termination protection: that attribute is skipped and recorded in the output.
 */
import { settleAll } from '../run-limited.js';
import { DescribeInstanceAttributeCommand, ModifyInstanceAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { instanceEbsVolumes, requireInstance, requireSharedInstance, sharedInstanceAttribute } from './ec2-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
});

/** Input of `ec2.preserve-instance`. */
export type PreserveInstanceInput = z.infer<typeof InputSchema>;

export type PreserveInstancePreImage = {
  instanceId: string;
  spot: boolean;
  disableApiTermination: boolean;
  instanceInitiatedShutdownBehavior: string;
  ebs: Array<{ deviceName: string; volumeId: string; deleteOnTermination: boolean }>;
};

export type PreserveInstanceOutput = {
  changed: string[];
  notes: string[];
};

type Current = Omit<PreserveInstancePreImage, 'instanceId'>;

/** The current values, read at once; `shared`: from the run's shared reads (pre-images only). */
async function readCurrent(ctx: BoundActionContext, instanceId: string, shared = false): Promise<Current> {
  const ec2 = ctx.aws(EC2Client);
  const attribute = (name: 'disableApiTermination' | 'instanceInitiatedShutdownBehavior') =>
    shared ? sharedInstanceAttribute(ctx, instanceId, name) : ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: name }));
  const [instance, term, shutdown] = await Promise.all([
    shared ? requireSharedInstance(ctx, instanceId) : requireInstance(ctx, instanceId),
    attribute('disableApiTermination'),
    attribute('instanceInitiatedShutdownBehavior'),
  ]);
  return {
    spot: instance.InstanceLifecycle === 'spot',
    disableApiTermination: term.DisableApiTermination?.Value === true,
    instanceInitiatedShutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
    // DeleteOnTermination comes from DescribeInstances' mappings (always present there).
    ebs: instanceEbsVolumes(instance),
  };
}

async function setTermination(ec2: EC2Client, instanceId: string, value: boolean): Promise<void> {
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: value } }));
}

async function setShutdownBehavior(ec2: EC2Client, instanceId: string, value: string): Promise<void> {
  // The Attribute/Value form is valid for instanceInitiatedShutdownBehavior (API reference) and is also the form
  // moto implements; moto mishandles the `InstanceInitiatedShutdownBehavior: { Value }` form.
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior', Value: value }));
}

async function setDeleteOnTermination(ec2: EC2Client, instanceId: string, devices: Array<{ deviceName: string; value: boolean }>): Promise<void> {
  if (devices.length === 0) return;
  await ec2.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: instanceId,
      BlockDeviceMappings: devices.map((d) => ({ DeviceName: d.deviceName, Ebs: { DeleteOnTermination: d.value } })),
    }),
  );
}

export const preserveInstance = defineAction({
  name: 'ec2.preserve-instance',
  effect: 'contain',
  input: InputSchema,
  description:
    'Prevent evidence destruction: termination protection on, OS-initiated shutdown stops instead of terminating, ' +
    'EBS volumes kept on termination. Does not set stop protection (it would block a later stop). Termination ' +
    'protection does not stop Auto Scaling from terminating the instance and cannot be set on Spot instances.',
  permissions: [
    { actions: ['ec2:DescribeInstances'], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
    {
      actions: ['ec2:DescribeInstanceAttribute', 'ec2:ModifyInstanceAttribute'],
      resources: [ARN.ec2Instance],
      why: 'Read and set termination protection and shutdown behaviour',
    },
    {
      actions: ['ec2:ModifyInstanceAttribute'],
      resources: [ARN.ec2Volume],
      why: 'Set DeleteOnTermination on the block-device mappings',
    },
  ],

  async capture(input, ctx): Promise<PreserveInstancePreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    return { instanceId, ...(await readCurrent(ctx, instanceId, true)) };
  },

  async apply(_input, pre, ctx): Promise<PreserveInstanceOutput> {
    const ec2 = ctx.aws(EC2Client);
    const now = ctx.preImageFresh === true ? pre : await readCurrent(ctx, pre.instanceId);
    const changed: string[] = [];
    const notes: string[] = [];
    const changes: Array<Promise<void>> = [];
    if (now.spot) {
      notes.push('spot instance: termination protection cannot be enabled; other attributes set');
    } else if (!now.disableApiTermination) {
      changes.push(setTermination(ec2, pre.instanceId, true));
      changed.push('disableApiTermination');
    }
    if (now.instanceInitiatedShutdownBehavior !== 'stop') {
      changes.push(setShutdownBehavior(ec2, pre.instanceId, 'stop'));
      changed.push('instanceInitiatedShutdownBehavior');
    }
    const toKeep = now.ebs.filter((v) => v.deleteOnTermination).map((v) => ({ deviceName: v.deviceName, value: false }));
    changes.push(setDeleteOnTermination(ec2, pre.instanceId, toKeep));
    for (const d of toKeep) changed.push(`deleteOnTermination:${d.deviceName}`);
    // One attribute per call and none depends on another: all at once. Any failure fails the step (retried).
    await settleAll(changes);
    return { changed, notes };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    const ec2 = ctx.aws(EC2Client);
    const now = await readCurrent(ctx, pre.instanceId);
    const restored: string[] = [];
    if (!pre.spot && now.disableApiTermination !== pre.disableApiTermination) {
      await setTermination(ec2, pre.instanceId, pre.disableApiTermination);
      restored.push('disableApiTermination');
    }
    if (now.instanceInitiatedShutdownBehavior !== pre.instanceInitiatedShutdownBehavior) {
      await setShutdownBehavior(ec2, pre.instanceId, pre.instanceInitiatedShutdownBehavior);
      restored.push('instanceInitiatedShutdownBehavior');
    }
    const devices = pre.ebs.flatMap((before) => {
      const current = now.ebs.find((v) => v.deviceName === before.deviceName);
      return current !== undefined && current.deleteOnTermination !== before.deleteOnTermination
        ? [{ deviceName: before.deviceName, value: before.deleteOnTermination }]
        : [];
    });
    await setDeleteOnTermination(ec2, pre.instanceId, devices);
    for (const d of devices) restored.push(`deleteOnTermination:${d.deviceName}`);
    return { restored };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const now = await readCurrent(ctx, instanceId);
    const deleting = now.ebs.filter((v) => v.deleteOnTermination).map((v) => v.deviceName);
    const holds = (now.spot || now.disableApiTermination) && now.instanceInitiatedShutdownBehavior === 'stop' && deleting.length === 0;
    return {
      holds,
      detail:
        `disableApiTermination=${now.disableApiTermination}${now.spot ? ' (spot: not settable)' : ''}, ` +
        `instanceInitiatedShutdownBehavior=${now.instanceInitiatedShutdownBehavior}, ` +
        `volumes deleted on termination: ${deleting.length > 0 ? deleting.join(', ') : 'none'}`,
    };
  },
});
