/**
 * The EC2 artefact a Malware Protection scan finding names (`Execution:EC2/MaliciousFile!Snapshot|!AMI|!RecoveryPoint`):
 * an EBS snapshot, an AMI, or an AWS Backup recovery point, which for EBS and EC2 backups IS an EBS snapshot or an
 * AMI (its ARN is the snapshot's or the image's). Other recovery points (S3, …) have no EC2 artefact.
 */
import { describeValue } from '../errors.js';
import type { Subject } from '../findings/model.js';
import type { BoundActionContext } from './action.js';

export type ScannedArtefact = { kind: 'snapshot'; id: string } | { kind: 'image'; id: string };

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const IMAGE_ID = /^ami-[0-9a-f]{8,17}$/;
const EC2_ARTEFACT_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{0,12}:(snapshot|image)\/((?:snap|ami)-[0-9a-f]{8,17})$/;

export const EC2_ARTEFACT_ARN_PATTERN = {
  snapshot: 'arn:${Partition}:ec2:${Region}::snapshot/*',
  image: 'arn:${Partition}:ec2:${Region}::image/*',
} as const;

/** The EC2 artefact of a subject, or undefined when it has none (a non-EC2 recovery point, another kind). */
export function scannedArtefactOf(subject: Subject): ScannedArtefact | undefined {
  const arn =
    subject.kind === 'ebs-snapshot' ? subject.details.snapshotArn : subject.kind === 'ec2-image' ? subject.details.imageArn : subject.kind === 'recovery-point' ? subject.details.recoveryPointArn : undefined;
  const m = arn === undefined ? null : EC2_ARTEFACT_ARN.exec(arn);
  if (m === null) return undefined;
  return m[1] === 'snapshot' ? { kind: 'snapshot', id: m[2]! } : { kind: 'image', id: m[2]! };
}

/** The snapshot a step acts on: `input.snapshotId`, else the subject's. */
export function resolveSnapshotId(input: { snapshotId?: string | undefined }, ctx: BoundActionContext): string {
  const a = scannedArtefactOf(ctx.subject);
  const id = input.snapshotId ?? (a?.kind === 'snapshot' ? a.id : undefined);
  if (id === undefined) throw ctx.fail(`no snapshot to act on: the subject is ${describeValue(ctx.subject.kind)} ${describeValue(ctx.subject.id)} and the input has no snapshotId`);
  if (!SNAPSHOT_ID.test(id)) throw ctx.fail(`not an EBS snapshot id: ${describeValue(id)}`);
  return id;
}

/** The image a step acts on: `input.imageId`, else the subject's. */
export function resolveImageId(input: { imageId?: string | undefined }, ctx: BoundActionContext): string {
  const a = scannedArtefactOf(ctx.subject);
  const id = input.imageId ?? (a?.kind === 'image' ? a.id : undefined);
  if (id === undefined) throw ctx.fail(`no image to act on: the subject is ${describeValue(ctx.subject.kind)} ${describeValue(ctx.subject.id)} and the input has no imageId`);
  if (!IMAGE_ID.test(id)) throw ctx.fail(`not an AMI id: ${describeValue(id)}`);
  return id;
}
