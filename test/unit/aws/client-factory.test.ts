/** The client factory with mocked STS: same-account vs AssumeRole, session names, caching, endpoint and user agent. */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssumedRoleCache, responderRoleArn, roleSessionName } from '../../../src/aws/assume-role.js';
import { createClientFactory } from '../../../src/aws/client-factory.js';
import type { CallRecord } from '../../../src/aws/clients.js';
import { AwsCallError } from '../../../src/errors.js';

const sts = mockClient(STSClient);
const CALLER = '111111111111';
const MEMBER = '222222222222';
const base = { credentials: { accessKeyId: 'base', secretAccessKey: 'base' } };

function assumed(id: string, expiresInMs = 3600_000) {
  return {
    Credentials: { AccessKeyId: `ASIA${id}`, SecretAccessKey: `secret-${id}`, SessionToken: `token-${id}`, Expiration: new Date(Date.now() + expiresInMs) },
  };
}

let savedEndpoint: string | undefined;
beforeEach(() => {
  sts.reset();
  savedEndpoint = process.env.AWS_ENDPOINT_URL;
  delete process.env.AWS_ENDPOINT_URL;
});
afterEach(() => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

describe('role ARN and session name', () => {
  it('builds the role ARN in the region’s partition, with the account template', () => {
    expect(responderRoleArn(MEMBER, 'us-east-1')).toBe(`arn:aws:iam::${MEMBER}:role/TourniquetResponder`);
    expect(responderRoleArn(MEMBER, 'cn-north-1', 'ir/Responder-{account}')).toBe(`arn:aws-cn:iam::${MEMBER}:role/ir/Responder-${MEMBER}`);
    expect(responderRoleArn(MEMBER, 'us-gov-west-1')).toMatch(/^arn:aws-us-gov:/);
    expect(() => responderRoleArn(MEMBER, 'us-east-1', 'bad name!')).toThrow(/invalid IAM role name/);
  });

  it('restricts the session name to STS’s alphabet and 64 characters', () => {
    expect(roleSessionName('inc-20261128-0123456789ab')).toBe('tourniquet-inc-20261128-0123456789ab');
    expect(roleSessionName('inc/with spaces:and*stars')).toBe('tourniquet-inc-with-spaces-and-stars');
    const long = roleSessionName('x'.repeat(200));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[\w+=,.@-]+$/);
    expect(roleSessionName('a', 'ir-')).toBe('ir-a');
  });
});

