/**
 * The CLI as a user drives it, one command at a time (each opens the on-disk journal afresh): drill a finding for a
 * real instance, respond in contain mode, approve the stop, see the incident, release it — state read back.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/engine-harness.js';
import { runCli, type CliRun } from '../support/run-cli.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-cli-'));
  process.env.AWS_ENDPOINT_URL = h.moto.endpoint;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  await h?.close();
});

const run = (...args: string[]): Promise<CliRun> => runCli(args);

describe('tourniquet CLI session', () => {
  it('drill → respond → approve → show → release, each command in its own run', async () => {
    const fleet = await h.seed('cli');
    const before = await h.state(fleet);
    const state = { journalPath: join(dir, 'journal'), evidence: join(dir, 'cases') };
    const common = ['--journal-path', state.journalPath, '--evidence-dir', state.evidence];

    const drill = await run('drill', 'ec2', fleet.targetInstanceId, '--region', 'us-east-1');
    expect(drill.code).toBe(0);
    const file = join(dir, 'finding.json');
    await writeFile(file, drill.out);

    const respond = await run('respond', file, '--mode', 'contain', ...common, '--json');
    expect(respond.code).toBe(0);
    const outcome = (JSON.parse(respond.out) as Array<{ outcomes: Array<{ incidentId: string; status: string }> }>)[0]!.outcomes[0]!;
    expect(outcome.status).toBe('contained');
    expect(Object.values((await h.state(fleet)).groupsByEni).every((g) => g.length === 1 && g[0] !== fleet.appSecurityGroupId)).toBe(true);

    const approve = await run('approve', outcome.incidentId, '--step', 'stop-instance', '--by', 'carol', '--reason', 'memory captured', ...common);
    expect(approve.code).toBe(0);
    expect(approve.out).toContain('approved: stop-instance');
    expect((await h.state(fleet)).state).toMatch(/stopp/);

    const show = await run('show', outcome.incidentId, ...common, '--json');
    const shown = JSON.parse(show.out) as { approvals: Array<{ by: string; stepId: string }>; steps: Array<{ stepId: string; status: string }> };
    expect(shown.approvals).toContainEqual(expect.objectContaining({ by: 'carol', stepId: 'stop-instance' }));
    expect(shown.steps.find((s) => s.stepId === 'stop-instance')?.status).toBe('done');

    const release = await run('release', outcome.incidentId, '--reason', 'drill over', '--by', 'carol', ...common);
    expect(release.code).toBe(0);
    // Read back: everything as before the respond (the stopped instance running again, its groups, fleet,
    // targets, profile, role policies, metadata options, attributes and tags).
    expect(await h.state(fleet)).toEqual(before);
    expect(before.state).toBe('running');

    const denied = await run('approve', outcome.incidentId, ...common);
    expect(denied.code).toBe(2); // a released incident takes no more decisions: bad input (exit 2), not a failed run
  });
});
