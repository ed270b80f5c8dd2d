/**
 * The fault proxy against a small loopback upstream that records what reaches it: classification of AWS requests,
 * forwarding, the AWS-shaped answers, rule selection (first N, limit, seeded probability), resets, and its bounds.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { isTransientAwsError } from '../../../src/aws/transient-error.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../../src/drill/fault-proxy.js';
import { UsageError } from '../../../src/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let upstream: Server;
let upstreamUrl: string;
const seen: Seen[] = [];
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '15', 'x-upstream': 'yes' }).end('upstream answer');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterEach(async () => {
  seen.length = 0;
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await new Promise<void>((r) => upstream.close(() => r()));
});

const auth = (service: string): string =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One raw request to the proxy; resolves with the answer, or rejects when the connection is reset. */
function send(
  endpoint: string,
  options: { service: string; body?: string; target?: string; path?: string; method?: string; contentType?: string },
): Promise<Reply> {
  const url = new URL(endpoint);
  const headers: Record<string, string> = { authorization: auth(options.service), host: url.host };
  if (options.target !== undefined) headers['x-amz-target'] = options.target;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? (options.target ? 'application/x-amz-json-1.0' : 'application/x-www-form-urlencoded; charset=utf-8');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: options.method ?? 'POST', path: options.path ?? '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

const ec2 = (action: string): { service: string; body: string } => ({ service: 'ec2', body: `Action=${action}&Version=2016-11-15` });
const start = async (rules: FaultRule[], seed?: number): Promise<FaultProxy> => {
  proxy = await startFaultProxy({ upstream: upstreamUrl, rules, ...(seed !== undefined ? { seed } : {}) });
  return proxy;
};

describe('fault proxy', () => {
  it('forwards method, path, headers and body to the upstream and relays its answer', async () => {
    const p = await start([]);
    const reply = await send(p.endpoint, { ...ec2('DescribeInstances'), path: '/?x=1' });
    expect(reply).toMatchObject({ status: 200, body: 'upstream answer' });
    expect(reply.headers['x-upstream']).toBe('yes');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/?x=1', body: 'Action=DescribeInstances&Version=2016-11-15' });
    expect(seen[0]!.headers.authorization).toBe(auth('ec2'));
    expect(p.stats()).toMatchObject({ requests: 1, forwarded: 1, injected: { throttle: 0, 'server-error': 0, reset: 0, latency: 0 } });
    expect(p.stats().byOperation).toEqual([expect.objectContaining({ service: 'ec2', operation: 'DescribeInstances', requests: 1, forwarded: 1 })]);
    // A HEAD answer keeps the upstream's length (the object's), with no body.
    const head = await send(p.endpoint, { service: 's3', method: 'HEAD', path: '/bucket/key' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('15');
  });

  it('answers with each protocol’s throttling shape', async () => {
    const p = await start([{ fault: { kind: 'throttle' } }]);
    const e = await send(p.endpoint, ec2('ModifyNetworkInterfaceAttribute'));
    expect(e.status).toBe(503);
    expect(e.body).toMatch(/<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded\.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
    const q = await send(p.endpoint, { service: 'iam', body: 'Action=PutRolePolicy&Version=2010-05-08' });
    expect(q.status).toBe(400);
    expect(q.body).toMatch(/^<ErrorResponse><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
    const j = await send(p.endpoint, { service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', body: '{}' });
    expect(j.status).toBe(400);
    expect(JSON.parse(j.body)).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(seen).toEqual([]);
    expect(p.stats().byOperation.map((o) => [o.service, o.operation, o.throttle])).toEqual([
      ['dynamodb', 'PutItem', 1],
      ['ec2', 'ModifyNetworkInterfaceAttribute', 1],
      ['iam', 'PutRolePolicy', 1],
    ]);
  });

  it('the real SDK reads every injected fault as a transient AWS error (maxAttempts 1, as the engine runs it)', async () => {
    const kinds: FaultRule['fault'][] = [{ kind: 'throttle' }, { kind: 'server-error' }, { kind: 'server-error', status: 503 }, { kind: 'reset' }];
    for (const fault of kinds) {
      const p = await startFaultProxy({ upstream: upstreamUrl, rules: [{ fault }] });
      const cfg = { endpoint: p.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
      const errors = await Promise.all([
        new EC2Client(cfg).send(new DescribeInstancesCommand({})).catch((e: unknown) => e),
        new IAMClient(cfg).send(new ListRolesCommand({})).catch((e: unknown) => e),
        new DynamoDBClient(cfg).send(new ListTablesCommand({})).catch((e: unknown) => e),
      ]);
      await p.close();
      for (const err of errors) {
        expect(err, JSON.stringify(fault)).toBeInstanceOf(Error);
        expect(isTransientAwsError(err), `${JSON.stringify(fault)} → ${(err as Error).name}`).toBe(true);
      }
      if (fault.kind === 'throttle') expect(errors.map((e) => (e as Error).name)).toEqual(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);
    }
    expect(seen).toEqual([]);
  });

  it('selects by service, operation and mutating-only; `first` and `limit` bound the injections', async () => {
    const p = await start([
      { name: 'first-two', services: ['ec2'], operations: ['CreateTags'], first: 2, fault: { kind: 'server-error' } },
      { name: 'one-reset', services: ['iam'], mutatingOnly: true, limit: 1, fault: { kind: 'throttle' } },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(p.endpoint, ec2('CreateTags'))).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect((await send(p.endpoint, ec2('DescribeTags'))).status).toBe(200);
    expect((await send(p.endpoint, { service: 'iam', body: 'Action=GetRole' })).status).toBe(200);
    expect((await send(p.endpoint, { service: 'iam', body: 'Action=PutRolePolicy' })).status).toBe(400);
    expect((await send(p.endpoint, { service: 'iam', body: 'Action=PutRolePolicy' })).status).toBe(200);
    expect(p.stats().injected).toEqual({ throttle: 1, 'server-error': 2, reset: 0, latency: 0, hold: 0 });
    expect(p.stats().events.map((e) => `${e.rule}:${e.operation}`)).toEqual(['first-two:CreateTags', 'first-two:CreateTags', 'one-reset:PutRolePolicy']);
  });

  it('a seeded probability is reproducible and does not depend on how other operations interleave', async () => {
    const rule: FaultRule = { probability: 0.5, fault: { kind: 'throttle' } };
    const pattern = async (seed: number, interleave: boolean): Promise<string> => {
      const p = await start([rule], seed);
      let out = '';
      for (let i = 0; i < 24; i++) {
        if (interleave && i % 3 === 0) await send(p.endpoint, ec2('CreateTags'));
        out += (await send(p.endpoint, ec2('ModifyInstanceAttribute'))).status === 200 ? '.' : 'T';
      }
      await p.close();
      proxy = undefined;
      return out;
    };
    const a = await pattern(42, false);
    expect(await pattern(42, true)).toBe(a);
    expect(a).toMatch(/T/);
    expect(a).toMatch(/\./);
    expect(await pattern(43, false)).not.toBe(a);
  });

  it('resets the connection before the upstream, or after it processed the request', async () => {
    let p = await start([{ operations: ['CreateSnapshots'], fault: { kind: 'reset' } }]);
    await expect(send(p.endpoint, ec2('CreateSnapshots'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toEqual([]);
    expect(p.stats()).toMatchObject({ forwarded: 0, injected: { reset: 1 } });
    await p.close();
    p = await start([{ operations: ['CreateSnapshots'], fault: { kind: 'reset', afterUpstream: true } }]);
    await expect(send(p.endpoint, ec2('CreateSnapshots'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen.map((s) => s.body)).toEqual(['Action=CreateSnapshots&Version=2016-11-15']);
    expect(p.stats()).toMatchObject({ forwarded: 1, injected: { reset: 1 } });
  });

  it('holds a chosen call (the n-th, before or after the upstream) unanswered and says when: the caller stalls at a known point', async () => {
    let p = await start([{ name: 'second-modify', operations: ['ModifyNetworkInterfaceAttribute'], skipFirst: 1, fault: { kind: 'hold', afterUpstream: true } }]);
    const held = p.whenInjected('second-modify');
    expect((await send(p.endpoint, ec2('ModifyNetworkInterfaceAttribute'))).status).toBe(200); // the first goes through
    const stalled = send(p.endpoint, ec2('ModifyNetworkInterfaceAttribute'));
    expect(await held).toMatchObject({ rule: 'second-modify', kind: 'hold', operation: 'ModifyNetworkInterfaceAttribute' });
    // After the upstream: the change happened, the answer never comes.
    await expect.poll(() => seen.length).toBe(2);
    const outcome = await Promise.race([stalled.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('still held'), 200))]);
    expect(outcome).toBe('still held');
    expect(await p.whenInjected('second-modify')).toMatchObject({ kind: 'hold' }); // already happened: at once
    await p.close(); // ends the hold: the caller sees its connection go
    await expect(stalled).rejects.toBeDefined();
    expect(p.stats()).toMatchObject({ injected: { hold: 1 } });
    seen.length = 0;
    p = await start([{ name: 'before', operations: ['CreateSnapshots'], fault: { kind: 'hold' } }]);
    const before = send(p.endpoint, ec2('CreateSnapshots'));
    await p.whenInjected('before');
    expect(seen).toEqual([]); // never reached the upstream
    await p.close();
    await expect(before).rejects.toBeDefined();
  });

  it('serialize forwards one request at a time (for an emulator whose conditional writes race)', async () => {
    let inFlight = 0;
    let most = 0;
    // Without serialize, a request is held until all five are in flight (or 5 s pass): concurrency is proven without
    // assuming how fast a loaded machine delivers them. With serialize, each is held 30 ms.
    let holdMs = 30;
    const held: Array<() => void> = [];
    const slow = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      const reply = (): void => {
        inFlight--;
        res.writeHead(200, { 'content-length': '2' }).end('ok');
      };
      held.push(reply);
      if (holdMs > 30 && inFlight === 5) held.splice(0).forEach((r) => r());
      else
        setTimeout(() => {
          const i = held.indexOf(reply);
          if (i >= 0) held.splice(i, 1)[0]!();
        }, holdMs);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      for (const serialize of [true, false]) {
        most = 0;
        holdMs = serialize ? 30 : 5000;
        const p = await startFaultProxy({ upstream: slowUrl, serialize });
        await Promise.all(Array.from({ length: 5 }, () => send(p.endpoint, ec2('DescribeInstances'))));
        await p.close();
        expect([serialize, most]).toEqual([serialize, serialize ? 1 : 5]);
      }
    } finally {
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('adds latency and still forwards; later rules are still evaluated', async () => {
    const LATENCY_MS = 150;
    const p = await start([
      { name: 'slow', operations: ['DescribeInstances', 'CreateTags'], fault: { kind: 'latency', ms: LATENCY_MS } },
      { name: 'then-throttle', operations: ['CreateTags'], fault: { kind: 'throttle' } },
    ]);
    const timed = async (action: string): Promise<{ status: number; ms: number }> => {
      const t0 = performance.now();
      const reply = await send(p.endpoint, ec2(action));
      return { status: reply.status, ms: performance.now() - t0 };
    };
    const slow = await timed('DescribeInstances');
    const slowThenThrottled = await timed('CreateTags');
    const untouched = await timed('DescribeTags'); // no rule selects it
    expect(slow.status).toBe(200);
    expect(slowThenThrottled.status).toBe(503);
    expect(untouched.status).toBe(200);
    // A lower bound only (timers never fire early; 1 ms for the clock's rounding): the delay is really waited.
    expect(slow.ms).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    expect(slowThenThrottled.ms).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    expect(p.stats().injected).toMatchObject({ latency: 2, throttle: 1 });
    expect(seen.map((x) => x.body)).toEqual(['Action=DescribeInstances&Version=2016-11-15', 'Action=DescribeTags&Version=2016-11-15']);
  });

  it('REST requests are selected by service only', async () => {
    const p = await start([{ services: ['s3'], fault: { kind: 'throttle' } }, { operations: [/.*/], fault: { kind: 'server-error' } }]);
    const s3 = await send(p.endpoint, { service: 's3', method: 'GET', path: '/bucket/key' });
    expect(s3.status).toBe(503);
    expect(s3.body).toMatch(/<Code>SlowDown<\/Code>/);
    const gd = await send(p.endpoint, { service: 'guardduty', method: 'GET', path: '/detector' });
    expect(gd.status).toBe(200);
    expect(p.stats().byOperation.map((o) => `${o.service} ${o.operation}`)).toEqual(['guardduty (rest) GET', 's3 (rest) GET']);
  });

  it('is bounded: loopback upstream only, the request target never picks the destination, bodies are capped', async () => {
    await expect(startFaultProxy({ upstream: 'http://example.com:80' })).rejects.toBeInstanceOf(UsageError);
    await expect(startFaultProxy({ upstream: 'https://127.0.0.1:443' })).rejects.toBeInstanceOf(UsageError);
    await expect(startFaultProxy({ upstream: 'not a url' })).rejects.toBeInstanceOf(UsageError);
    await expect(startFaultProxy({ upstream: upstreamUrl, rules: [{ probability: 2, fault: { kind: 'throttle' } }] })).rejects.toThrow(/probability must be between 0 and 1, received number 2/);
    await expect(startFaultProxy({ upstream: upstreamUrl, rules: [{ fault: { kind: 'latency', ms: 10 ** 9 } }] })).rejects.toThrow(/latency/);

    proxy = await startFaultProxy({ upstream: upstreamUrl, maxBodyBytes: 60 });
    const absolute = await send(proxy.endpoint, { ...ec2('DescribeInstances'), path: 'http://169.254.169.254/latest/meta-data?a=b' });
    expect(absolute.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/latest/meta-data?a=b']);
    expect((await send(proxy.endpoint, { service: 'ec2', body: `Action=DescribeInstances&Padding=${'x'.repeat(40)}` })).status).toBe(413);
    expect(new URL(proxy.endpoint).hostname).toBe('127.0.0.1');
  });
});
