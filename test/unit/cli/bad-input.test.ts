/**
 * Bad input, as a new user or an attacker would give it, through the real command line: each gives one clear line
 * (what was wrong and the value received), a non-zero exit, no stack trace, and nothing stranded (no journal or
 * evidence folder appears unless a finding was handled whole).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TourniquetError, UsageError } from '../../../src/errors.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, exitCodeFor, reportError } from '../../../src/cli/exit-codes.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { finding } from '../findings/finding-fixtures.js';
import { runCli, type CliRun } from '../../support/run-cli.js';

const GPU_BTC = join(import.meta.dirname, '../../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');

let dir: string;
const at = (name: string): string => join(dir, name);

/** The lines a run wrote to stderr. */
const errLines = (r: CliRun): string[] => r.err.split('\n').filter((l) => l !== '');

/** One line on stderr, matching `pattern`; no stack trace anywhere; the exit code given. */
function expectOneLine(r: CliRun, code: number, pattern: RegExp): void {
  expect(errLines(r), r.err).toHaveLength(1);
  expect(errLines(r)[0]).toMatch(pattern);
  expect(`${r.out}\n${r.err}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.code).toBe(code);
}

/** Journal and evidence folders of one run, under the temp dir; none of them may exist after a refused run. */
function stateOf(name: string): { flags: string[]; created: () => string[] } {
  const journal = at(`${name}-journal`);
  const cases = at(`${name}-cases`);
  return {
    flags: ['--journal-path', journal, '--evidence-dir', cases, '--mode', 'observe'],
    created: () => [journal, cases].filter((p) => existsSync(p)),
  };
}

/** A camelCase finding (EventBridge event) with a field `deep` nested `levels` arrays deep, as JSON text. */
const deepFinding = (levels: number): string =>
  JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: finding({ deep: 'HERE' }) }).replace('"HERE"', '['.repeat(levels) + ']'.repeat(levels));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-bad-input-'));
  writeFileSync(at('deep.json'), deepFinding(100_000));
  writeFileSync(at('yesterday.json'), JSON.stringify(finding({ updatedAt: 'yesterday' })));
  writeFileSync(at('long-id.json'), JSON.stringify(finding({ id: 'f'.repeat(100_000) })));
  writeFileSync(at('a-file'), 'not a folder');
  // 100 KB of gzip that unpacks to one 20 MiB line (the default limit is 16 MiB).
  writeFileSync(at('long-line.jsonl.gz'), gzipSync(`{"x":"${'x'.repeat(20 * 1024 * 1024)}"}\n`));
  writeFileSync(at('corrupt.jsonl.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data at all')]));
  mkdirSync(at('no-json'));
  writeFileSync(at('no-json/README.txt'), 'findings go here');
  mkdirSync(at('mixed'));
  writeFileSync(at('mixed/deep.json'), deepFinding(100_000));
  writeFileSync(at('mixed/good.json'), readFileSync(GPU_BTC));
  writeFileSync(at('warn.yaml'), 'version: 1\nrules:\n  - name: r\n    match: { type: ["Recon:"] }\n    mode: contain\n    steps: { no-such-step: skip }\n');
  writeFileSync(at('bad.yaml'), 'version: 1\nrules: 7\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a field nested 100,000 levels deep', () => {
  const ONE_LINE = /deep\.json: \$\.detail\.deep\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…: expected JSON nested at most 256 levels deep, received deeper nesting$/;

  it.each(['inspect', 'plan'])('%s rejects it with the path', async (command) => {
    expectOneLine(await runCli([command, at('deep.json')]), EXIT_BAD_INPUT, ONE_LINE);
  });

  it('respond rejects it before any journal or evidence exists', async () => {
    const state = stateOf('deep');
    expectOneLine(await runCli(['respond', at('deep.json'), ...state.flags]), EXIT_BAD_INPUT, ONE_LINE);
    expect(state.created()).toEqual([]);
  });

  it('respond handles the good finding next to it and leaves exactly that one incident, complete', async () => {
    const state = stateOf('mixed');
    const r = await runCli(['respond', at('mixed'), ...state.flags]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(errLines(r)).toEqual([expect.stringMatching(ONE_LINE)]);
    // Read the journal back: one incident, for the good finding, in its final observe state.
    const journal = await openJournal({ path: state.flags[1]! });
    try {
      const incidents = await journal.listIncidents();
      expect(incidents.map((i) => [i.status, i.subjectId, i.findingType])).toEqual([['observed', 'i-0f1e2d3c4b5a69788', 'CryptoCurrency:EC2/BitcoinTool.B!DNS']]);
    } finally {
      await journal.close();
    }
  });
});

describe('destinations are checked before the journal is written', () => {
  it('--evidence-dir pointing at a file: one line, exit 2, no journal', async () => {
    const journal = at('evidence-file-journal');
    const r = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', journal, '--evidence-dir', at('a-file')]);
    expectOneLine(r, EXIT_BAD_INPUT, /^tourniquet: --evidence-dir ".*a-file" cannot hold evidence: it is a file, not a folder$/);
    expect(existsSync(journal)).toBe(false);
  });

  it('--evidence-dir under a file, and --journal-path pointing at a file: one line each, nothing created', async () => {
    const journal = at('under-file-journal');
    const cases = at('under-file-cases');
    const under = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', journal, '--evidence-dir', at('a-file/cases')]);
    expectOneLine(under, EXIT_BAD_INPUT, /^tourniquet: --evidence-dir ".*a-file\/cases" cannot hold evidence: a part of the path is a file, not a folder$/);
    const onFile = await runCli(['respond', GPU_BTC, '--mode', 'observe', '--journal-path', at('a-file'), '--evidence-dir', cases]);
    expectOneLine(onFile, EXIT_BAD_INPUT, /^tourniquet: --journal-path ".*a-file" cannot hold the journal: it is a file, not a folder$/);
    expect([journal, cases].filter((p) => existsSync(p))).toEqual([]);
  });
});

describe('input limits and broken input', () => {
  it('a small gzip unpacking to a 20 MiB line: rejected at its line, naming the limit', async () => {
    const state = stateOf('long-line');
    const r = await runCli(['respond', at('long-line.jsonl.gz'), ...state.flags]);
    expectOneLine(r, EXIT_BAD_INPUT, /long-line\.jsonl\.gz:1: \$: expected a line of at most 16 MiB \(raise with --max-line-bytes or TOURNIQUET_MAX_LINE_BYTES\), received a line of 20971528 bytes/);
    expect(state.created()).toEqual([]);
  });

  it('--max-decompressed-bytes stops a gzip that unpacks past it', async () => {
    const r = await runCli(['inspect', at('long-line.jsonl.gz'), '--max-decompressed-bytes', '1MiB', '--max-line-bytes', '64MiB']);
    expectOneLine(r, EXIT_BAD_INPUT, /long-line\.jsonl\.gz:1: \$: expected a gzip stream that unpacks to at most 1 MiB .*received more than 1 MiB after 0 complete line\(s\); the rest was not read$/);
  });

  it('a limit flag that is not a size', async () => {
    const r = await runCli(['plan', GPU_BTC, '--max-line-bytes', 'lots']);
    expectOneLine(r, EXIT_BAD_INPUT, /^tourniquet: --max-line-bytes: expected a size in bytes, e.g. 16777216, 16MiB or 1GiB, received string "lots"$/);
  });

  it('a corrupt gzip is reported once', async () => {
    const state = stateOf('corrupt');
    const r = await runCli(['respond', at('corrupt.jsonl.gz'), ...state.flags]);
    expectOneLine(r, EXIT_BAD_INPUT, /corrupt\.jsonl\.gz:1: \$: expected a complete gzip stream, received Z_DATA_ERROR: .* after 0 complete line\(s\)$/);
    expect(state.created()).toEqual([]);
    expectOneLine(await runCli(['inspect', at('corrupt.jsonl.gz')]), EXIT_BAD_INPUT, /expected a complete gzip stream/);
  });

  it('updatedAt "yesterday" and a 100,000-character finding id are rejected with their paths; respond creates no journal', async () => {
    const yesterday = stateOf('yesterday');
    expectOneLine(
      await runCli(['respond', at('yesterday.json'), ...yesterday.flags]),
      EXIT_BAD_INPUT,
      /yesterday\.json: \$\.updatedAt: expected a timestamp \(ISO-8601 string or epoch seconds\), received string "yesterday"$/,
    );
    expect(yesterday.created()).toEqual([]);
    const longId = stateOf('long-id');
    expectOneLine(
      await runCli(['respond', at('long-id.json'), ...longId.flags]),
      EXIT_BAD_INPUT,
      /long-id\.json: \$\.id: expected a non-empty string of at most 512 bytes, received string "f{80}… \(100000 chars\)"$/,
    );
    expect(longId.created()).toEqual([]);
  });

  it('a folder with no JSON: "no findings", exit 2, for inspect, plan and respond (no journal)', async () => {
    const NO_FINDINGS = /^tourniquet: no findings in ".*no-json" \(expected a \.json, \.jsonl or \.jsonl\.gz file of GuardDuty findings, a folder of them, or - for stdin\)$/;
    expectOneLine(await runCli(['inspect', at('no-json')]), EXIT_BAD_INPUT, NO_FINDINGS);
    expectOneLine(await runCli(['plan', at('no-json')]), EXIT_BAD_INPUT, NO_FINDINGS);
    const state = stateOf('no-json');
    expectOneLine(await runCli(['respond', at('no-json'), ...state.flags]), EXIT_BAD_INPUT, NO_FINDINGS);
    expect(state.created()).toEqual([]);
  });
});

describe('policy files: one convention for every command', () => {
  it('an invalid policy exits 2 from plan, respond and policy check alike, with the line', async () => {
    const LINE = /^tourniquet: policy error: .*bad\.yaml:2: rules: expected a list of rules, received number 7$/;
    expectOneLine(await runCli(['plan', GPU_BTC, '--policy', at('bad.yaml')]), EXIT_BAD_INPUT, LINE);
    const state = stateOf('bad-policy');
    expectOneLine(await runCli(['respond', GPU_BTC, '--policy', at('bad.yaml'), ...state.flags]), EXIT_BAD_INPUT, LINE);
    expect(state.created()).toEqual([]);
    expect((await runCli(['policy', 'check', at('bad.yaml')])).code).toBe(EXIT_BAD_INPUT);
  });

  it('plan and respond print policy warnings (an unknown step id) as policy check does', async () => {
    const WARNING = /^warning: .*warn\.yaml:6: rules\[0\]\.steps\.no-such-step: unknown step id "no-such-step"/;
    const check = await runCli(['policy', 'check', at('warn.yaml')]);
    expect(errLines(check)).toEqual([expect.stringMatching(WARNING)]);
    const plan = await runCli(['plan', GPU_BTC, '--policy', at('warn.yaml')]);
    expect(plan.code).toBe(0);
    expect(errLines(plan)).toEqual([expect.stringMatching(WARNING)]);
    const respond = await runCli(['respond', GPU_BTC, '--policy', at('warn.yaml'), '--mode', 'observe', '--journal-path', ':memory:', '--evidence-dir', at('warn-cases')]);
    expect(respond.code).toBe(0);
    expect(errLines(respond)).toEqual([expect.stringMatching(WARNING)]);
  });
});

describe('exit-code convention', () => {
  it('maps bad input to 2 and failures of the run to 1', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new TourniquetError('not-found', 'x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new TourniquetError('aws.call', 'x'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor(new TypeError('x'))).toBe(EXIT_FAILURE);
  });

  it('prints an unexpected error as one line without its stack (the stack only with TOURNIQUET_DEBUG=1)', () => {
    const out: string[] = [];
    const err = new RangeError('Maximum call stack size exceeded');
    expect(reportError(err, (t) => out.push(t))).toBe(EXIT_FAILURE);
    expect(out).toEqual(['tourniquet: unexpected error: RangeError: Maximum call stack size exceeded\n']);
    const before = process.env.TOURNIQUET_DEBUG;
    process.env.TOURNIQUET_DEBUG = '1';
    try {
      out.length = 0;
      reportError(err, (t) => out.push(t));
      expect(out[1]).toContain('at ');
    } finally {
      if (before === undefined) delete process.env.TOURNIQUET_DEBUG;
      else process.env.TOURNIQUET_DEBUG = before;
    }
  });
});

describe('a reader that closes the pipe early', () => {
  it('ends the command quietly (no EPIPE stack trace), as `tourniquet plan samples/synthesized | head -1` does', async () => {
    const bin = join(import.meta.dirname, '../../../bin/tourniquet.js');
    const child = spawn(process.execPath, [bin, 'plan', join(import.meta.dirname, '../../../samples/synthesized')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Like `head -1`: read the first chunk, then close our end of the pipe while the command is still writing.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
