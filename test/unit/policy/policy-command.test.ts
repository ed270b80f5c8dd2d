import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPolicyCommand } from '../../../src/cli/commands/policy.js';
import { builtInPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import { captureOutput } from '../../support/capture-output.js';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));

describe('tourniquet policy check / show', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let code = 0;
    const program = new Command().exitOverride();
    registerPolicyCommand(program, (c) => {
      code = Math.max(code, c);
    });
    const { out, err } = await captureOutput(() => program.parseAsync(args, { from: 'user' }));
    return { code, out, err };
  }

  it('check prints ok with the rule count, exit 0', async () => {
    const r = await run(['policy', 'check', example('tourniquet.yaml')]);
    expect(r).toEqual({ code: 0, out: 'ok: 6 rule(s)\n', err: '' });
  });

  it('check prints every error with file:line, exit 2', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tq-policy-')), 'bad.yaml');
    await writeFile(file, 'version: 1\ndefaults:\n  mode: auto\nrules:\n  - name: r\n    mach: {}\n');
    const r = await run(['policy', 'check', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      `error: ${file}:3: defaults.mode: expected one of "observe", "approve", "contain", received string "auto"`,
      `error: ${file}:6: rules[0].mach: unknown key "mach" (did you mean "match"?); allowed here: name, description, match, playbook, mode, steps, options`,
      `${file}: 2 error(s)`,
      '',
    ]);
  });

  it('check takes a rule\'s playbook options, and names a misspelled one with its line and the allowed keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tq-policy-'));
    const text = (option: string) =>
      ['version: 1', 'rules:', '  - name: gpu', '    match: { type: "CryptoCurrency:EC2/", subject: [ec2-instance] }', '    mode: contain', '    options:', `      ${option}`, ''].join('\n');
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, text('isolationSettleSeconds: 5'));
    await writeFile(bad, text('isolationSettleSecs: 5'));
    expect(await run(['policy', 'check', good])).toEqual({ code: 0, out: 'ok: 1 rule(s)\n', err: '' });
    const r = await run(['policy', 'check', bad]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      `error: ${bad}:7: rules[0].options: unknown key "isolationSettleSecs" (did you mean "isolationSettleSeconds"?); allowed: isolationSettleSeconds, replacementProfileArn, autoScalingMethod, blocklist`,
      `${bad}: 1 error(s)`,
      '',
    ]);
  });

  it('show prints the built-in policy as YAML that loads back', async () => {
    const r = await run(['policy', 'show']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# Effective Tourniquet policy from <built-in>');
    expect(parsePolicy(r.out, '<built-in>')).toEqual(builtInPolicy());
  });
});
