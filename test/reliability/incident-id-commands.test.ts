/**
 * Incident ids at every command that takes one (issue 12, "Bad input": unknown and released incident ids):
 * `show`, `approve`, `deny`, `resume`, `release`, `report`. An unknown id is one line and exit 2 whether or not the
 * journal exists, and a journal that does not exist is not created by asking. A request that does not apply to the
 * incident (approving an observe-mode incident, acting on a released one) is one line and exit 2: running it again
 * can never succeed, so a script must not retry it as it would a failed run (exit 1). Releasing an incident that
 * changed nothing (observe mode) needs no AWS at all: the test gives the CLI no credentials and an endpoint where
 * nothing listens.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/run-cli.js';

const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

let dir: string;
const at = (name: string): string => join(dir, name);
const errLines = (r: CliRun): string[] => r.err.split('\n').filter((l) => l !== '');

/** Runs the CLI with no AWS credentials anywhere and an endpoint where nothing listens: any AWS call fails. */
async function withoutAws(args: readonly string[]): Promise<CliRun> {
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_CONFIG_FILE: at('no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: at('no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  try {
    return await runCli(args);
  } finally {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** An observe-mode incident journaled in `journal` (no AWS needed); its id. */
async function observed(journal: string, cases: string): Promise<string> {
  const r = await withoutAws(['respond', GPU_BTC, '--journal-path', journal, '--evidence-dir', cases, '--mode', 'observe', '--json']);
  expect(r.code, r.err).toBe(0);
  const [result] = JSON.parse(r.out) as Array<{ outcomes: Array<{ incidentId: string }> }>;
  return result!.outcomes[0]!.incidentId;
}

function expectOneLine(r: CliRun, code: number, line: RegExp): void {
  expect(`${r.out}\n${r.err}`).not.toMatch(NO_STACK);
  expect(r.code, `${r.out}\n${r.err}`).toBe(code);
  expect(errLines(r), r.err).toHaveLength(1);
  expect(errLines(r)[0]).toMatch(line);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-incident-ids-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS: ReadonlyArray<{ name: string; args: (id: string) => string[] }> = [
  { name: 'show', args: (id) => ['show', id] },
  { name: 'approve', args: (id) => ['approve', id, '--by', 'carol'] },
  { name: 'deny', args: (id) => ['deny', id, '--by', 'carol'] },
  { name: 'resume', args: (id) => ['resume', id] },
  { name: 'release', args: (id) => ['release', id, '--reason', 'test', '--by', 'carol'] },
  { name: 'report', args: (id) => ['report', id, '--format', 'markdown'] },
];

describe('an unknown incident id', () => {
  it.each(COMMANDS)('$name on a journal path that does not exist: not found, exit 2, and no journal or evidence folder created', async (c) => {
    const journal = at(`missing-${c.name}/journal`);
    const cases = at(`missing-${c.name}/cases`);
    const r = await withoutAws([...c.args('inc-nope'), '--journal-path', journal, '--evidence-dir', cases]);
    expectOneLine(r, 2, /incident not found: .*"inc-nope".*no journal at .*missing-/);
    expect(existsSync(at(`missing-${c.name}`)), `${c.name} created ${at(`missing-${c.name}`)}`).toBe(false);
  });

  it('incidents on a journal path that does not exist lists nothing, exit 0, and creates no folder', async () => {
    const journal = at('missing-list/journal');
    const text = await withoutAws(['incidents', '--journal-path', journal]);
    expect(text.code, text.err).toBe(0);
    expect(text.out.trim()).toBe('no incidents');
    const json = await withoutAws(['incidents', '--journal-path', journal, '--json']);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual([]);
    expect(existsSync(at('missing-list'))).toBe(false);
  });

  it.each(COMMANDS)('$name on a journal that holds another incident: not found, exit 2', async (c) => {
    const journal = at('one/journal');
    if (!existsSync(journal)) await observed(journal, at('one/cases'));
    const r = await withoutAws([...c.args('inc-nope'), '--journal-path', journal, '--evidence-dir', at('one/cases')]);
    expectOneLine(r, 2, /incident not found: .*"inc-nope"/);
  });

  it.each(COMMANDS)('$name of ids with path, quote, expression and key characters, and of a 5,000-character id: not found, exit 2 (the long one was a DynamoDB ValidationException, exit 1)', async (c) => {
    const journal = at('one/journal');
    if (!existsSync(journal)) await observed(journal, at('one/cases'));
    for (const id of ['../../etc/passwd', 'inc-1" OR 1=1 --', '${jndi:ldap://x}', 'inc-1#step#isolate-network', 'inc-\u001b[31m', `inc-${'a'.repeat(5000)}`]) {
      const r = await withoutAws([...c.args(id), '--journal-path', journal, '--evidence-dir', at('one/cases')]);
      expectOneLine(r, 2, /^tourniquet: incident not found: /);
    }
  });
});

describe('an observe-mode incident', () => {
  it('approve and deny say nothing waits, exit 2 (not a failed run), and change nothing', async () => {
    const journal = at('observe/journal');
    const cases = at('observe/cases');
    const id = await observed(journal, cases);
    const before = (await withoutAws(['show', id, '--json', '--journal-path', journal, '--evidence-dir', cases])).out;
    expectOneLine(await withoutAws(['approve', id, '--by', 'carol', '--journal-path', journal, '--evidence-dir', cases]), 2, new RegExp(`incident ${id} is in observe mode .*nothing waits for approval`));
    // Both say the same: observe mode, nothing waits (also for one step: in observe mode no step is ever decided).
    expectOneLine(await withoutAws(['deny', id, '--by', 'carol', '--journal-path', journal, '--evidence-dir', cases]), 2, new RegExp(`incident ${id} is in observe mode .*nothing waits for approval`));
    expectOneLine(await withoutAws(['deny', id, '--step', 'isolate-network', '--by', 'carol', '--journal-path', journal, '--evidence-dir', cases]), 2, new RegExp(`incident ${id} is in observe mode .*nothing waits for approval`));
    expect((await withoutAws(['show', id, '--json', '--journal-path', journal, '--evidence-dir', cases])).out).toBe(before);
  });

  it('is released without AWS credentials (it changed nothing), then every command treats it as released', async () => {
    const journal = at('release/journal');
    const cases = at('release/cases');
    const id = await observed(journal, cases);
    const common = ['--journal-path', journal, '--evidence-dir', cases];
    const released = await withoutAws(['release', id, '--reason', 'false positive', '--by', 'carol', ...common]);
    expect(released.err).toBe('');
    expect(released.code).toBe(0);
    expect(released.out).toContain(`incident ${id}: released`);
    expect(released.out).toContain('restored: (nothing had changed)');

    const shown = await withoutAws(['show', id, ...common]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/released:\s+by carol/);
    expectOneLine(await withoutAws(['release', id, '--reason', 'again', '--by', 'carol', ...common]), 2, new RegExp(`incident ${id} is already released \\(by carol`));
    for (const verb of ['approve', 'deny', 'resume']) {
      expectOneLine(await withoutAws([verb, id, '--by', 'carol', ...common].filter((a, i, all) => verb !== 'resume' || (a !== '--by' && all[i - 1] !== '--by'))), 2, new RegExp(`cannot ${verb} incident ${id}: it was released by carol`));
    }
    const report = await withoutAws(['report', id, '--format', 'markdown', ...common]);
    expect(report.code, report.err).toBe(0);
    expect(report.out).toContain('carol');
    // The evidence of the case is still there: release.json was added, nothing removed.
    expect(readdirSync(join(cases, id))).toContain('release.json');
  });
});
