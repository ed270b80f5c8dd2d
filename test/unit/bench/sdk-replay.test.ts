import { describe, expect, it } from 'vitest';
import { ReplayMissError, SdkRecording } from '../../../bench/support/sdk-replay.js';
import type { AwsClients, SdkClient } from '../../../src/aws/clients.js';

type Handler = (args: { input: object }) => Promise<{ output?: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string; clientName?: string }) => Handler;

/** A client whose one middleware (what the recording or the replay adds) sits in front of `wire`. */
class FakeEc2 {
  middleware: Middleware | undefined;
  readonly middlewareStack = { add: (mw: Middleware) => (this.middleware = mw) };
  constructor(private readonly wire: (op: string, input: Record<string, unknown>) => unknown) {}
  async call(op: string, input: Record<string, unknown>): Promise<unknown> {
    const next: Handler = async (args) => ({ output: this.wire(op, args.input as Record<string, unknown>) });
    return (await this.middleware!(next, { commandName: `${op}Command`, clientName: 'EC2Client' })({ input })).output;
  }
}

function clientsOf(client: FakeEc2): AwsClients {
  return { accountId: '111111111111', region: 'us-east-1', aws: () => client as unknown as SdkClient } as unknown as AwsClients;
}

/** A tiny EC2: two instances (each with an ENI and a tag set) and the VPC's shared isolation group. */
function emulator(): (op: string, input: Record<string, unknown>) => unknown {
  const tags = new Map<string, string>([
    ['i-aaaaaaaaaaaaaaaaa', 'none'],
    ['i-bbbbbbbbbbbbbbbbb', 'none'],
  ]);
  let group: string | undefined;
  return (op, input) => {
    if (op === 'DescribeInstances') {
      const id = (input.InstanceIds as string[])[0]!;
      return { Instances: [{ InstanceId: id, VpcId: 'vpc-11111111', Tag: tags.get(id), NetworkInterfaces: [{ NetworkInterfaceId: `eni-${id.slice(2)}` }] }] };
    }
    if (op === 'CreateTags') {
      tags.set((input.Resources as string[])[0]!, String(input.Value));
      return {};
    }
    if (op === 'CreateSecurityGroup') {
      if (group !== undefined) throw Object.assign(new Error('exists'), { name: 'InvalidGroup.Duplicate' });
      group = 'sg-99999999';
      return { GroupId: group };
    }
    if (op === 'DescribeSecurityGroups') return { SecurityGroups: group === undefined ? [] : [{ GroupId: group, VpcId: 'vpc-11111111' }] };
    throw new Error(`unknown ${op}`);
  };
}

const A = 'i-aaaaaaaaaaaaaaaaa';
const B = 'i-bbbbbbbbbbbbbbbbb';

describe('SdkRecording / SdkReplay (bench:burst and bench:contain answer from a recording)', () => {
  it("a read of an instance answers as the instance's own changes stand, whatever the other subjects' progress", async () => {
    const recording = new SdkRecording();
    const rec = new FakeEc2(emulator());
    recording.record(clientsOf(rec)).aws({} as never);
    // Recorded: B is tagged first, then A is read, tagged and read back.
    await rec.call('DescribeInstances', { InstanceIds: [B] });
    await rec.call('CreateTags', { Resources: [B], Value: 'case-b' });
    await rec.call('DescribeInstances', { InstanceIds: [A] });
    await rec.call('CreateTags', { Resources: [A], Value: 'case-a' });
    await rec.call('DescribeInstances', { InstanceIds: [A] });
    await rec.call('DescribeInstances', { InstanceIds: [B] });
    // Replayed in another order: A's read-back comes before B has changed at all, and B's pre-image read after A's
    // change (a global count of changes would answer it with B's tagged state).
    const replay = recording.replay();
    const rep = new FakeEc2(() => {
      throw new Error('a replay must not reach the wire');
    });
    replay.wrap(clientsOf(rep)).aws({} as never);
    const tagOf = (out: unknown): unknown => (out as { Instances: Array<{ Tag: string }> }).Instances[0]!.Tag;
    expect(tagOf(await rep.call('DescribeInstances', { InstanceIds: [A] }))).toBe('none');
    await rep.call('CreateTags', { Resources: [A], Value: 'case-a' });
    expect(tagOf(await rep.call('DescribeInstances', { InstanceIds: [A] }))).toBe('case-a');
    expect(tagOf(await rep.call('DescribeInstances', { InstanceIds: [B] }))).toBe('none');
    await rep.call('CreateTags', { Resources: [B], Value: 'case-b' });
    expect(tagOf(await rep.call('DescribeInstances', { InstanceIds: [B] }))).toBe('case-b');
    expect(replay.misses).toEqual([]);
  });

  it("a shared group: whoever creates it first in the replay gets it, the other the duplicate, and the VPC's groups show it from then on", async () => {
    const recording = new SdkRecording();
    const rec = new FakeEc2(emulator());
    recording.record(clientsOf(rec)).aws({} as never);
    const create = { GroupName: 'isolation-vpc-11111111', VpcId: 'vpc-11111111' };
    const describe = { Filters: [{ Name: 'tag:role', Values: ['isolation'] }] };
    await rec.call('DescribeSecurityGroups', describe);
    await rec.call('CreateSecurityGroup', create);
    await rec.call('CreateSecurityGroup', create).catch(() => undefined);
    await rec.call('DescribeSecurityGroups', describe);
    const replay = recording.replay();
    const rep = new FakeEc2(() => undefined);
    replay.wrap(clientsOf(rep)).aws({} as never);
    const groups = (out: unknown): number => (out as { SecurityGroups: unknown[] }).SecurityGroups.length;
    expect(groups(await rep.call('DescribeSecurityGroups', describe))).toBe(0);
    expect(await rep.call('CreateSecurityGroup', create)).toEqual({ GroupId: 'sg-99999999' });
    await expect(rep.call('CreateSecurityGroup', create)).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
    expect(groups(await rep.call('DescribeSecurityGroups', describe))).toBe(1);
  });

  it('a call never recorded fails loudly, and is listed', async () => {
    const recording = new SdkRecording();
    const rec = new FakeEc2(emulator());
    recording.record(clientsOf(rec)).aws({} as never);
    await rec.call('DescribeInstances', { InstanceIds: [A] });
    const replay = recording.replay();
    const rep = new FakeEc2(() => undefined);
    replay.wrap(clientsOf(rep)).aws({} as never);
    await expect(rep.call('DescribeInstances', { InstanceIds: [B] })).rejects.toBeInstanceOf(ReplayMissError);
    expect(replay.misses).toHaveLength(1);
  });
});