describe('createClientFactory', () => {
  it('uses default credentials in the caller’s own account (resolved once via GetCallerIdentity)', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/me` });
    const factory = createClientFactory(base);
    const a = await factory.forIncident(CALLER, 'eu-west-1', 'inc-1');
    const b = await factory.forIncident(CALLER, 'us-east-1', 'inc-2');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(a.region).toBe('eu-west-1');
    expect(await a.aws(EC2Client).config.region()).toBe('eu-west-1');
    expect(await b.aws(IAMClient).config.credentials()).toMatchObject({ accessKeyId: 'base' });
  });

  it('told its own account, asks STS nothing for that account (the Lambda is told it by its role ARN)', async () => {
    const factory = createClientFactory({ ...base, callerAccountId: CALLER });
    const clients = await factory.forIncident(CALLER, 'eu-west-1', 'inc-1');
    expect(await clients.aws(EC2Client).config.credentials()).toMatchObject({ accessKeyId: 'base' });
    expect(sts.calls()).toHaveLength(0);
  });

  it('assumes the responder role in another account, with a session named after the incident', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed('ONE'));
    const factory = createClientFactory({ ...base, callerAccountId: CALLER, externalId: 'ext-1' });
    const clients = await factory.forIncident(MEMBER, 'cn-north-1', 'inc-20261128-abc');
    const call = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(call).toEqual({
      RoleArn: `arn:aws-cn:iam::${MEMBER}:role/TourniquetResponder`,
      RoleSessionName: 'tourniquet-inc-20261128-abc',
      ExternalId: 'ext-1',
    });
    expect(await clients.aws(EC2Client).config.credentials()).toMatchObject({ accessKeyId: 'ASIAONE', sessionToken: 'token-ONE' });
    expect(await clients.aws(S3Client).config.credentials()).toMatchObject({ accessKeyId: 'ASIAONE' });
    expect(clients.accountId).toBe(MEMBER);
  });

  it('caches assumed credentials per role and session until near expiry', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(assumed('A')).resolvesOnce(assumed('B')).resolves(assumed('C'));
    const factory = createClientFactory({ ...base, callerAccountId: CALLER });
    await factory.forIncident(MEMBER, 'us-east-1', 'inc-1');
    await factory.forIncident(MEMBER, 'us-east-1', 'inc-1');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    // Another incident is another session (CloudTrail attribution), so another AssumeRole.
    const other = await factory.forIncident(MEMBER, 'us-east-1', 'inc-2');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(await other.aws(EC2Client).config.credentials()).toMatchObject({ accessKeyId: 'ASIAB' });
  });

  it('refreshes credentials that are about to expire', async () => {
    let now = 1_000_000;
    sts.on(AssumeRoleCommand).callsFake(() => ({
      Credentials: { AccessKeyId: `ASIA${now}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + 3600_000) },
    }));
    const cache = new AssumedRoleCache(() => new STSClient({ region: 'us-east-1', ...base }), () => now);
    const opts = { roleArn: `arn:aws:iam::${MEMBER}:role/R`, sessionName: 'tourniquet-x' };
    expect((await cache.get('us-east-1', opts)).accessKeyId).toBe('ASIA1000000');
    now += 50 * 60_000; // 10 minutes left: still good
    expect((await cache.get('us-east-1', opts)).accessKeyId).toBe('ASIA1000000');
    now += 6 * 60_000; // 4 minutes left: refreshed
    expect((await cache.get('us-east-1', opts)).accessKeyId).toBe(`ASIA${now}`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('fails on a missing role at forIncident, naming the call, and does not cache the failure', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform sts:AssumeRole' }))
      .resolves(assumed('OK'));
    const factory = createClientFactory({ ...base, callerAccountId: CALLER });
    const err = await factory.forIncident(MEMBER, 'us-east-1', 'inc-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ service: 'sts', operation: 'AssumeRole', awsCode: 'AccessDenied', transient: false });
    const clients = await factory.forIncident(MEMBER, 'us-east-1', 'inc-1');
    expect(await clients.aws(EC2Client).config.credentials()).toMatchObject({ accessKeyId: 'ASIAOK' });
  });

  it('honours an explicit endpoint and AWS_ENDPOINT_URL, with path-style S3', async () => {
    const explicit = await createClientFactory({ ...base, callerAccountId: CALLER, endpoint: 'http://127.0.0.1:4566' }).forIncident(CALLER, 'us-east-1', 'i');
    expect(await explicit.aws(EC2Client).config.endpoint!()).toMatchObject({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
    expect(explicit.aws(S3Client).config.forcePathStyle).toBe(true);
    process.env.AWS_ENDPOINT_URL = 'http://localhost:5000';
    const fromEnv = await createClientFactory({ ...base, callerAccountId: CALLER }).forIncident(CALLER, 'us-east-1', 'i');
    expect(await fromEnv.aws(SNSClient).config.endpoint!()).toMatchObject({ hostname: 'localhost', port: 5000 });
    delete process.env.AWS_ENDPOINT_URL;
    const real = await createClientFactory({ ...base, callerAccountId: CALLER }).forIncident(CALLER, 'us-east-1', 'i');
    expect(real.aws(S3Client).config.forcePathStyle).toBe(false);
  });

  it('sets the Tourniquet user agent and the retry settings on every client', async () => {
    const clients = await createClientFactory({ ...base, callerAccountId: CALLER, maxAttempts: 1, retryMode: 'adaptive' }).forIncident(CALLER, 'us-east-1', 'i');
    for (const client of [clients.aws(EC2Client), clients.aws(AutoScalingClient), clients.aws(ElasticLoadBalancingV2Client), clients.aws(IAMClient), clients.aws(STSClient), clients.aws(S3Client), clients.aws(SNSClient)]) {
      expect(client.config.customUserAgent).toEqual([['tourniquet/0.1.0']]);
      expect(await client.config.maxAttempts()).toBe(1);
      expect(client.config.retryMode).toBe('adaptive');
    }
    // Clients are created once per AwsClients.
    expect(clients.aws(EC2Client)).toBe(clients.aws(EC2Client));
  });

  it('builds any SDK client class with the recorder and the rate limiter attached, cached per class', async () => {
    const calls: CallRecord[] = [];
    const taken: Array<[string, string]> = [];
    const rateLimiter = { take: (scope: string, service: string) => (taken.push([scope, service]), Promise.resolve()) };
    const clients = await createClientFactory({ ...base, callerAccountId: CALLER, onCall: (c) => calls.push(c), rateLimiter }).forIncident(CALLER, 'eu-west-1', 'i');
    const client = clients.aws(SecretsManagerClient);
    expect(clients.aws(SecretsManagerClient)).toBe(client);
    expect(client.config.customUserAgent).toEqual([['tourniquet/0.1.0']]);
    // Answered before the HTTP layer (aws-sdk-client-mock would bypass the middleware under test), after the rate
    // limiter, which takes its token inside the retry loop, just before signing.
    client.middlewareStack.add(() => () => Promise.resolve({ output: { SecretString: 'x', $metadata: { requestId: 'req-1', httpStatusCode: 200 } }, response: {} }), { step: 'finalizeRequest', priority: 'low', name: 'testAnswer' });
    await client.send(new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:s' }));
    expect(calls.map((c) => [c.service, c.operation, c.requestId])).toEqual([['secretsmanager', 'GetSecretValue', 'req-1']]);
    expect(taken).toEqual([[`${CALLER}|eu-west-1`, 'secretsmanager']]);
  });

  it('rejects malformed account ids and regions', async () => {
    const factory = createClientFactory({ ...base, callerAccountId: CALLER });
    await expect(factory.forIncident('12345', 'us-east-1', 'i')).rejects.toThrow(/12 digits/);
    await expect(factory.forIncident(CALLER, 'us-east-1; rm -rf', 'i')).rejects.toThrow(/not an AWS region/);
  });
});
