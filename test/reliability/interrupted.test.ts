/**
 * Ctrl-C (SIGINT) or `kill` (SIGTERM) while `respond` waits on AWS (issue 12, faults): the process ends at once, as a
 * crash would (what a crash leaves is proved by test/integration/crash-resume.test.ts), with one line saying it was
 * interrupted and how to finish the plan, exit 130 / 143; the journal it held opens at once for the next command.
 * It used to end silently, leaving a new user to guess what state the incident was in.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { beforeExit, spawnCli } from '../support/cli-process.js';

const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

let server: Server;
const held: Socket[] = [];
let endpoint: string;
let dir: string;

beforeAll(async () => {
  // Takes the connection and never answers: respond stays inside its first AWS call until it is signalled.
  server = createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-interrupted-'));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the embedded journal's folder lock exists: the CLI is past its start-up and holds the journal. */
async function lockTaken(journal: string): Promise<void> {
  for (;;) {
    if (existsSync(journal) && readdirSync(journal).some((f) => f.startsWith('tourniquet.lock'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('respond interrupted while it waits on AWS', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: one line saying how to finish the plan, exit %i, and the journal opens for the next command', async (signal, code) => {
    const journal = join(dir, signal, 'journal');
    const cli = spawnCli(['respond', GPU_BTC, '--mode', 'contain', '--journal-path', journal, '--evidence-dir', join(dir, signal, 'cases')], {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
    });
    await beforeExit(cli, lockTaken(journal));
    cli.child.kill(signal);
    const end = await cli.exited;
    expect(end.err).not.toMatch(NO_STACK);
    expect([end.code, end.signal]).toEqual([code, null]);
    expect(end.err.split('\n').filter((l) => l !== '')).toEqual([
      `tourniquet: interrupted (${signal}); a plan left unfinished is taken over by \`tourniquet resume <incident>\` or by running the same command again (\`tourniquet incidents\` lists them)`,
    ]);
    const next = await runCli(['incidents', '--journal-path', journal]);
    expect(next.code, next.err).toBe(0);
  });
});
