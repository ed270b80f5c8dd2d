/**
 * Attacker-controlled strings (a tag value with terminal escape codes, a finding id with a bidi override) never reach
 * the terminal raw from plan, respond, show, incidents: they are shown as visible escapes, and --json still carries
 * the exact values.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../../src/safe-text.js';
import { runCli } from '../../support/run-cli.js';

const SAMPLE = join(import.meta.dirname, '../../../samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
/** Sets the window title, clears the screen, turns text red; then hides what follows. */
const HOSTILE_TAG = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mRED\u009b8m';
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

let dir: string;
let findingFile: string;
let findingId: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-print-safe-'));
  const event = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { detail: { id: string; resource: { instanceDetails: { tags: Array<{ key: string; value: string }> } } } };
  event.detail.id = `${event.detail.id.slice(0, 30)}\u202e`;
  findingId = event.detail.id;
  event.detail.resource.instanceDetails.tags = [{ key: 'workload', value: `inference${HOSTILE_TAG}` }, { key: 'Name', value: HOSTILE_TAG }];
  findingFile = join(dir, 'finding.json');
  writeFileSync(findingFile, JSON.stringify(event));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('terminalSafe / terminalSafeJson', () => {
  it('shows control, C1, bidi and separator characters as visible escapes', () => {
    expect(terminalSafe('a\u001b[2Jb\u0007c\u009bd\u202ee\u2028f\ng')).toBe('a\\x1b[2Jb\\x07c\\x9bd\\u202ee\\u2028f\\x0ag');
  });

  it('keeps JSON the same value while escaping what JSON.stringify leaves raw', () => {
    const value = { tag: HOSTILE_TAG, id: 'x\u202ey\u2028z\u007f' };
    const text = terminalSafeJson(JSON.stringify(value));
    expect(text).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('engine commands print no raw escape sequences', () => {
  const common = () => ['--journal-path', join(dir, 'journal'), '--evidence-dir', join(dir, 'cases')];

  it('plan: the tag value and the finding id are shown escaped', async () => {
    const r = await runCli(['plan', findingFile]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(RAW);
    expect(r.out).toContain(`${findingId.slice(0, 30)}\\u202e`);
    expect(r.out).toContain('inference\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mRED\\x9b8m');
  });

  it('plan --json: no raw control characters, and the exact values parse back', async () => {
    const r = await runCli(['plan', findingFile, '--json']);
    expect(r.out).not.toMatch(RAW);
    const parsed = JSON.parse(r.out) as Array<{ findingId: string }>;
    expect(parsed[0]!.findingId).toBe(findingId);
    expect(r.out).toContain('\\u001b[2J');
  });

  it('respond (observe), show and incidents: nothing raw in text or JSON', async () => {
    const respond = await runCli(['respond', findingFile, '--mode', 'observe', ...common()]);
    expect(respond.err).toBe('');
    expect(respond.out).not.toMatch(RAW);
    expect(respond.out).toContain(`${findingId.slice(0, 30)}\\u202e → new incident`);
    const incidentId = /incident (inc-[^ ]+)/.exec(respond.out)![1]!;

    for (const args of [
      ['show', incidentId],
      ['show', incidentId, '--json'],
      ['incidents'],
      ['incidents', '--json'],
      ['respond', findingFile, '--mode', 'observe', '--json'],
    ]) {
      const r = await runCli([...args, ...common()]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out, args.join(' ')).not.toMatch(RAW);
    }
    const shown = JSON.parse((await runCli(['show', incidentId, '--json', ...common()])).out) as { incident: { subjectId: string } };
    expect(shown.incident.subjectId).toBe('i-0f1e2d3c4b5a69788');
  });
});
