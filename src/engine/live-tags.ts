/**
 * The exemption tag is read live (issue 7, item 5). A finding carries the resource's tags as they were when GuardDuty
 * produced it: an exemption tag added since (by an administrator, or by an attacker on the box) would be ignored, and
 * one removed since would still exempt. So before the decision, the engine reads the resource's current tags — for an
 * instance with the one DescribeInstances the containment needs anyway; IAM users and roles (ListUserTags /
 * ListRoleTags) and S3 buckets (GetBucketTagging) likewise — and decides on those: the finding's tags alone never
 * exempt nor un-exempt. When the tags cannot be read (an error, an instance that no longer exists, a kind with no
 * reader), the decision uses the finding's tags WITHOUT the exemption tag: failing towards containment, never towards
 * an exemption nobody can confirm. Either way the timeline says which tags were used and why.
 *
 * Not read when the caller or the deployment asked for observe (`--mode observe`, a mode ceiling of observe): nothing
 * can change then, and observe needs no AWS credentials.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describeInstanceRequest, describeInstancesKey } from '../actions/ec2-lookup.js';
import { ListRoleTagsCommand, ListUserTagsCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import type { IamPermission } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { NotFoundError, describeValue } from '../errors.js';
import type { Json, Subject, Tag } from '../findings/model.js';
import type { TimelineEvent } from '../journal/journal.js';
import { RetryExhaustedError, withRetry, type RetryOptions } from './retry.js';
import { PLAYBOOK_KIND_LIVE_TAG_PERMISSIONS, playbookKindReader } from './live-tags-playbook-kinds.js';
import { PROFILE_ROLES_PERMISSIONS } from './profile-roles.js';

export interface LiveTagsDeps {
  /** The exemption tag's key (the policy's `guardrails.exemptTag.key`). */
  readonly exemptTagKey: string;
  /** The caller or the deployment capped the mode at observe: do not read. */
  readonly observeOnly: boolean;
  readonly clients: () => Promise<AwsClients>;
  readonly isTransient: (err: unknown) => boolean;
  readonly retry?: RetryOptions;
}

export type LiveTags =
  | {
      readonly source: 'live';
      readonly tags: readonly Tag[];
      readonly read: string;
      /** The API answer, when the containment needs that very read too (an instance's DescribeInstances). */
      readonly answer?: { readonly key: string; readonly value: unknown };
    }
  | {
      readonly source: 'finding';
      /** The finding's tags without the exemption tag. */
      readonly tags: readonly Tag[];
      readonly why: 'read-failed' | 'no-reader' | 'observe';
      readonly detail: string;
      /** The finding's exemption tag(s), not used. */
      readonly dropped: readonly Tag[];
    };

type Reader = {
  readonly read: string;
  readonly tags: (clients: AwsClients) => Promise<Tag[]>;
  /** Instead of `tags`: the tags and the answer they came from, under its shared-reads key. */
  readonly tagsAndAnswer?: (clients: AwsClients) => Promise<{ tags: Tag[]; answer: { key: string; value: unknown } }>;
};

export async function readLiveTags(subject: Subject, deps: LiveTagsDeps): Promise<LiveTags> {
  const fromFinding = (why: 'read-failed' | 'no-reader' | 'observe', detail: string): LiveTags => ({
    source: 'finding',
    tags: subject.tags.filter((t) => t.key !== deps.exemptTagKey),
    why,
    detail,
    dropped: subject.tags.filter((t) => t.key === deps.exemptTagKey),
  });
  if (deps.observeOnly) return fromFinding('observe', 'observe was requested: nothing can change, so the tags were not read live');
  const reader = readerFor(subject);
  if (reader === undefined) return fromFinding('no-reader', `no live tag reader for a ${subject.kind}`);
  try {
    const clients = await deps.clients();
    const { tagsAndAnswer } = reader;
    if (tagsAndAnswer !== undefined) {
      const { value } = await withRetry(() => tagsAndAnswer(clients), deps.isTransient, deps.retry);
      return { source: 'live', tags: value.tags, read: reader.read, answer: value.answer };
    }
    const { value } = await withRetry(() => reader.tags(clients), deps.isTransient, deps.retry);
    return { source: 'live', tags: value, read: reader.read };
  } catch (err) {
    const cause = err instanceof RetryExhaustedError ? err.lastError : err;
    const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return fromFinding('read-failed', `${reader.read} failed (${message})`);
  }
}

/** The subject as the decision sees it: its tags replaced by the ones `readLiveTags` settled on. */
export function withLiveTags(subject: Subject, live: LiveTags): Subject {
  return { ...subject, tags: [...live.tags] };
}

/** The timeline entry: which tags the decision used, and why (recorded before the decision, at `at`). */
export function liveTagsEvent(subject: Subject, live: LiveTags, exemptTagKey: string, at: Date): TimelineEvent {
  const shown = (tags: readonly Tag[]): string => tags.map((t) => `${t.key.slice(0, 128)}=${describeValue(t.value).replace(/^string /, '')}`).join(', ') || '(none)';
  const data = { source: live.source, tags: live.tags.map((t) => ({ key: t.key, value: t.value })), findingTags: subject.tags.map((t) => ({ key: t.key, value: t.value })) } as unknown as Json;
  if (live.source === 'live') {
    const before = subject.tags.find((t) => t.key === exemptTagKey);
    const now = live.tags.find((t) => t.key === exemptTagKey);
    const change = before?.value === now?.value ? '' : `; ${exemptTagKey} was ${before ? describeValue(before.value) : 'absent'} in the finding, ${now ? describeValue(now.value) : 'absent'} now: the live value counts`;
    return { at: at.toISOString(), type: 'tags.live', message: `read live (${live.read}): ${shown(live.tags)}${change}`, data };
  }
  const dropped = live.dropped.length ? `; the finding's ${exemptTagKey}=${describeValue(live.dropped[0]!.value).replace(/^string /, '')} is not used` : '';
  return {
    at: at.toISOString(),
    type: live.why === 'read-failed' ? 'tags.read-failed' : 'tags.not-live',
    message: `${live.detail}: deciding on the finding's tags${dropped}: ${shown(live.tags)}`,
    data,
  };
}

