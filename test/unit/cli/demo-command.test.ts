import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, SCENARIOS } from '../../../src/demo/scenario-list.js';
import { runCli } from '../../support/run-cli.js';

describe('tourniquet demo --scenario', () => {
  it('list prints every scenario with its summary, the default marked, exit 0', async () => {
    const r = await runCli(['demo', '--scenario', 'list']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const s of SCENARIOS) expect(r.out).toContain(`  ${s.name}`);
    expect(r.out).toContain(`${DEFAULT_SCENARIO.summary} (default)`);
    expect(DEFAULT_SCENARIO.name).toBe('gpu-crypto-mining');
  });

  it('an unknown name: one error line with a did-you-mean, the list, exit 2, nothing started', async () => {
    const r = await runCli(['demo', '--scenario', 'gpu-crypto-minig']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const [first, ...rest] = r.err.trimEnd().split('\n');
    expect(first).toBe('tourniquet demo: unknown scenario "gpu-crypto-minig" (did you mean "gpu-crypto-mining"?)');
    expect(rest.join('\n')).toContain(`  ${DEFAULT_SCENARIO.name}`);
    const far = await runCli(['demo', '--scenario', 'nothing-like-it']);
    expect([far.code, far.err.split('\n')[0]]).toEqual([2, 'tourniquet demo: unknown scenario "nothing-like-it"']);
  });

  it('each scenario is one file in src/demo/scenarios/ and one entry of the list, with a unique kebab-case name', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const files = readdirSync(new URL('../../../src/demo/scenarios/', import.meta.url)).filter((f) => f.endsWith('.ts'));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...names].sort());
  });
});
