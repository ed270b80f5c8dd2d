/**
 * The client factory against moto_server: every call is recorded with its request id and outcome, per AwsClients and
 * factory-wide; cross-account clients really act as the assumed role, under a session named after the incident.
 */
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { createClientFactory, type ClientFactory } from '../../src/aws/client-factory.js';
import type { CallRecord } from '../../src/aws/clients.js';
import { TEST_ACCOUNT_ID } from '../support/aws-clients.js';

let moto: MotoServer;
let factory: ClientFactory;
const factoryCalls: CallRecord[] = [];

beforeAll(async () => {
  moto = await startMotoServer();
  factory = createClientFactory({
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    onCall: (c) => factoryCalls.push(c),
    maxAttempts: 1,
  });
});

afterAll(async () => {
  await moto?.stop();
});

describe('client factory on moto', () => {
  it('records every call with its request id, status and input', async () => {
    const clients = await factory.forIncident(TEST_ACCOUNT_ID, 'us-east-1', 'inc-rec-1');
    // The caller identity was resolved once, and recorded.
    expect(factoryCalls.find((c) => c.service === 'sts' && c.operation === 'GetCallerIdentity')).toMatchObject({ httpStatusCode: 200 });
    const mine: CallRecord[] = [];
    clients.callListeners!.push((c) => mine.push(c));

    const regions = await clients.aws(EC2Client).send(new DescribeRegionsCommand({ RegionNames: ['us-east-1'] }));
    expect(regions.Regions?.[0]?.RegionName).toBe('us-east-1');
    expect(mine).toHaveLength(1);
    const rec = mine[0]!;
    expect(rec).toMatchObject({ service: 'ec2', operation: 'DescribeRegions', httpStatusCode: 200, input: { RegionNames: ['us-east-1'] } });
    expect(rec.requestId).toBe(regions.$metadata.requestId);
    expect(rec.requestId).toMatch(/\S{8,}/);
    expect(rec.error).toBeUndefined();
    expect(Date.parse(rec.startedAt)).not.toBeNaN();
    expect(factoryCalls).toContainEqual(rec);

    // A failed call is recorded with the error, and the error still reaches the caller.
    const failure = await clients.aws(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(Error);
    expect(mine[1]).toMatchObject({ service: 'ec2', operation: 'DescribeInstances', error: (failure as Error).name, httpStatusCode: 400 });
    expect(mine[1]!.requestId).toBeTruthy();
  });

  it('keeps per-AwsClients listeners apart', async () => {
    const a = await factory.forIncident(TEST_ACCOUNT_ID, 'us-east-1', 'inc-a');
    const b = await factory.forIncident(TEST_ACCOUNT_ID, 'us-east-1', 'inc-b');
    const seenA: CallRecord[] = [];
    const seenB: CallRecord[] = [];
    a.callListeners!.push((c) => seenA.push(c));
    b.callListeners!.push((c) => seenB.push(c));
    await a.aws(STSClient).send(new GetCallerIdentityCommand({}));
    expect(seenA.map((c) => c.operation)).toEqual(['GetCallerIdentity']);
    expect(seenB).toEqual([]);
  });

  it('acts in another account through the assumed role, with a session named after the incident', async () => {
    const before = factoryCalls.length;
    const member = await factory.forIncident('222222222222', 'us-east-1', 'inc-20261128-cross');
    const assume = factoryCalls.slice(before).find((c) => c.operation === 'AssumeRole');
    expect(assume).toMatchObject({
      service: 'sts',
      httpStatusCode: 200,
      input: { RoleArn: 'arn:aws:iam::222222222222:role/TourniquetResponder', RoleSessionName: 'tourniquet-inc-20261128-cross' },
    });
    expect(assume!.requestId).toBeTruthy();
    const who = await member.aws(STSClient).send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe('222222222222');
    expect(who.Arn).toBe('arn:aws:sts::222222222222:assumed-role/TourniquetResponder/tourniquet-inc-20261128-cross');
  });
});
