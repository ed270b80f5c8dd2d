/**
 * Live tag readers (see live-tags.ts) for the kinds the Lambda, RDS and malware-scan artefact playbooks contain, so
 * an exemption tag on the function, DB instance, snapshot or AMI is read from AWS like an instance's: GetFunction's
 * `Tags`, DescribeDBInstances' `TagList`, DescribeSnapshots' / DescribeImages' `Tags`. The Lambda and RDS SDKs are
 * loaded only when such a subject is decided on. A recovery point that is not an EC2 artefact has no reader.
 */
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { IamPermission } from '../actions/action.js';
import { scannedArtefactOf } from '../actions/ec2-scanned-artefact.js';
import { loadLambda } from '../actions/lambda-sdk.js';
import { loadRds } from '../actions/rds-sdk.js';
import type { AwsClients } from '../aws/clients.js';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import { NotFoundError } from '../errors.js';
import type { Subject, Tag } from '../findings/model.js';

export type PlaybookKindReader = { readonly read: string; readonly tags: (clients: AwsClients) => Promise<Tag[]> };

const pairs = (list: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined): Tag[] =>
  (list ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ key: t.Key, value: t.Value ?? '' }]));

async function functionTags(c: AwsClients, functionName: string): Promise<Tag[]> {
  const sdk = await loadLambda();
  try {
    const out = await c.aws(sdk.LambdaClient).send(new sdk.GetFunctionCommand({ FunctionName: functionName }));
    return Object.entries(out.Tags ?? {}).map(([key, value]) => ({ key, value }));
  } catch (err) {
    throw wrapAwsError('lambda', 'GetFunction', err);
  }
}

async function dbTags(c: AwsClients, id: string): Promise<Tag[]> {
  const sdk = await loadRds();
  try {
    const out = await c.aws(sdk.RDSClient).send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const db = out.DBInstances?.[0];
    if (db === undefined) throw new NotFoundError(`DB instance in ${c.accountId}/${c.region}`, id);
    return pairs(db.TagList);
  } catch (err) {
    if (err instanceof NotFoundError) throw err;
    throw wrapAwsError('rds', 'DescribeDBInstances', err);
  }
}

async function artefactTags(c: AwsClients, kind: 'snapshot' | 'image', id: string): Promise<Tag[]> {
  const ec2 = c.aws(EC2Client);
  let found: { Tags?: Array<{ Key?: string; Value?: string }> } | undefined;
  try {
    found =
      kind === 'snapshot'
        ? (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0]
        : (await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0];
  } catch (err) {
    throw wrapAwsError('ec2', kind === 'snapshot' ? 'DescribeSnapshots' : 'DescribeImages', err);
  }
  if (found === undefined) throw new NotFoundError(`${kind} in ${c.accountId}/${c.region}`, id);
  return pairs(found.Tags);
}

export function playbookKindReader(subject: Subject): PlaybookKindReader | undefined {
  switch (subject.kind) {
    case 'lambda-function': {
      const name = subject.details.functionName ?? subject.arn;
      return name === undefined ? undefined : { read: 'lambda:GetFunction', tags: (c) => functionTags(c, name) };
    }
    case 'rds-instance': {
      const id = subject.details.dbInstanceIdentifier;
      return id === undefined ? undefined : { read: 'rds:DescribeDBInstances', tags: (c) => dbTags(c, id) };
    }
    case 'ebs-snapshot':
    case 'ec2-image':
    case 'recovery-point': {
      const a = scannedArtefactOf(subject);
      if (a === undefined) return undefined;
      return { read: a.kind === 'snapshot' ? 'ec2:DescribeSnapshots' : 'ec2:DescribeImages', tags: (c) => artefactTags(c, a.kind, a.id) };
    }
    default:
      return undefined;
  }
}

/** The reads above, for the responder's role (part of LIVE_TAG_PERMISSIONS). */
export const PLAYBOOK_KIND_LIVE_TAG_PERMISSIONS: readonly IamPermission[] = [
  { actions: ['lambda:GetFunction'], resources: ['arn:${Partition}:lambda:${Region}:${Account}:function:*'], why: 'live tags: a function\'s current tags before deciding' },
  { actions: ['rds:DescribeDBInstances'], resources: ['arn:${Partition}:rds:${Region}:${Account}:db:*'], why: 'live tags: a DB instance\'s current tags before deciding' },
  {
    actions: ['ec2:DescribeSnapshots', 'ec2:DescribeImages'],
    resources: ['*'],
    why: 'live tags: a flagged snapshot\'s or AMI\'s current tags before deciding; Describe calls do not support resource-level permissions',
  },
];
