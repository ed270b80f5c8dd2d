/**
 * A journal path that is not writable (issue 12, "Bad input"). The tests run as root, for whom every permission
 * check passes, so the CLI is run as `nobody` through `setpriv` (util-linux); without setpriv, or when not root, the
 * file is skipped and says why. Three ways a user meets it: a journal folder to be created under a folder they
 * cannot write, an existing journal folder they cannot write, and a folder they can write holding journal files
 * another user made (the store would fail inside, after taking its lock, with a stack trace). Each is one line,
 * exit 2, and the journal is left exactly as it was, with no lock file behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const BIN = fileURLToPath(new URL('../../bin/tourniquet.js', import.meta.url));
const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

function setprivPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const SETPRIV = process.getuid?.() === 0 ? setprivPath() : undefined;

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** `tourniquet <args>` as the unprivileged user `nobody`. */
function asNobody(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(SETPRIV!, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args], {
      cwd: tmpdir(),
      env: { ...process.env, HOME: tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

/** Every file of a folder with its bytes: the journal as it is on disk. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

let dir: string;
let evidence: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-journal-perm-'));
  chmodSync(dir, 0o755);
  // Evidence goes where nobody can write, so the journal is the only problem.
  evidence = join(dir, 'evidence');
  mkdirSync(evidence);
  chmodSync(evidence, 0o777);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(SETPRIV === undefined)(`a journal path the user cannot write${SETPRIV === undefined ? ' (skipped: needs root and setpriv to run the CLI as nobody)' : ''}`, () => {
  it('fails with one line and exit 2 and leaves the journal as it was: a folder to create, a folder, and files of another user', async () => {
    // Root's journal, in a folder only root can write; a copy in a folder anyone can write (its files root's).
    const rootOnly = join(dir, 'root-only');
    const shared = join(dir, 'shared');
    mkdirSync(rootOnly);
    const r = await runCli(['respond', GPU_BTC, '--journal-path', join(rootOnly, 'journal'), '--evidence-dir', join(dir, 'root-cases'), '--mode', 'observe', '--json']);
    expect(r.code, r.err).toBe(0);
    const incidentId = (JSON.parse(r.out) as Array<{ outcomes: Array<{ incidentId: string }> }>)[0]!.outcomes[0]!.incidentId;
    cpSync(rootOnly, shared, { recursive: true });
    chmodSync(rootOnly, 0o755);
    chmodSync(shared, 0o777);
    chmodSync(join(shared, 'journal'), 0o777);
    const before = { rootOnly: snapshot(join(rootOnly, 'journal')), shared: snapshot(join(shared, 'journal')) };

    const [toCreate, folder, files, show] = await Promise.all([
      asNobody(['respond', GPU_BTC, '--journal-path', join(rootOnly, 'new-journal'), '--evidence-dir', join(evidence, 'a'), '--mode', 'observe']),
      asNobody(['respond', GPU_BTC, '--journal-path', join(rootOnly, 'journal'), '--evidence-dir', join(evidence, 'b'), '--mode', 'observe']),
      asNobody(['respond', GPU_BTC, '--journal-path', join(shared, 'journal'), '--evidence-dir', join(evidence, 'c'), '--mode', 'observe']),
      asNobody(['show', incidentId, '--journal-path', join(shared, 'journal'), '--evidence-dir', join(evidence, 'd')]),
    ]);
    const cases: Array<[Run, RegExp]> = [
      [toCreate, /^tourniquet: --journal-path ".*root-only\/new-journal" cannot hold the journal: it cannot be created: ".*root-only" is not writable \(EACCES\)$/],
      [folder, /^tourniquet: --journal-path ".*root-only\/journal" cannot hold the journal: it is not writable \(EACCES\)$/],
      [files, /^tourniquet: --journal-path ".*shared\/journal" cannot hold the journal: it holds ".+", which this user cannot write \(EACCES\); run as the user that owns the journal$/],
      [show, /^tourniquet: --journal-path ".*shared\/journal" cannot hold the journal: it holds ".+", which this user cannot write \(EACCES\)/],
    ];
    for (const [r, line] of cases) {
      expect(`${r.out}\n${r.err}`).not.toMatch(NO_STACK);
      expect(r.code, r.err).toBe(2);
      expect(r.err.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(r.err.trim()).toMatch(line);
    }
    // Nothing created, nothing changed, no lock left behind (the journal still opens for its owner).
    expect(existsSync(join(rootOnly, 'new-journal'))).toBe(false);
    expect(readdirSync(evidence)).toEqual([]);
    expect(snapshot(join(rootOnly, 'journal'))).toEqual(before.rootOnly);
    expect(snapshot(join(shared, 'journal'))).toEqual(before.shared);
    const owner = await runCli(['show', incidentId, '--journal-path', join(shared, 'journal')]);
    expect(owner.code, owner.err).toBe(0);
  });
});
