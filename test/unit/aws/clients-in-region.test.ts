/**
 * `AwsClients.inRegion`: the same account's clients in another Region — assumed-role credentials, call recorder and
 * rate limiter shared with the incident's own clients, the limiter keyed by that Region (CloudTrail's 2 requests per
 * second is per account and Region).
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../src/aws/client-factory.js';
import type { CallRecord } from '../../../src/aws/clients.js';
import { DEFAULT_RATE_LIMITS, rateLimitClients, RateLimiter } from '../../../src/engine/rate-limiter.js';
import { TourniquetError } from '../../../src/errors.js';

const sts = mockClient(STSClient);
const CALLER = '111111111111';
const MEMBER = '222222222222';
const base = { credentials: { accessKeyId: 'base', secretAccessKey: 'base' }, callerAccountId: CALLER };

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) } });
});

// A local endpoint answering every CloudTrail call with an empty page, so the SDK's middleware (recorder, limiter) runs.
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{"Events":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('AwsClients.inRegion', () => {
  it('gives a client of the asked Region with the incident’s assumed-role credentials, cached per Region and class', async () => {
    const clients = await createClientFactory(base).forIncident(MEMBER, 'eu-west-1', 'inc-1');
    const there = clients.inRegion!('us-east-1')(CloudTrailClient);
    expect(await there.config.region()).toBe('us-east-1');
    expect(await there.config.credentials()).toMatchObject({ accessKeyId: 'ASIAMEMBER' });
    expect(clients.inRegion!('us-east-1')(CloudTrailClient)).toBe(there);
    // The incident's own Region is the incident's own client.
    expect(clients.inRegion!('eu-west-1')(CloudTrailClient)).toBe(clients.aws(CloudTrailClient));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('refuses a value that is not a Region name', async () => {
    const clients = await createClientFactory(base).forIncident(MEMBER, 'eu-west-1', 'inc-1');
    expect(() => clients.inRegion!('us-east-1/../x')).toThrow(TourniquetError);
  });

  it('records its calls with the incident’s listeners', async () => {
    const seen: CallRecord[] = [];
    const clients = await createClientFactory({ ...base, endpoint }).forIncident(MEMBER, 'eu-west-1', 'inc-1');
    clients.callListeners!.push((c) => seen.push(c));
    await clients.inRegion!('us-east-1')(CloudTrailClient).send(new LookupEventsCommand({}));
    expect(seen.map((c) => `${c.service}:${c.operation}`)).toEqual(['cloudtrail:LookupEvents']);
  });

  it('the engine’s rate limiter covers it, in a bucket of its own Region (LookupEvents: 2 per second)', async () => {
    const scopes: string[] = [];
    const limiter = new RateLimiter();
    const take = limiter.take.bind(limiter);
    limiter.take = (scope, service, call) => {
      scopes.push(`${scope}|${service}`);
      return take(scope, service, call);
    };
    const clients = rateLimitClients(await createClientFactory({ ...base, endpoint }).forIncident(MEMBER, 'eu-west-1', 'inc-1'), limiter);
    await clients.inRegion!('us-east-1')(CloudTrailClient).send(new LookupEventsCommand({}));
    await clients.aws(CloudTrailClient).send(new LookupEventsCommand({}));
    expect(scopes).toEqual([`${MEMBER}|us-east-1|cloudtrail`, `${MEMBER}|eu-west-1|cloudtrail`]);
    expect(DEFAULT_RATE_LIMITS('cloudtrail', 'LookupEvents').spec).toEqual({ ratePerSecond: 1.8, burst: 1 });
  });
});
