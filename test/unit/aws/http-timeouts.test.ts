/**
 * Every AWS client Tourniquet makes has a connect and an idle timeout (the SDK's default is none): an endpoint that
 * takes the connection and never answers hung `respond` and `drill` for good (found as a new user, issue 12). The
 * end-to-end proof against such an endpoint is test/reliability/slow/endpoint-no-answer.test.ts (about a minute).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../src/aws/client-factory.js';
import { AWS_HTTP_TIMEOUTS } from '../../../src/aws/http-timeouts.js';

interface HandlerConfig {
  connectionTimeout?: number;
  socketTimeout?: number;
}
/** The options the client's NodeHttpHandler resolved (the SDK keeps them behind a promise until the first call). */
const handlerConfig = async (client: { config: { requestHandler: unknown } }): Promise<HandlerConfig> =>
  (client.config.requestHandler as { configProvider: Promise<HandlerConfig> }).configProvider;

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

describe('AWS clients carry the timeouts', () => {
  it('are bounded and an idle socket is given longer than a connection', () => {
    expect(AWS_HTTP_TIMEOUTS.connectionTimeout).toBeGreaterThan(0);
    expect(AWS_HTTP_TIMEOUTS.socketTimeout).toBeGreaterThan(AWS_HTTP_TIMEOUTS.connectionTimeout);
  });

  it('the factory’s own clients and an incident’s clients', async () => {
    const factory = createClientFactory({ endpoint: 'http://127.0.0.1:1', callerAccountId: '111111111111', credentials });
    const own = factory.own('us-east-1')(S3Client);
    const incident = (await factory.forIncident('111111111111', 'us-east-1', 'inc-1')).aws(EC2Client);
    for (const client of [own, incident]) {
      expect(await handlerConfig(client)).toMatchObject({ connectionTimeout: AWS_HTTP_TIMEOUTS.connectionTimeout, socketTimeout: AWS_HTTP_TIMEOUTS.socketTimeout });
    }
  });
});

describe('a server that takes the connection and never answers', () => {
  let server: Server;
  let port: number;
  const held: Socket[] = [];
  beforeAll(async () => {
    server = createServer((s) => held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a call with the socket timeout (shortened here) fails as a TimeoutError instead of waiting for ever', async () => {
    // The same option the clients get, shortened so the test takes a second; what it proves is that this SDK
    // enforces `socketTimeout` (its `requestTimeout` only logs a warning).
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      maxAttempts: 1,
      requestHandler: { ...AWS_HTTP_TIMEOUTS, socketTimeout: 300 },
    });
    const started = Date.now();
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    sts.destroy();
  });
});
