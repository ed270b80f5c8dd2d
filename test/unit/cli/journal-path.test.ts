import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

describe('--journal-path that cannot be created', () => {
  it.skipIf(!existsSync('/proc/1'))('incidents --journal-path /proc/1/nonexist fails at once with one line, no stack', async () => {
    const started = Date.now();
    const r = await runCli(['incidents', '--journal-path', '/proc/1/nonexist']);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    // The destination check (check-destinations.ts) refuses it before the journal is opened.
    expect(r.err).toMatch(/^tourniquet: --journal-path "\/proc\/1\/nonexist" cannot hold the journal: it cannot be created: [^\n]+\n$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
