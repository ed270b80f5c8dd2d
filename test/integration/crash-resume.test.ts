/**
 * kill -9 of a real `tourniquet respond` process at known points — the fault proxy holds one AWS call unanswered so
 * the kill lands there — then `resume`, a re-run of `respond`, or `approve` in a new process: the plan finishes,
 * the step left running is taken over at once (the journal's folder lock proves its process gone), nothing is
 * captured twice and nothing is created twice. State is read back from moto_server: one snapshot per volume, one
 * untrack and one isolation group, every ENI isolated; release restores the state from before the crash.
 * A step that failed (throttled past its retries) runs again on re-delivery and on resume.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../src/drill/fault-proxy.js';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import type { Journal, StepRecord } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { CONTAIN_POLICY, startHarness, type Harness } from '../support/engine-harness.js';
import { beforeExit, runCliProcess, spawnCli } from '../support/cli-process.js';

let h: Harness;
let dir: string;
let policyFile: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-crash-'));
  policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, CONTAIN_POLICY);
});
afterAll(async () => {
  await h?.close();
});

interface Scenario {
  readonly fleet: SeededFleet;
  readonly findingFile: string;
  readonly common: string[];
  readonly journalPath: string;
}

async function scenario(name: string): Promise<Scenario> {
  const fleet = await h.seed(name);
  const findingFile = join(dir, `${name}.json`);
  await writeFile(findingFile, JSON.stringify((await h.finding(fleet.targetInstanceId)).raw));
  const journalPath = join(dir, name, 'journal');
  return { fleet, findingFile, journalPath, common: ['--policy', policyFile, '--journal-path', journalPath, '--evidence-dir', join(dir, name, 'cases')] };
}

/** Runs `respond` through a proxy that holds the call `rule` selects, and kills the process while it waits there. */
async function respondAndKill(s: Scenario, rule: FaultRule & { name: string }, extra: string[] = []): Promise<void> {
  const proxy: FaultProxy = await startFaultProxy({ upstream: h.moto.endpoint, rules: [rule] });
  try {
    const cli = spawnCli(['respond', s.findingFile, ...s.common, '--endpoint', proxy.endpoint, ...extra]);
    await beforeExit(cli, proxy.whenInjected(rule.name));
    const killed = await cli.kill();
    expect(killed.signal).toBe('SIGKILL');
  } finally {
    await proxy.close();
  }
}

/** The on-disk journal, read from this process (the dead process's lock is stale and taken over), then closed. */
async function readJournal<T>(s: Scenario, read: (j: Journal) => Promise<T>): Promise<T> {
  const journal = await openJournal({ path: s.journalPath });
  try {
    return await read(journal);
  } finally {
    await journal.close();
  }
}

async function journalState(s: Scenario): Promise<{ incidentId: string; steps: Map<string, StepRecord> }> {
  return readJournal(s, async (j) => {
    const [incident] = await j.listIncidents();
    if (!incident) throw new Error('no incident journaled');
    return { incidentId: incident.incidentId, steps: new Map((await j.getSteps(incident.incidentId)).map((x) => [x.stepId, x])) };
  });
}

async function isolationGroups(vpcId: string): Promise<Record<string, number>> {
  const out = await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'tag-key', Values: ['tourniquet:role'] }] }));
  const counts: Record<string, number> = {};
  for (const g of out.SecurityGroups ?? []) {
    const role = g.Tags?.find((t) => t.Key === 'tourniquet:role')?.Value ?? '?';
    counts[role] = (counts[role] ?? 0) + 1;
  }
  return counts;
}

/** Containment holds, read back from moto: one snapshot per volume, the two per-VPC groups once, every ENI isolated. */
async function expectContained(s: Scenario, incidentId: string, volumes: number): Promise<void> {
  const state = await h.state(s.fleet, incidentId);
  expect(state.caseSnapshots).toHaveLength(volumes);
  expect(await isolationGroups(s.fleet.vpcId)).toEqual({ untrack: 1, isolation: 1 });
  const groups = Object.values(state.groupsByEni);
  expect(groups).toHaveLength(2);
  for (const g of groups) {
    expect(g).toHaveLength(1);
    expect(state.ruleCounts[g[0]!]).toBe(0);
  }
  expect(state.autoScaling?.lifecycleState).toBe('Standby');
  expect(state.instanceProfileArn).toBeUndefined();
  expect(state.httpTokens).toBe('required');
  expect(state.terminationProtection).toBe(true);
}

const volumeCount = async (s: Scenario): Promise<number> => {
  const { Reservations } = await h.clients.ec2.send(new (await import('@aws-sdk/client-ec2')).DescribeInstancesCommand({ InstanceIds: [s.fleet.targetInstanceId] }));
  return (Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? []).filter((b) => b.Ebs?.VolumeId).length;
};

