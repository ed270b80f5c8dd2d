import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { liveTagsEvent, readLiveTags, withLiveTags, type LiveTagsDeps } from '../../../src/engine/live-tags.js';
import type { Subject } from '../../../src/findings/model.js';
import { INSTANCE_ID, instanceSubject, mockClients } from '../actions/action-fixtures.js';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
afterEach(() => {
  ec2.reset();
  iam.reset();
});

const KEY = 'tourniquet:exempt';
const deps = (over: Partial<LiveTagsDeps> = {}): LiveTagsDeps => ({
  exemptTagKey: KEY,
  observeOnly: false,
  clients: () => Promise.resolve(mockClients()),
  isTransient: isTransientAwsError,
  retry: { baseDelayMs: 1, maxDelayMs: 2 },
  ...over,
});
const throttled = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

describe('readLiveTags', () => {
  it('an instance: one DescribeInstances by filter; the live tags replace the finding\'s', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID, Tags: [{ Key: KEY, Value: 'true' }] }] }] });
    const subject = { ...instanceSubject(), tags: [{ key: 'team', value: 'ml' }] };
    const live = await readLiveTags(subject, deps());
    expect(live).toMatchObject({ source: 'live', read: 'ec2:DescribeInstances', tags: [{ key: KEY, value: 'true' }] });
    // The answer itself, under the key the containment's steps look it up by: they take their pre-images from it.
    expect(live).toHaveProperty('answer.key', `ec2:DescribeInstances:${INSTANCE_ID}`);
    expect(live).toHaveProperty('answer.value.Reservations.0.Instances.0.InstanceId', INSTANCE_ID);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([{ Filters: [{ Name: 'instance-id', Values: [INSTANCE_ID] }] }]);
    expect(withLiveTags(subject, live).tags).toEqual([{ key: KEY, value: 'true' }]);
  });

  it('retries a throttled read; an instance that no longer exists is a failed read', async () => {
    ec2.on(DescribeInstancesCommand).rejectsOnce(throttled()).resolves({ Reservations: [] });
    const subject = { ...instanceSubject(), tags: [{ key: KEY, value: 'TRUE' }, { key: 'team', value: 'ml' }] };
    const live = await readLiveTags(subject, deps());
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
    expect(live).toMatchObject({ source: 'finding', why: 'read-failed', tags: [{ key: 'team', value: 'ml' }], dropped: [{ key: KEY, value: 'TRUE' }] });
    expect((live as { detail: string }).detail).toMatch(/^ec2:DescribeInstances failed \(NotFoundError: instance in 111122223333\/eu-west-1 not found/);
  });

  it('follows ListUserTags pages', async () => {
    iam.on(ListUserTagsCommand, { UserName: 'u' }).resolves({ Tags: [{ Key: 'a', Value: '1' }], IsTruncated: true, Marker: 'm' });
    iam.on(ListUserTagsCommand, { UserName: 'u', Marker: 'm' }).resolves({ Tags: [{ Key: KEY, Value: 'true' }], IsTruncated: false });
    const subject = { ...instanceSubject(), kind: 'iam-user', id: 'u', details: { userName: 'u' } } as unknown as Subject;
    expect(await readLiveTags(subject, deps())).toEqual({ source: 'live', read: 'iam:ListUserTags', tags: [{ key: 'a', value: '1' }, { key: KEY, value: 'true' }] });
  });

  it('no reader for the kind, or observe requested: the finding\'s tags without the exemption tag, and no call', async () => {
    const k8sUser = { ...instanceSubject(), kind: 'k8s-user', tags: [{ key: KEY, value: 'true' }] } as unknown as Subject;
    expect(await readLiveTags(k8sUser, deps())).toMatchObject({ source: 'finding', why: 'no-reader', tags: [] });
    expect(await readLiveTags({ ...instanceSubject(), tags: [{ key: KEY, value: 'true' }] }, deps({ observeOnly: true }))).toMatchObject({ source: 'finding', why: 'observe', tags: [] });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('liveTagsEvent', () => {
  const at = new Date('2026-11-28T10:00:00Z');
  it('says when the live exemption differs from the finding, with values quoted (escape codes cannot reach a terminal raw)', () => {
    const subject = { ...instanceSubject(), tags: [] };
    const ev = liveTagsEvent(subject, { source: 'live', read: 'ec2:DescribeInstances', tags: [{ key: KEY, value: 'true\u001b[2J' }] }, KEY, at);
    expect(ev).toMatchObject({ at: at.toISOString(), type: 'tags.live' });
    expect(ev.message).toBe('read live (ec2:DescribeInstances): tourniquet:exempt="true\\u001b[2J"; tourniquet:exempt was absent in the finding, string "true\\u001b[2J" now: the live value counts');
  });

  it('a failed read names the dropped exemption tag', () => {
    const subject = { ...instanceSubject(), tags: [{ key: KEY, value: 'true' }] };
    const ev = liveTagsEvent(subject, { source: 'finding', why: 'read-failed', detail: 'ec2:DescribeInstances failed (x)', tags: [], dropped: [{ key: KEY, value: 'true' }] }, KEY, at);
    expect(ev).toMatchObject({ type: 'tags.read-failed', message: 'ec2:DescribeInstances failed (x): deciding on the finding\'s tags; the finding\'s tourniquet:exempt="true" is not used: (none)' });
  });
});
