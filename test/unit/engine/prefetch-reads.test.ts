/**
 * The reads the EC2 plan needs first, started with the live-tags read before the incident is opened: only for a
 * subject the policy would act on, read-only, into the run's shared reads; a failed read is left for the step.
 * aws-sdk-client-mock on real SDK clients; the real EC2 playbook from the catalogue.
 */
import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../src/aws/clients.js';
import { buildEc2DrillFinding } from '../../../src/drill/ec2-finding.js';
import { prefetchReads } from '../../../src/engine/prefetch-reads.js';
import { RunSharedReads } from '../../../src/engine/shared-reads.js';
import type { Finding } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { held } from '../../support/held-read.js';

const ec2 = mockClient(EC2Client);
const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => {
  ec2.reset();
  asg.reset();
  elb.reset();
});

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ID = 'i-0123456789abcdef0';

function finding(): Finding {
  const raw = buildEc2DrillFinding(
    { InstanceId: ID, VpcId: 'vpc-1', SubnetId: 'subnet-1', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', VpcId: 'vpc-1', SubnetId: 'subnet-1', Groups: [{ GroupId: 'sg-app' }] }], Tags: [] },
    { accountId: ACCOUNT, region: REGION },
  );
  const record = parseRecord(raw, { name: 'prefetch-test' });
  if (record.kind !== 'finding') throw new Error('the drill finding did not parse');
  return record;
}

const policy = (mode: string): ReturnType<typeof parsePolicy> =>
  parsePolicy(`version: 1\ndefaults: { mode: approve }\nrules:\n  - name: gpu\n    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }\n    mode: ${mode}\n`, 'prefetch-policy.yaml');

function clients(): AwsClients {
  const cfg = { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
  return { accountId: ACCOUNT, region: REGION, aws: (ClientClass) => new ClientClass(cfg) };
}

function answerAll(): void {
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', VpcId: 'vpc-1' }] });
  ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
  ec2.on(DescribeInstanceAttributeCommand).resolves({ InstanceId: ID });
  asg.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [{ InstanceId: ID, AutoScalingGroupName: 'gpu-fleet', LifecycleState: 'InService', AvailabilityZone: 'eu-west-1a', HealthStatus: 'HEALTHY', ProtectedFromScaleIn: false }] });
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
}

const args = (mode: string, reads: RunSharedReads, hasIncident = false) => {
  const f = finding();
  return { policy: policy(mode), finding: f, subject: f.subjects[0]!, mode: undefined, modeCeiling: undefined, responderPrincipalArns: [], clients: () => Promise.resolve(clients()), reads, hasIncident: () => Promise.resolve(hasIncident) };
};

describe('prefetchReads', () => {
  it('for a subject the policy contains: the groups, interfaces, membership and evidence reads, answered into the shared reads, nothing changed', async () => {
    answerAll();
    const reads = new RunSharedReads();
    await prefetchReads(args('contain', reads));
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    expect(asg.commandCalls(DescribeAutoScalingInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [ID] });
    expect(ec2.commandCalls(DescribeVolumesCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeIamInstanceProfileAssociationsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeInstanceAttributeCommand).length).toBeGreaterThan(0);
    expect(elb.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(1);
    // Reads only: every command the three clients received is a Describe.
    const names = [...ec2.calls(), ...asg.calls(), ...elb.calls()].map((c) => (c.args[0] as object).constructor.name);
    expect(names.every((n) => n.startsWith('Describe'))).toBe(true);
    expect(await held(reads, `autoscaling:DescribeAutoScalingInstances:${ID}`)).toMatchObject({ AutoScalingGroupName: 'gpu-fleet', LifecycleState: 'InService' });
    expect(await held(reads, 'ec2:isolation-groups:all')).toBeDefined();
  });

  it('for a subject the policy only observes: not one call', async () => {
    answerAll();
    await prefetchReads(args('observe', new RunSharedReads()));
    expect([...ec2.calls(), ...asg.calls(), ...elb.calls()]).toHaveLength(0);
  });

  it('for a subject that has an incident already (a repeat, a newer occurrence): not one call', async () => {
    answerAll();
    await prefetchReads(args('contain', new RunSharedReads(), true));
    expect([...ec2.calls(), ...asg.calls(), ...elb.calls()]).toHaveLength(0);
  });

  it('a read that fails is not kept (the step reads again and meets the error), and the others are', async () => {
    answerAll();
    asg.on(DescribeAutoScalingInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const reads = new RunSharedReads();
    await expect(prefetchReads(args('contain', reads))).resolves.toBeUndefined();
    expect(await held(reads, `autoscaling:DescribeAutoScalingInstances:${ID}`)).toBeUndefined();
    expect(await held(reads, 'ec2:isolation-groups:all')).toBeDefined();
  });
});
