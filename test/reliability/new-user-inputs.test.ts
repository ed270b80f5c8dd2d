/**
 * Inputs a new user meets that the other bad-input suites do not throw (issue 12, "inputs and faults that are not in
 * the repository"): folders with links that lead nowhere or back up, a folder the user cannot read, inputs that
 * hold nothing given to `triage`, UTF-16 files as Windows PowerShell writes them, and a policy naming a playbook that
 * does not exist. Each is one line naming the input and the problem and exit 2, or is read correctly; nothing that
 * was readable is skipped.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliWithStdin } from '../support/run-cli.js';
import { CAN_MOUNT_TMPFS, withSmallTmpfs } from '../support/small-tmpfs.js';

const BIN = fileURLToPath(new URL('../../bin/tourniquet.js', import.meta.url));
const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;
const errLines = (r: { err: string }): string[] => r.err.split('\n').filter((l) => l !== '');

let dir: string;
const at = (...parts: string[]): string => join(dir, ...parts);

const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return order === 'le' ? le : Buffer.from(le).swap16();
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-new-user-'));
  // A folder as a user's disk has it: one finding, a link to nothing, two links to each other, a link to a folder
  // holding another finding, and a link to the folder itself.
  const mixed = at('exports ✓');
  mkdirSync(mixed);
  copyFileSync(GPU_BTC, join(mixed, 'one finding.json'));
  symlinkSync('nowhere.json', join(mixed, 'dangling.json'));
  symlinkSync('b.json', join(mixed, 'a.json'));
  symlinkSync('a.json', join(mixed, 'b.json'));
  mkdirSync(at('elsewhere'));
  const second = JSON.parse(readFileSync(GPU_BTC, 'utf8')) as { detail: { id: string } };
  second.detail.id = 'second-finding';
  writeFileSync(at('elsewhere', 'second.json'), JSON.stringify(second));
  symlinkSync(at('elsewhere'), join(mixed, 'linked folder'));
  symlinkSync('.', join(mixed, 'itself'));
  mkdirSync(at('empty'));
  writeFileSync(at('empty-array.json'), '[]');
  writeFileSync(at('empty-get-findings.json'), '{"Findings": []}');
  const event = readFileSync(GPU_BTC, 'utf8');
  writeFileSync(at('utf16le.json'), utf16(event, 'le'));
  writeFileSync(at('utf16be.json'), utf16(event, 'be'));
  writeFileSync(at('utf16le.jsonl'), utf16(`${JSON.stringify(JSON.parse(event))}\r\n${JSON.stringify(second)}\r\n`, 'le'));
  writeFileSync(at('utf16-policy.yaml'), utf16('version: 1\ndefaults:\n  mode: observe\n', 'le'));
  writeFileSync(at('typo-playbook.yaml'), 'version: 1\nrules:\n  - name: miners\n    match:\n      type: "CryptoCurrency:EC2/"\n    playbook: ec2-instanec\n    mode: contain\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a folder of findings', () => {
  it('reports each link that leads nowhere or loops, follows a linked folder once, and reads every finding', async () => {
    const r = await runCli(['inspect', at('exports ✓')]);
    expect(r.err).not.toMatch(NO_STACK);
    expect(r.code).toBe(2);
    expect(errLines(r).sort()).toEqual([
      expect.stringMatching(/^rejected .*exports ✓\/a\.json: \$: expected a readable file or folder, received ELOOP \(a symbolic link loop\)$/),
      expect.stringMatching(/^rejected .*exports ✓\/b\.json: \$: expected a readable file or folder, received ELOOP/),
      expect.stringMatching(/^rejected .*exports ✓\/dangling\.json: \$: expected a readable file or folder, received ENOENT \(a link to nothing\)$/),
    ]);
    // The finding beside them, and the one in the linked folder, once each (the link to the folder itself is not walked again).
    const json = await runCli(['inspect', at('exports ✓'), '--json']);
    const ids = (JSON.parse(json.out) as { records: Array<{ id: string }> }).records.map((f) => f.id).sort();
    expect(ids).toEqual(['b7c1e5a0d3f24c6e8a9b0c1d2e3f4a51', 'second-finding']);
  });

  it('triage says the same and still ranks what it read', async () => {
    const r = await runCli(['triage', at('exports ✓'), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.out) as { stats: { findings: number }; rejected: Array<{ source: string }> };
    expect(out.stats.findings).toBe(2);
    expect(out.rejected.map((x) => x.source.split('/').at(-1)).sort()).toEqual(['a.json', 'b.json', 'dangling.json']);
  });

  const root = process.getuid?.() === 0;
  const setpriv = ((): string | undefined => {
    try {
      return execFileSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  })();
  // As root every permission check passes: the CLI runs as `nobody` (see journal-not-writable.test.ts).
  it.skipIf(!root || setpriv === undefined)('a subfolder the user cannot read is one rejection (exit 2), not an unexpected error; the rest is read', async () => {
    const tree = at('perm');
    mkdirSync(join(tree, 'locked'), { recursive: true });
    copyFileSync(GPU_BTC, join(tree, 'readable.json'));
    copyFileSync(GPU_BTC, join(tree, 'locked', 'hidden.json'));
    for (const d of [dir, tree]) chmodSync(d, 0o755);
    chmodSync(join(tree, 'locked'), 0o700);
    const run = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(setpriv!, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, 'inspect', tree], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.once('close', (code) => resolve({ code, out, err }));
    });
    expect(run.err).not.toMatch(NO_STACK);
    expect(errLines(run)).toEqual([`rejected ${join(tree, 'locked')}: $: expected a readable file or folder, received EACCES (permission denied)`]);
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/^1 finding\(s\), 0 scan result\(s\)$/m);
  });
});

describe('triage of an input that holds nothing', () => {
  it.each([
    ['an empty folder', 'empty'],
    ['an empty JSON array', 'empty-array.json'],
    ['a get-findings answer with no findings', 'empty-get-findings.json'],
  ])('%s: "no findings", exit 2 (as inspect and respond)', async (_name, file) => {
    const r = await runCli(['triage', at(file)]);
    expect(errLines(r)).toEqual([`tourniquet: no findings in ${JSON.stringify(at(file))} (expected a .json, .jsonl or .jsonl.gz file of GuardDuty findings, a folder of them, or - for stdin)`]);
    expect(r.code).toBe(2);
    const inspect = await runCli(['inspect', at(file)]);
    expect(inspect.code).toBe(2);
  });
});

describe('UTF-16 with a byte order mark (Windows PowerShell 5.1 redirection)', () => {
  it.each([
    ['UTF-16LE JSON', 'utf16le.json', 1],
    ['UTF-16BE JSON', 'utf16be.json', 1],
    ['UTF-16LE JSON Lines with CRLF', 'utf16le.jsonl', 2],
  ])('%s is read as the same findings, from a file and from stdin', async (_name, file, count) => {
    const r = await runCli(['inspect', at(file)]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${count} finding(s), 0 scan result(s)`);
    const s = await runCliWithStdin(readFileSync(at(file)), ['inspect', '-']);
    expect(s.code).toBe(0);
    expect(s.out).toContain(`${count} finding(s), 0 scan result(s)`);
  });

  it('a UTF-16 policy file loads', async () => {
    const r = await runCli(['policy', 'check', at('utf16-policy.yaml')]);
    expect(r.err).toBe('');
    expect(r.out.trim()).toBe('ok: 0 rule(s)');
    expect(r.code).toBe(0);
  });
});

describe('a policy naming a playbook that does not exist', () => {
  const line = /typo-playbook\.yaml:6: rules\[0\]\.playbook: unknown playbook "ec2-instanec" \(did you mean "ec2-instance"\?\); known: /;

  it('is an error for policy check, plan and respond alike (a typo must not leave a crypto-miner uncontained)', async () => {
    const check = await runCli(['policy', 'check', at('typo-playbook.yaml')]);
    expect(errLines(check)[0]).toMatch(line);
    expect(check.code).toBe(2);
    const plan = await runCli(['plan', GPU_BTC, '--policy', at('typo-playbook.yaml')]);
    expect(errLines(plan)).toEqual([expect.stringMatching(line)]);
    expect(plan.code).toBe(2);
    const respond = await runCli(['respond', GPU_BTC, '--policy', at('typo-playbook.yaml'), '--journal-path', at('journal'), '--evidence-dir', at('cases')]);
    expect(errLines(respond)).toEqual([expect.stringMatching(line)]);
    expect(respond.code).toBe(2);
  });
});

describe('a sample flag that is not a boolean', () => {
  it.each([
    ['the string "true" (a pipeline that stringifies values)', 'true'],
    ['the number 1', 1],
  ])('%s is rejected at its path (exit 2), as `archived` is, never read as "not a sample" and planned', async (_name, flag) => {
    const e = JSON.parse(readFileSync(GPU_BTC, 'utf8')) as { detail: { service: Record<string, unknown> } };
    e.detail.service.additionalInfo = { value: '{}', type: 'default', sample: flag };
    const file = at(`sample-${typeof flag}.json`);
    writeFileSync(file, JSON.stringify(e));
    const r = await runCli(['plan', file]);
    expect(errLines(r)).toEqual([`rejected: ${file}: $.detail.service.additionalInfo.sample: expected a boolean, received ${typeof flag === 'string' ? `string "${flag}"` : `number ${flag}`}`]);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain('not a sample finding');
  });
});

describe('a policy value of the wrong type', () => {
  it.each([
    ['a scalar where a list goes', 'version: 1\nguardrails:\n  protectedAccounts: 111122223333\n', 'scalar-list.yaml:3: guardrails.protectedAccounts: Invalid input: expected array, received number 111122223333'],
    ['a list where the file is a mapping', '- version: 1\n', 'root-list.yaml:1: (root): Invalid input: expected object, received array of 1'],
  ])('%s: the value received is said once (was "received number, received number …")', async (_name, text, line) => {
    const file = at(line.split(':')[0]!);
    writeFileSync(file, text);
    const r = await runCli(['policy', 'check', file]);
    expect(errLines(r)[0]).toBe(`error: ${file}${line.slice(line.indexOf(':'))}`);
    expect(r.code).toBe(2);
  });
});

describe('a path flag given as the empty string (an unset variable)', () => {
  it.each([
    ['--journal-path', (cwd: string) => ['respond', GPU_BTC, '--mode', 'observe', '--journal-path', '', '--evidence-dir', join(cwd, 'cases')]],
    ['--evidence-dir', (cwd: string) => ['respond', GPU_BTC, '--mode', 'observe', '--journal-path', join(cwd, 'journal'), '--evidence-dir', '']],
    ['--policy', () => ['plan', GPU_BTC, '--policy', '']],
    ['--journal-path', () => ['incidents', '--journal-path', '']],
    ['--journal-path', () => ['show', 'inc-20261203-000000000000', '--journal-path', ' ']],
  ])('%s is refused, exit 2, and nothing is written in the current folder (was: journal files or case folders there, or the built-in policy)', async (flag, args) => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const r = await runCli(args(cwd));
      expect(errLines(r)).toEqual([expect.stringMatching(new RegExp(`^tourniquet: ${flag} is empty \\(received "\\s*"; an unset variable\\?\\): `))]);
      expect(r.code).toBe(2);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      process.chdir(before);
    }
  });
});

describe('report --out to a place that cannot take a file', () => {
  let incident: string;
  beforeAll(async () => {
    const r = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', at('report-journal'), '--evidence-dir', at('report-cases')]);
    expect(r.code, r.err).toBe(0);
    incident = /"(inc-[^"]+)"/.exec((await runCli(['incidents', '--journal-path', at('report-journal'), '--json'])).out)![1]!;
  });

  it.each([
    ['a folder', () => at('empty'), /it is a folder \(EISDIR\)$/],
    ['a path through a file', () => at('utf16le.json', 'report.html'), /a part of the path is a file, not a folder \(E(EXIST|NOTDIR)\)$/],
    ['a link loop', () => at('exports ✓', 'a.json'), /a symbolic link loop \(ELOOP\)$/],
  ])('%s: one line naming --out and the path, exit 2 (was "unexpected error", exit 1)', async (_name, out, why) => {
    const r = await runCli(['report', incident, '--journal-path', at('report-journal'), '--out', out()]);
    expect(r.err).not.toMatch(NO_STACK);
    expect(errLines(r)).toEqual([expect.stringMatching(new RegExp(`^tourniquet: cannot write the report to --out ${JSON.stringify(out()).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `))]);
    expect(errLines(r)[0]).toMatch(why);
    expect(r.code).toBe(2);
  });

  it.each(['html', 'markdown'])('--out - writes the %s report to standard output (it wrote a file named "-")', async (format) => {
    const cwd = mkdtempSync(join(dir, 'report-cwd-'));
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const r = await runCli(['report', incident, '--journal-path', at('report-journal'), '--format', format, '--out', '-']);
      expect(r.err).toBe('');
      expect(r.out).toContain(incident);
      expect(r.out).toMatch(format === 'html' ? /^<!doctype html>/i : /^# /);
      expect(r.out).not.toContain('report written to');
      expect(readdirSync(cwd)).toEqual([]);
      expect(r.code).toBe(0);
    } finally {
      process.chdir(before);
    }
  });

  it('a full disk is a failed run (exit 1) with the path, not an unexpected error', async () => {
    const r = await runCli(['report', incident, '--journal-path', at('report-journal'), '--out', '/dev/full']);
    expect(errLines(r)).toEqual(['tourniquet: cannot write the report to --out "/dev/full": ENOSPC: no space left on device, write']);
    expect(r.code).toBe(1);
  });
});

describe('drill with a misspelt kind, id or type, or no AWS to reach', () => {
  const saved: Record<string, string | undefined> = {};
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' };
  beforeAll(() => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it.each([
    ['a kind', ['drill', 'ec3', 'i-0123456789abcdef0'], /^tourniquet: no drill for the kind "ec3" \(did you mean ec2\?\); kinds: ec2, /],
    ['an id', ['drill', 'ec2', 'my-instance'], /^tourniquet: expected an instance id such as i-0123456789abcdef0, received "my-instance"$/],
    ['a type', ['drill', 'ec2', 'i-0123456789abcdef0', '--type', 'Recon:IAMUser/TorIPCaller'], /^tourniquet: --type Recon:IAMUser\/TorIPCaller is about IAMUser resources, not a ec2 drill/],
  ])('%s is named before any AWS call (exit 2)', async (_name, args, line) => {
    const r = await runCli(args);
    expect(errLines(r)).toEqual([expect.stringMatching(line)]);
    expect(r.code).toBe(2);
  });

  it('an endpoint that does not answer is one line naming the call, exit 1 (was "unexpected error")', async () => {
    const r = await runCli(['drill', 'ec2', 'i-0123456789abcdef0']);
    expect(errLines(r)).toEqual([expect.stringMatching(/^tourniquet: sts\.GetCallerIdentity failed \(ECONNREFUSED, transient\): /)]);
    expect(r.code).toBe(1);
  });
});

describe('a device or an oversized file where a file is expected', () => {
  it.each([
    ['triage /dev/zero', ['triage', '/dev/zero'], /^tourniquet: cannot read findings from "\/dev\/zero": a device, not a file, folder or pipe \(use - to read standard input\)$/],
    ['inspect /dev/urandom', ['inspect', '/dev/urandom'], /^tourniquet: cannot read findings from "\/dev\/urandom": a device/],
    ['plan --policy /dev/zero', ['plan', '--policy', '/dev/zero', GPU_BTC], /^tourniquet: policy error: \/dev\/zero: \(file\): cannot read the policy file \(not a file: a device\)$/],
  ])('%s is one line and exit 2 at once (was read for ever)', async (_name, args, line) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(errLines(r)).toHaveLength(1);
    expect(errLines(r)[0]).toMatch(line);
  });

  it('a policy file over 1 MiB is refused before it is parsed', async () => {
    writeFileSync(at('huge-policy.yaml'), `version: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    const r = await runCli(['policy', 'check', at('huge-policy.yaml')]);
    expect(r.code).toBe(2);
    expect(errLines(r)[0]).toBe(`error: ${at('huge-policy.yaml')}: (file): cannot read the policy file (it is larger than 1 MiB: a policy is a few kilobytes)`);
  });

  it('a policy through a pipe (process substitution) is read', async () => {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn('bash', ['-c', `node "${BIN}" policy check <(printf 'version: 1\\ndefaults:\\n  mode: observe\\n')`]);
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('triage filters with a typo', () => {
  it.each([
    ['--account', '12345678901', /^tourniquet: --account must be a 12-digit account id, received string "12345678901"$/],
    ['--region', 'us-east1', /^tourniquet: --region must be a Region name such as us-east-1, received string "us-east1"$/],
  ])('%s %s is one line, exit 2 (it matched nothing: "0 incident(s)", exit 0)', async (flag, value, line) => {
    const r = await runCli(['triage', GPU_BTC, flag, value]);
    expect(r.code).toBe(2);
    expect(errLines(r)).toHaveLength(1);
    expect(errLines(r)[0]).toMatch(line);
  });

  it('--since a date alone is midnight UTC of that day (it was refused as not a date and time)', async () => {
    // The sample was last seen 2026-08-01T10:18:09Z.
    const count = async (since: string): Promise<number> => {
      const r = await runCli(['triage', GPU_BTC, '--since', since, '--json']);
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { incidents: unknown[] }).incidents.length;
    };
    expect(await count('2026-08-01')).toBe(1);
    expect(await count('2026-08-02')).toBe(0);
  });

  it('the finding’s own account and Region still select it', async () => {
    const { detail } = JSON.parse(readFileSync(GPU_BTC, 'utf8')) as { detail: { accountId: string; region: string } };
    const r = await runCli(['triage', GPU_BTC, '--account', detail.accountId, '--region', detail.region, '--json']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { incidents: unknown[] }).incidents).toHaveLength(1);
  });
});

describe('standard output that cannot be written', () => {
  it.skipIf(!existsSync('/dev/full'))('`> /dev/full` (a full disk) is one line on stderr and exit 1 (was an uncaught ENOSPC with a stack trace)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'inspect', GPU_BTC], { stdio: ['ignore', full, 'pipe'] });
        let err = '';
        p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => resolve({ code, err }));
      });
      expect(r.err).not.toMatch(NO_STACK);
      expect(r.err.split('\n').filter((l) => l !== '')).toEqual(['tourniquet: cannot write to standard output (ENOSPC: no space left on device)']);
      expect(r.code).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});

describe('commander’s own errors', () => {
  it.each([
    ['an unknown option, with its did-you-mean', ['respond', GPU_BTC, '--mde', 'observe'], "tourniquet: unknown option '--mde' (Did you mean --mode?)"],
    ['an unknown command', ['respnd', GPU_BTC], "tourniquet: unknown command 'respnd' (Did you mean respond?)"],
    ['a missing argument', ['approve'], "tourniquet: missing required argument 'incident'"],
  ])('%s is one `tourniquet:` line, exit 2 (was "error: …" and a second line)', async (_name, args, line) => {
    const r = await runCli(args);
    expect(errLines(r)).toEqual([line]);
    expect(r.code).toBe(2);
  });
});

describe('number flags typed as something other than decimal digits', () => {
  it.each([
    ['--wait-seconds', '0x10', ['respond', GPU_BTC, '--mode', 'observe', '--wait-seconds', '0x10'], 'tourniquet: --wait-seconds must be a whole number of seconds from 0 to 600, received "0x10"'],
    ['--wait-seconds', '1.5', ['resume', 'inc-x', '--journal-path', ':memory:', '--wait-seconds', '1.5'], 'tourniquet: --wait-seconds must be a whole number of seconds from 0 to 600, received "1.5"'],
    ['--top', '1e3', ['triage', GPU_BTC, '--top', '1e3'], 'tourniquet: --top must be a whole number of at least 1, received "1e3"'],
    ['--limit', '0x10', ['incidents', '--journal-path', ':memory:', '--limit', '0x10'], 'tourniquet: --limit must be a positive integer, received "0x10"'],
    ['--min-severity', '1e1', ['triage', GPU_BTC, '--min-severity', '1e1'], 'tourniquet: --min-severity must be a number from 0 to 10, received "1e1"'],
    ['--isolation-settle-seconds', '0x10', ['plan', GPU_BTC, '--isolation-settle-seconds', '0x10'], 'tourniquet: --isolation-settle-seconds must be a number of seconds from 0 to 600, received "0x10"'],
  ])('%s %s is one line naming the flag and the value, exit 2 (Number() read it as a number)', async (_flag, _value, args, line) => {
    const r = await runCli(args);
    expect(errLines(r)).toEqual([line]);
    expect(r.code).toBe(2);
  });

  it('digits with spaces around them are still read (--top " 1 ")', async () => {
    const r = await runCli(['triage', GPU_BTC, '--top', ' 1 ', '--json']);
    expect(r.code, r.err).toBe(0);
  });
});

describe('a value past 2^53 − 1', () => {
  it.each([
    ['--max-line-bytes', ['inspect', GPU_BTC, '--max-line-bytes', '99999999999999999999GiB'], 'tourniquet: --max-line-bytes: expected at most 256 MiB, received string "99999999999999999999GiB"'],
    ['--top', ['triage', GPU_BTC, '--top', '99999999999999999999'], 'tourniquet: --top is too large: received "99999999999999999999"; a count can be at most 9007199254740991 (2^53 − 1, the largest whole number held exactly)'],
  ])('%s: the flag, the value and the limit in words (was zod’s "Too big: expected int to be <=9007199254740991")', async (_flag, args, line) => {
    const r = await runCli(args);
    expect(errLines(r)).toEqual([line]);
    expect(r.code).toBe(2);
  });

  it('a finding whose service.count is past it is rejected at its path (was a DynamoDB error from respond)', async () => {
    const text = readFileSync(GPU_BTC, 'utf8').replace(/"count":\s*\d+/, '"count": 9007199254740993');
    const file = at('huge-count.json');
    writeFileSync(file, text);
    const r = await runCli(['plan', file]);
    expect(errLines(r)).toEqual([`rejected: ${file}: $.detail.service.count: expected a count of at most 9007199254740991 (2^53 − 1, the largest whole number a JSON number holds exactly), received number 9007199254740992`]);
    expect(r.code).toBe(2);
  });
});

describe('an error no command catches', () => {
  const run = (args: readonly string[], nodeArgs: readonly string[] = []): Promise<{ code: number | null; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code, err }));
    });

  it('thrown from a callback is one line and exit 1 (was Node’s stack trace)', async () => {
    // Thrown once the command is done (beforeExit), as a library's callback would throw after the command's own work.
    const late = 'data:text/javascript,process.once("beforeExit", () => setTimeout(() => { throw new Error("thrown late") }))';
    const r = await run(['types'], ['--import', late]);
    expect(r.err).not.toMatch(NO_STACK);
    expect(r.err.split('\n').filter((l) => l !== '')).toEqual(['tourniquet: unexpected error: Error: thrown late']);
    expect(r.code).toBe(1);
  });

  // The embedded journal's store fails inside its own callback when its disk fills: a 16 KiB tmpfs, root only.
  it.skipIf(!CAN_MOUNT_TMPFS)('the journal on a full disk is one line and exit 1 (was "Database is closed" with a stack trace)', async (ctx) => {
    await withSmallTmpfs(16, async (tmpfs) => {
      if (tmpfs === undefined) return ctx.skip();
      tmpfs.fill(8 * 1024);
      const r = await run(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', join(tmpfs.dir, 'journal'), '--evidence-dir', at('full-journal-cases')]);
      expect(r.err).not.toMatch(NO_STACK);
      expect(r.err.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^tourniquet: .*(journal|ENOSPC)/)]);
      expect(r.code).toBe(1);
    });
  });
});

describe('a Security Hub (ASFF) finding given as a GuardDuty one', () => {
  const asff = {
    SchemaVersion: '2018-10-08',
    Id: 'arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34eexample/finding/b7c1e5a0d3f24c6e8a9b0c1d2e3f4a51',
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
    AwsAccountId: '111122223333',
    Types: ['TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS'],
    Resources: [{ Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0' }],
  };
  const named = /expected a GuardDuty finding \(Tourniquet reads GuardDuty findings: .*not Security Hub's ASFF\), received what looks like a Security Hub ASFF finding \(SchemaVersion string "2018-10-08", ProductArn string "arn:aws:securityhub:us-east-1::product\/aws\/guardduty"\); GuardDuty's own: aws guardduty get-findings --detector-id 12abc34d567e8fa901bc2d34eexample --finding-ids b7c1e5a0d3f24c6e8a9b0c1d2e3f4a51$/;

  it.each([
    ['a bare ASFF finding', asff, '$'],
    ['`aws securityhub get-findings` output', { Findings: [asff] }, '$.Findings[0]'],
  ])('%s is named as ASFF, with the command for GuardDuty’s own (was "$.Type: expected a finding type …, received nothing")', async (_name, doc, at) => {
    const file = join(dir, `asff-${at.length}.json`);
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['inspect', file]);
    expect(errLines(r)).toHaveLength(1);
    expect(errLines(r)[0]!.startsWith(`rejected ${file}${at === '$' ? '' : '[0]'}: ${at}: `)).toBe(true);
    expect(errLines(r)[0]).toMatch(named);
    expect(r.code).toBe(2);
  });

  it('a Security Hub EventBridge event is named as one (its findings are ASFF)', async () => {
    const file = at('securityhub-event.json');
    writeFileSync(file, JSON.stringify({ version: '0', 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', detail: { findings: [asff] } }));
    const r = await runCli(['plan', file]);
    expect(errLines(r)).toEqual([expect.stringMatching(/^rejected: .*securityhub-event\.json: \$\["detail-type"\]: expected a GuardDuty finding .*, received a Security Hub event \(string "Security Hub Findings - Imported"\), whose findings are in ASFF$/)]);
    expect(r.code).toBe(2);
  });
});

describe('an endpoint that answers, but not as AWS', () => {
  // A web server where AWS was meant: a page for everything, or a bare "Not Found".
  const servers: Server[] = [];
  const endpoints: Record<'page' | 'notFound', string> = { page: '', notFound: '' };
  const saved: Record<string, string | undefined> = {};
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
  beforeAll(async () => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    for (const [name, status, type, body] of [['page', 200, 'text/html', '<!DOCTYPE html><html><body>Welcome</body></html>'], ['notFound', 404, 'text/plain', 'Not Found']] as const) {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(status, { 'content-type': type }).end(body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      endpoints[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it.each([
    ['drill (a page)', 'page', (e: string) => ['drill', 'ec2', 'i-0123456789abcdef0', '--endpoint', e], 'sts.GetCallerIdentity', 'HTTP 200 with an HTML page', 'instance i-0123456789abcdef0 not found'],
    ['triage s3:// (a page)', 'page', (e: string) => ['triage', 's3://findings-bucket/AWSLogs/', '--endpoint', e], 's3.ListObjectsV2 s3://findings-bucket/AWSLogs/', 'HTTP 200 with an HTML page', '"no findings", exit 2'],
    ['incidents --journal-table (Not Found)', 'notFound', (e: string) => ['incidents', '--journal-table', 'tourniquet-journal', '--endpoint', e], 'dynamodb.DescribeTable', 'HTTP 404 with "Not Found"', 'a JSON parse error in the SDK'],
  ] as const)('%s: one line naming the call and the endpoint, exit 1 (was %s)', async (_name, which, args, call, what, _was) => {
    const r = await runCli(args(endpoints[which]));
    expect(errLines(r)).toEqual([`tourniquet: ${call} failed (NotAnAwsAnswer): the endpoint ${endpoints[which]} answered ${what}, not as AWS: is --endpoint / AWS_ENDPOINT_URL an AWS endpoint (or an emulator such as moto)?`]);
    expect(r.code).toBe(1);
  });
});

describe('a malformed endpoint', () => {
  const withEnv = async <T>(value: string | undefined, run: () => Promise<T>): Promise<T> => {
    const saved = process.env.AWS_ENDPOINT_URL;
    if (value === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = value;
    try {
      return await run();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  };

  it.each([
    ['show --endpoint localhost:5000 (no scheme)', undefined, ['show', 'inc-20261203-000000000000', '--journal-path', ':memory:', '--endpoint', 'localhost:5000'], '--endpoint', 'localhost:5000'],
    ['incidents with AWS_ENDPOINT_URL=http//x', 'http//x', ['incidents', '--journal-path', ':memory:'], 'AWS_ENDPOINT_URL', 'http//x'],
    ['respond with AWS_ENDPOINT_URL=localhost:5000', 'localhost:5000', ['respond', GPU_BTC, '--mode', 'observe', '--journal-path', ':memory:'], 'AWS_ENDPOINT_URL', 'localhost:5000'],
    ['triage s3:// --endpoint ftp://x', undefined, ['triage', 's3://findings-bucket/AWSLogs/', '--endpoint', 'ftp://x'], '--endpoint', 'ftp://x'],
    ['drill --endpoint http//x', undefined, ['drill', 'ec2', 'i-0123456789abcdef0', '--region', 'us-east-1', '--endpoint', 'http//x'], '--endpoint', 'http//x'],
  ])('%s: one line naming where it came from and the value, exit 2 (was taken, or "NotFound: Unknown" / "Invalid URL" per call)', async (_name, env, args, from, value) => {
    const r = await withEnv(env, () => runCli(args));
    expect(errLines(r)).toEqual([`tourniquet: ${from} must be an http:// or https:// URL such as http://localhost:5000, received ${JSON.stringify(value)}`]);
    expect(r.code).toBe(2);
  });

  it('an empty AWS_ENDPOINT_URL is unset, as the SDK reads it', async () => {
    const r = await withEnv('', () => runCli(['incidents', '--journal-path', ':memory:']));
    expect(r.code, r.err).toBe(0);
  });
});
