/**
 * `AWS_ENDPOINT_URL` pointing at a server that takes the connection and never answers (a wrong port behind a proxy,
 * a hung emulator): `respond` and `drill` fail with the call named within a bounded time, exit 1, no stack trace.
 * They waited for ever before every AWS client got socket timeouts (src/aws/http-timeouts.ts). About a minute: three
 * SDK attempts of 20 s idle each. In `test:reliability` only.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../../support/cli-process.js';

const GPU_BTC = join(import.meta.dirname, '../../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;
// Three attempts of the 20 s idle timeout and the SDK's backoff, with room for a loaded machine; before the fix: never.
const BOUND_MS = 150_000;

let server: Server;
const held: Socket[] = [];
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  server = createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' };
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-no-answer-'));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('an endpoint that never answers', () => {
  it('respond and drill end with the call named, exit 1, within a bounded time', async () => {
    const finding = JSON.parse(readFileSync(GPU_BTC, 'utf8')) as { detail: { service: { additionalInfo?: Record<string, unknown> } } };
    expect(finding.detail.service.additionalInfo?.['sample']).not.toBe(true); // a sample would make no AWS call
    const path = join(dir, 'finding.json');
    writeFileSync(path, JSON.stringify(finding));
    const started = Date.now();
    const [respond, drill] = await Promise.all([
      runCliProcess(['respond', path, '--mode', 'contain', '--journal-path', ':memory:', '--evidence-dir', join(dir, 'cases')], env),
      runCliProcess(['drill', 'ec2', 'i-0123456789abcdef0'], env),
    ]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);

    expect(respond.code).toBe(1);
    expect(respond.err).not.toMatch(NO_STACK);
    expect(respond.out).toMatch(/^FAILED: capture-evidence \(sts\.GetCallerIdentity failed \(TimeoutError, transient\): .*timed out after 20000 ms of inactivity/m);

    expect(drill.code).toBe(1);
    expect(drill.err).not.toMatch(NO_STACK);
    expect(drill.err.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^tourniquet: sts\.GetCallerIdentity failed \(TimeoutError, transient\): .*timed out after 20000 ms of inactivity/)]);
  }, BOUND_MS + 30_000);
});
