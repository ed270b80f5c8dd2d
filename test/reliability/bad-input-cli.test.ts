/**
 * Bad input at every CLI entry point (issue 12, "Reliability suites"): a file, stdin, a policy file, flags and
 * incident ids, each given the hostile inputs the issue lists. Every case must give one clear line naming the input
 * and the problem, exit 2, no stack trace, and leave nothing behind (no journal, no evidence folder) — the input
 * file itself is never touched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliWithStdin, type CliRun } from '../support/run-cli.js';

const GPU_BTC = join(import.meta.dirname, '../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');

let dir: string;
/** A journal holding one observed incident, for the incident-id cases. */
let journalWithOne: string;
let incidentBefore: string;
const at = (name: string): string => join(dir, name);
const errLines = (r: CliRun): string[] => r.err.split('\n').filter((l) => l !== '');
const NO_STACK = /^\s+at .+:\d+:\d+\)?$/m;

/** `levels` nested arrays as the value of a finding field, as JSON text. */
const deep = (levels: number): string => `{"detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"id":"x","deep":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

/** A YAML policy whose anchors expand 10^9 times ("billion laughs"). */
const laughs = (): string =>
  ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`), 'rules: []', ''].join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-reliability-cli-'));
  writeFileSync(at('empty.json'), '');
  writeFileSync(at('binary.json'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256)));
  writeFileSync(at('deep.json'), deep(100_000));
  // One 50 MB line (plain, not gzip): the default line limit is 16 MiB.
  writeFileSync(at('huge-line.jsonl'), `{"x":"${'x'.repeat(50 * 1024 * 1024)}"}\n`);
  writeFileSync(at('laughs.yaml'), laughs());
  writeFileSync(at('empty.yaml'), '');
  writeFileSync(at('binary.yaml'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]));
  writeFileSync(at('a-file'), 'not a folder');
  journalWithOne = at('journal-with-one');
  const r = await runCli(['respond', GPU_BTC, '--journal-path', journalWithOne, '--evidence-dir', at('cases-with-one'), '--mode', 'observe']);
  expect(r.code, r.err).toBe(0);
  incidentBefore = (await runCli(['incidents', '--journal-path', journalWithOne, '--json'])).out;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  /** The CLI arguments; `J`/`E` are replaced by this case's journal and evidence paths. */
  readonly args: (j: string, e: string) => string[];
  /** What the one line must say (naming the input and the problem). */
  readonly line: RegExp;
  readonly stdin?: () => Buffer;
  /** `policy check` prints a count line after its error lines (its documented format). */
  readonly summaryLine?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'an empty findings file', args: (j, e) => ['respond', at('empty.json'), '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /empty\.json.*(empty|no findings)/i },
  { name: 'a binary findings file', args: (j, e) => ['respond', at('binary.json'), '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /binary\.json/ },
  { name: 'JSON nested 100,000 deep in a file', args: (j, e) => ['respond', at('deep.json'), '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /deep\.json.*nested at most 256 levels/ },
  { name: 'a 50 MB line in a file', args: (j, e) => ['respond', at('huge-line.jsonl'), '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /huge-line\.jsonl:1.*(limit|MiB|longer)/i },
  { name: 'empty stdin', args: (j, e) => ['respond', '-', '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /-.*(empty|no findings)/i, stdin: () => Buffer.alloc(0) },
  { name: 'binary stdin', args: (j, e) => ['respond', '-', '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /^rejected: -: \$: expected valid JSON, received invalid JSON at line 1/, stdin: () => Buffer.from([0x00, 0xff, 0x10, 0x80, 0x0a, 0x7b, 0x00]) },
  { name: 'JSON nested 100,000 deep on stdin', args: (j, e) => ['respond', '-', '--journal-path', j, '--evidence-dir', e, '--mode', 'observe'], line: /nested at most 256 levels/, stdin: () => Buffer.from(deep(100_000)) },
  { name: 'respond with a policy whose YAML anchors expand exponentially', args: (j, e) => ['respond', GPU_BTC, '--policy', at('laughs.yaml'), '--journal-path', j, '--evidence-dir', e], line: /laughs\.yaml:\d+.*expands the file beyond/ },
  { name: 'plan with an empty policy file', args: () => ['plan', GPU_BTC, '--policy', at('empty.yaml')], line: /empty\.yaml:1: .*the policy file is empty/ },
  { name: 'policy check of a binary policy file', args: () => ['policy', 'check', at('binary.yaml')], line: /binary\.yaml:1: .*expected object/, summaryLine: true },
  { name: 'policy check of exponentially expanding anchors', args: () => ['policy', 'check', at('laughs.yaml')], line: /laughs\.yaml:\d+: .*expands the file beyond/, summaryLine: true },
  { name: 'a journal path that is a file', args: (_j, e) => ['respond', GPU_BTC, '--journal-path', at('a-file'), '--evidence-dir', e, '--mode', 'observe'], line: /a-file/ },
  { name: 'an unknown flag', args: (j, e) => ['respond', GPU_BTC, '--no-such-flag', '--journal-path', j, '--evidence-dir', e], line: /--no-such-flag/ },
  { name: 'an unknown mode', args: (j, e) => ['respond', GPU_BTC, '--mode', 'obliterate', '--journal-path', j, '--evidence-dir', e], line: /--mode .*"obliterate"/ },
  { name: 'a limit flag that is not a size', args: (j, e) => ['respond', GPU_BTC, '--max-line-bytes', 'lots', '--journal-path', j, '--evidence-dir', e], line: /--max-line-bytes.*"lots"/ },
  { name: 'show of an unknown incident id', args: () => ['show', 'inc-nope', '--journal-path', journalWithOne], line: /incident not found: .*"inc-nope"/ },
  { name: 'approve of an unknown incident id', args: () => ['approve', 'inc-nope', '--journal-path', journalWithOne], line: /incident not found: .*"inc-nope"/ },
  { name: 'release of an unknown incident id', args: () => ['release', 'inc-nope', '--reason', 'test', '--journal-path', journalWithOne], line: /incident not found: .*"inc-nope"/ },
  { name: 'resume of an unknown incident id', args: () => ['resume', 'inc-nope', '--journal-path', journalWithOne], line: /incident not found: .*"inc-nope"/ },
];

describe('bad input at every CLI entry point', () => {
  it.each(CASES)('$name: one line naming it, exit 2, no stack, nothing created', async (c) => {
    const journal = at(`${c.name.replace(/\W+/g, '-')}-journal`);
    const cases = at(`${c.name.replace(/\W+/g, '-')}-cases`);
    const args = c.args(journal, cases);
    const r = c.stdin ? await runCliWithStdin(c.stdin(), args) : await runCli(args);
    expect(`${r.out}\n${r.err}`).not.toMatch(NO_STACK);
    expect(r.code).toBe(2);
    expect(errLines(r).length, r.err).toBe(c.summaryLine ? 2 : 1);
    if (c.summaryLine) expect(errLines(r)[1]).toMatch(/: 1 error\(s\)$/);
    expect(errLines(r)[0]).toMatch(c.line);
    expect(errLines(r)[0]!.length).toBeLessThan(500);
    expect([journal, cases].filter((p) => existsSync(p))).toEqual([]);
  });

  it('leaves the input files, and the incident already journaled, as they were', async () => {
    expect((await runCli(['incidents', '--journal-path', journalWithOne, '--json'])).out).toBe(incidentBefore);
    expect(readFileSync(at('a-file'), 'utf8')).toBe('not a folder');
    expect(readFileSync(at('deep.json'), 'utf8')).toBe(deep(100_000));
  });
});
