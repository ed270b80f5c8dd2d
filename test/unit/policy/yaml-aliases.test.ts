import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { PolicyError } from '../../../src/errors.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { MAX_EXPANDED_NODES, checkAliases } from '../../../src/policy/yaml-aliases.js';
import { runCli } from '../../support/run-cli.js';

function issuesOf(text: string): PolicyError['issues'] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

/** A policy whose 150 rules all reuse one anchored account list. */
function reusedAnchor(times: number): string {
  const rules = Array.from({ length: times }, (_, i) => `  - name: r${i}\n    match: { accounts: *accounts }\n    mode: observe`);
  return `version: 1\nguardrails:\n  protectedAccounts: &accounts ["111122223333"]\nrules:\n${rules.join('\n')}\n`;
}

/** Nine levels of ten aliases each: 10^9 values once expanded ("billion laughs"). */
function laughs(): string {
  const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 8; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function check(text: string, limit?: number) {
  const lc = new LineCounter();
  return checkAliases(parseDocument(text, { lineCounter: lc }), lc, limit);
}

describe('YAML aliases in a policy file', () => {
  it('loads a file that reuses one anchor 150 times', () => {
    const p = parsePolicy(reusedAnchor(150), 'p.yaml');
    expect(p.rules).toHaveLength(150);
    expect(p.rules[149]!.match.accounts).toEqual(['111122223333']);
  });

  it('rejects a self-referencing alias with its line, instead of building a cyclic value', () => {
    expect(issuesOf('version: 1\nx: &a [*a]\n')).toEqual([
      { path: '(yaml)', line: 2, message: 'alias *a refers to its own anchor: a value that contains itself has no end' },
    ]);
  });

  it('rejects an alias nested deeper inside its own anchor', () => {
    expect(check('x: &a\n  b:\n    - c: 1\n    - *a\n')).toMatchObject({ line: 4, message: expect.stringContaining('refers to its own anchor') });
  });

  it('rejects an alias with no anchor before it', () => {
    expect(issuesOf('version: 1\nx: *nope\ny: &nope 1\n')).toEqual([
      { path: '(yaml)', line: 2, message: 'alias *nope has no anchor &nope before it' },
    ]);
  });

  it('stops an exponential expansion at the alias that crosses the limit, quickly', () => {
    const started = Date.now();
    const issues = issuesOf(laughs());
    expect(issues).toEqual([
      { path: '(yaml)', line: 6, message: `alias *a3 expands the file beyond ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values (anchors nested or reused too much)` },
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('counts expanded values exactly: at the limit passes, one above fails', () => {
    // a: 1 seq + 3 scalars = 4; b: 1 seq + 2 × 4 = 9; root map 1 + keys 2 + values 4 + 9 = 16.
    const text = 'a: &a [1, 2, 3]\nb: [*a, *a]\n';
    expect(check(text, 16)).toBeUndefined();
    expect(check(text, 15)).toMatchObject({ line: 2 });
  });

  it('uses the last anchor of a name before the alias, as the YAML library does', () => {
    // The second &a is small; the alias after it must not be charged for the first, large one.
    const text = 'big: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nsmall: &a [1]\nuse: [*a, *a, *a]\n';
    expect(check(text, 25)).toBeUndefined();
  });

  it('policy check prints one error line with file:line and exits 2, no stack', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tq-alias-')), 'self.yaml');
    await writeFile(file, 'version: 1\nx: &a [*a]\n');
    const r = await runCli(['policy', 'check', file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `error: ${file}:2: (yaml): alias *a refers to its own anchor: a value that contains itself has no end\n${file}: 1 error(s)\n`,
    );
  });
});