describe('kill -9 during respond, then finish by hand', () => {
  it('a step left running (snapshot taken, answer never seen): `resume` takes it over at once, keeps its pre-image, takes no second snapshot', async () => {
    const s = await scenario('crash-snapshot');
    await respondAndKill(s, { name: 'hold-snapshot', operations: ['CreateSnapshots'], fault: { kind: 'hold', afterUpstream: true } });
    const before = await journalState(s);
    const snap = before.steps.get('snapshot-volumes')!;
    expect(snap).toMatchObject({ status: 'running', attempts: 1 });
    expect(snap.leaseProcess).toBeDefined();
    expect(Date.parse(snap.leaseUntil!)).toBeGreaterThan(Date.now()); // its lease still runs: only the lock proves it gone
    expect(snap.preImage).toBeDefined();
    const volumes = await volumeCount(s);
    expect((await h.state(s.fleet, before.incidentId)).caseSnapshots).toHaveLength(volumes); // the snapshot did happen

    const resumed = await runCliProcess(['resume', before.incidentId, ...s.common, '--endpoint', h.moto.endpoint, '--wait-seconds', '0']);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`incident ${before.incidentId}: contained`);

    const after = await journalState(s);
    expect(after.steps.get('snapshot-volumes')).toMatchObject({ status: 'done', attempts: 2, preImage: snap.preImage, output: { createdSnapshotIds: [], method: 'none' } });
    // The evidence capture runs alongside the snapshot: it finished before the kill, or it is taken over once.
    expect(after.steps.get('capture-evidence')).toMatchObject({ status: 'done' });
    expect(after.steps.get('capture-evidence')!.attempts).toBeLessThanOrEqual(2);
    await expectContained(s, before.incidentId, volumes);
    const events = await readJournal(s, (j) => j.listEvents(before.incidentId));
    expect(events.some((e) => e.type === 'step.taken-over' && e.message.startsWith('snapshot-volumes: taken over from tourniquet-') && e.message.includes('its process is gone'))).toBe(true);
  });

  it('mid-isolation (one ENI moved, the answer lost): re-running respond resumes; one group of each kind; release restores the groups from before the crash', async () => {
    const s = await scenario('crash-isolation');
    const original = await h.state(s.fleet);
    await respondAndKill(s, { name: 'hold-second-eni', operations: ['ModifyNetworkInterfaceAttribute'], skipFirst: 1, fault: { kind: 'hold', afterUpstream: true } });
    const before = await journalState(s);
    expect(before.steps.get('isolate-network')).toMatchObject({ status: 'running' });
    const half = await h.state(s.fleet);
    expect(Object.values(half.groupsByEni)).not.toEqual(Object.values(original.groupsByEni)); // half-isolated for real

    const again = await runCliProcess(['respond', s.findingFile, ...s.common, '--endpoint', h.moto.endpoint]);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(again.out).toContain('already seen: the unfinished plan was resumed');
    const after = await journalState(s);
    expect(after.steps.get('isolate-network')).toMatchObject({ status: 'done', attempts: 2 });
    await expectContained(s, before.incidentId, await volumeCount(s));

    // The pre-image journaled before the crash (the application's groups) is what release puts back.
    const journal = await openJournal({ path: s.journalPath });
    try {
      const { responder } = await h.engine({ journal });
      const released = await responder.release(before.incidentId, { by: 'test', reason: 'drill over' });
      expect(released.failed).toEqual([]);
    } finally {
      await journal.close();
    }
    expect((await h.state(s.fleet)).groupsByEni).toEqual(original.groupsByEni);
  });

  it('approve mode, killed while snapshotting: `approve` in a new process takes the snapshot step over and contains', async () => {
    const s = await scenario('crash-approve');
    await respondAndKill(s, { name: 'hold-snapshot', operations: ['CreateSnapshots'], fault: { kind: 'hold', afterUpstream: true } }, ['--mode', 'approve']);
    const before = await journalState(s);
    expect(before.steps.get('snapshot-volumes')?.status).toBe('running');
    const approved = await runCliProcess(['approve', before.incidentId, '--by', 'carol', ...s.common, '--endpoint', h.moto.endpoint]);
    expect(approved.err).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.out).toContain(`incident ${before.incidentId}: contained`);
    const after = await journalState(s);
    expect(after.steps.get('snapshot-volumes')).toMatchObject({ status: 'done', attempts: 2 });
    expect(after.steps.get('isolate-network')).toMatchObject({ status: 'done', approvedBy: 'carol' });
    await expectContained(s, before.incidentId, await volumeCount(s));
  });
});

describe('a failed step', () => {
  it('runs again on re-delivery (transient) and on resume, not with --no-retry-failed; then containment holds', async () => {
    const fleet = await h.seed('failed-step');
    const proxy = await startFaultProxy({ upstream: h.moto.endpoint, rules: [{ name: 'imds', operations: ['ModifyInstanceMetadataOptions'], fault: { kind: 'throttle' } }] });
    const journal = await openJournal({});
    try {
      const finding = await h.finding(fleet.targetInstanceId);
      const throttled = await h.engine({ journal, endpoint: proxy.endpoint, retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
      const first = (await throttled.responder.respond(finding)).outcomes[0]!;
      expect(first.status).toBe('partial');
      const failed = (s: typeof first.steps) => s.find((x) => x.stepId === 'enforce-imdsv2');
      expect(failed(first.steps)).toMatchObject({ status: 'failed', attempts: 1, error: { transient: true } });
      // A re-delivery retries it (still throttled: fails again).
      const again = (await throttled.responder.respond(finding)).outcomes[0]!;
      expect(again.handling).toBe('resumed');
      expect(failed(again.steps)).toMatchObject({ status: 'failed', attempts: 2 });

      const direct = await h.engine({ journal });
      const kept = await direct.responder.resume(first.incidentId, { retryFailed: false });
      expect(kept.status).toBe('partial');
      expect(kept.progressed).toBe(false);
      expect((await h.state(fleet)).httpTokens).not.toBe('required');
      const resumed = await direct.responder.resume(first.incidentId);
      expect(resumed.status).toBe('contained');
      expect(failed(resumed.steps)).toMatchObject({ status: 'done', attempts: 3 });
      expect((await h.state(fleet)).httpTokens).toBe('required');
      const events = await journal.listEvents(first.incidentId);
      expect(events.filter((e) => e.type === 'step.reopened').map((e) => e.message)).toEqual([
        'enforce-imdsv2: run again: it failed on a transient error',
        'enforce-imdsv2: run again on resume',
      ]);
    } finally {
      await journal.close();
      await proxy.close();
    }
  });
});
