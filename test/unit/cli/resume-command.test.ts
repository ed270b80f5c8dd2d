/**
 * `tourniquet resume` on bad input: one clear line, a non-zero exit, no stack trace.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

describe('tourniquet resume', () => {
  it('an unknown incident: one line naming it, exit 2 (not found is bad input)', async () => {
    const r = await runCli(['resume', 'inc-nope', '--journal-path', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('tourniquet: incident not found: string "inc-nope"\n');
  });

  it('a bad --wait-seconds: one usage line with the value, exit 2', async () => {
    const r = await runCli(['resume', 'inc-x', '--journal-path', ':memory:', '--wait-seconds', 'soon']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('tourniquet: --wait-seconds must be a whole number of seconds from 0 to 600, received "soon"\n');
  });

  it('--journal-endpoint without --journal-table is refused', async () => {
    const r = await runCli(['resume', 'inc-x', '--journal-endpoint', 'http://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('tourniquet: --journal-endpoint goes with --journal-table\n');
  });
});