function readerFor(subject: Subject): Reader | undefined {
  const d = subject.details as Readonly<Record<string, unknown>>;
  const str = (k: string): string | undefined => (typeof d[k] === 'string' && d[k] !== '' ? (d[k] as string) : undefined);
  switch (subject.kind) {
    case 'ec2-instance':
      return {
        read: 'ec2:DescribeInstances',
        tags: async (c) => (await instanceTags(c, subject.id)).tags,
        tagsAndAnswer: (c) => instanceTags(c, subject.id),
      };
    case 'iam-user': {
      const user = str('userName');
      return user === undefined ? undefined : { read: 'iam:ListUserTags', tags: (c) => userTags(c.aws(IAMClient), user) };
    }
    case 'iam-role-session': {
      const role = str('roleName');
      return role === undefined ? undefined : { read: 'iam:ListRoleTags', tags: (c) => roleTags(c.aws(IAMClient), role) };
    }
    case 'access-key': {
      // The key's principal: a user's tags, or (for a session's temporary key) its role's.
      const name = str('userName');
      if (name === undefined) return undefined;
      if (d['userType'] === 'IAMUser') return { read: 'iam:ListUserTags', tags: (c) => userTags(c.aws(IAMClient), name) };
      if (d['userType'] === 'AssumedRole') return { read: 'iam:ListRoleTags', tags: (c) => roleTags(c.aws(IAMClient), name) };
      return undefined;
    }
    case 's3-bucket':
      return { read: 's3:GetBucketTagging', tags: (c) => bucketTags(c, subject.id) };
    default:
      return playbookKindReader(subject);
  }
}

/** The instance's tags, and the answer: the containment's steps take their pre-images from that same answer. */
async function instanceTags(c: AwsClients, instanceId: string): Promise<{ tags: Tag[]; answer: { key: string; value: unknown } }> {
  let out;
  try {
    // A filter, not InstanceIds: an instance that no longer exists is an empty answer, reported below.
    out = await c.aws(EC2Client).send(new DescribeInstancesCommand(describeInstanceRequest(instanceId)));
  } catch (err) {
    throw wrapAwsError('ec2', 'DescribeInstances', err);
  }
  const instance = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (instance === undefined) throw new NotFoundError(`instance in ${c.accountId}/${c.region}`, instanceId);
  const tags = (instance.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ key: t.Key, value: t.Value ?? '' }]));
  return { tags, answer: { key: describeInstancesKey(instanceId), value: out } };
}

function userTags(iam: IAMClient, userName: string): Promise<Tag[]> {
  return iamTags('ListUserTags', (marker) => iam.send(new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) })));
}

function roleTags(iam: IAMClient, roleName: string): Promise<Tag[]> {
  return iamTags('ListRoleTags', (marker) => iam.send(new ListRoleTagsCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) })));
}

/** Every page of an IAM List*Tags call (Marker / IsTruncated paging). */
async function iamTags(
  operation: string,
  page: (marker: string | undefined) => Promise<{ Tags?: Array<{ Key?: string; Value?: string }>; IsTruncated?: boolean; Marker?: string }>,
): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    let out;
    try {
      out = await page(marker);
    } catch (err) {
      throw wrapAwsError('iam', operation, err);
    }
    for (const t of out.Tags ?? []) if (t.Key !== undefined) tags.push({ key: t.Key, value: t.Value ?? '' });
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return tags;
}

async function bucketTags(c: AwsClients, bucket: string): Promise<Tag[]> {
  try {
    const out = await c.aws(S3Client).send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return (out.TagSet ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ key: t.Key, value: t.Value ?? '' }]));
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchTagSet') return []; // a bucket with no tags answers with this error
    throw wrapAwsError('s3', 'GetBucketTagging', err);
  }
}

/** The reads above, for the responder's role (merged into the generated policy by infra/program.ts). */
export const LIVE_TAG_PERMISSIONS: readonly IamPermission[] = [
  { actions: ['ec2:DescribeInstances'], resources: ['*'], why: 'live tags: the instance\'s current tags (exemption tag) before deciding; Describe calls do not support resource-level permissions' },
  { actions: ['iam:ListUserTags'], resources: ['arn:${Partition}:iam::${Account}:user/*'], why: 'live tags: a user\'s current tags before deciding' },
  { actions: ['iam:ListRoleTags'], resources: ['arn:${Partition}:iam::${Account}:role/*'], why: 'live tags: a role\'s current tags before deciding' },
  { actions: ['s3:GetBucketTagging'], resources: ['arn:${Partition}:s3:::*'], why: 'live tags: a bucket\'s current tags before deciding' },
  ...PLAYBOOK_KIND_LIVE_TAG_PERMISSIONS,
  ...PROFILE_ROLES_PERMISSIONS,
];
