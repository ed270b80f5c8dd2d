/**
 * Crash and resume (issue 12, "Reliability suites"): `tourniquet respond <folder of 50 findings>` as a real OS
 * process with an on-disk journal against moto_server, killed with SIGKILL at seeded random points, restarted until
 * it finishes. The end state must equal an uninterrupted run's (a reference run of the same finding mix in the same
 * moto): every incident contained with the same steps done, one snapshot per volume and never a second, one untrack
 * and one isolation group per VPC, every ENI isolated; no step stuck behind a lease (the last run is given
 * `--wait-seconds 0`, so a lease left by a dead process would leave its step unfinished); and `release` of every
 * incident restores each instance as it was before the run.
 *
 * Kill points, drawn from TOURNIQUET_CRASH_SEED: half of the kills land on the n-th AWS request of the process (the
 * fault proxy holds it, alternately before and after moto has applied it: the change made and its answer lost), the
 * other half after a random delay (wherever the process is then: a journal write, evidence, a backoff).
 *
 * The 50 findings are 5 GuardDuty types (each its own finding id) on each of 10 instances, so 10 incidents. Why not
 * 50 instances: the engine paces EC2 at AWS's documented rate (5 calls/s per account and Region, `DEFAULT_RATE_LIMITS`)
 * and contains an instance in about 60 EC2 calls, so 50 instances take over 10 minutes uninterrupted; the CLI has no
 * flag to lift the limiter. TOURNIQUET_CRASH_INSTANCES=50 runs that size (allow 30 minutes).
 * Slow (about 4–5 minutes on 2 busy cores): only in `npm run test:reliability`.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../src/drill/fault-proxy.js';
import type { InstanceState } from '../../../src/drill/read-instance-state.js';
import { seedGpuFleet, type SeededFleet } from '../../../src/drill/seed-gpu-fleet.js';
import type { Journal } from '../../../src/journal/journal.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { runCliProcess, spawnCli, type CliExit } from '../../support/cli-process.js';
import { startHarness, type Harness } from '../../support/engine-harness.js';

const SEED = Number(process.env.TOURNIQUET_CRASH_SEED ?? 12);
const INSTANCES = Number(process.env.TOURNIQUET_CRASH_INSTANCES ?? 10);
const KILLS = Number(process.env.TOURNIQUET_CRASH_KILLS ?? 6);
const TYPES = [
  'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  'CryptoCurrency:EC2/BitcoinTool.B',
  'Impact:EC2/BitcoinDomainRequest.Reputation',
  'Backdoor:EC2/C&CActivity.B!DNS',
  'Trojan:EC2/DNSDataExfiltration',
];

// The default budget (5 automatic containments an hour) and breaker (10 findings of a type) would rightly stop
// this run part-way; a drill of this size raises them on purpose.
const POLICY = `
version: 1
defaults: { mode: approve }
guardrails:
  budget: { perAccountPerHour: 1000 }
  breaker: { findings: 1000, withinMinutes: 15 }
rules:
  - name: ec2-compromise
    match: { type: ["CryptoCurrency:EC2/", "Impact:EC2/", "Backdoor:EC2/", "Trojan:EC2/"], subject: [ec2-instance] }
    mode: contain
`;

/** mulberry32: the kill points are reproducible from the seed. */
function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

let h: Harness;
let dir: string;
let policyFile: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-crash50-'));
  policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, POLICY);
});
afterAll(async () => {
  await h?.close();
});

interface Run {
  readonly fleet: SeededFleet;
  readonly folder: string;
  readonly common: string[];
  readonly journalPath: string;
}

/** A fleet of `size` instances and a folder of the five findings of each, in a seeded shuffled order. */
async function prepare(name: string, size: number, random: () => number): Promise<Run> {
  const fleet = await seedGpuFleet(h.clients, { name, size });
  const folder = join(dir, name, 'findings');
  await mkdir(folder, { recursive: true });
  const files: { raw: unknown; label: string }[] = [];
  const start = Date.now() - 60_000;
  for (const [i, instanceId] of fleet.instanceIds.entries()) {
    for (const [t, type] of TYPES.entries()) {
      const finding = await h.finding(instanceId, { type, now: new Date(start + (i * TYPES.length + t) * 1000) });
      files.push({ raw: finding.raw, label: `${instanceId}-${t}` });
    }
  }
  const order = files.map((f) => ({ f, key: random() })).sort((a, b) => a.key - b.key);
  for (const [n, { f }] of order.entries()) await writeFile(join(folder, `${String(n).padStart(3, '0')}-${f.label}.json`), JSON.stringify(f.raw));
  const journalPath = join(dir, name, 'journal');
  return { fleet, folder, journalPath, common: ['--policy', policyFile, '--journal-path', journalPath, '--evidence-dir', join(dir, name, 'cases')] };
}

async function withJournal<T>(run: Run, read: (j: Journal) => Promise<T>): Promise<T> {
  const journal = await openJournal({ path: run.journalPath });
  try {
    return await read(journal);
  } finally {
    await journal.close();
  }
}

/** What an incident ended as, in terms that do not depend on timing: comparable between two runs. */
interface EndState {
  readonly status: string;
  readonly steps: Record<string, string>;
  readonly occurrences: number;
  readonly instance: {
    readonly snapshotsPerVolume: number;
    readonly everyEniOnlyInIsolation: boolean;
    readonly isolationGroupRules: number;
    readonly lifecycle?: string;
    readonly instanceProfile: boolean;
    readonly httpTokens?: string;
    readonly terminationProtection?: boolean;
    readonly caseTag: boolean;
  };
}

async function volumesOf(instanceId: string): Promise<string[]> {
  const d = await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return (d.Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.VolumeId ? [b.Ebs.VolumeId] : []));
}

async function isolationGroupsOf(vpcId: string): Promise<Record<string, string[]>> {
  const out = await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'tag-key', Values: ['tourniquet:role'] }] }));
  const byRole: Record<string, string[]> = {};
  for (const g of out.SecurityGroups ?? []) {
    const role = g.Tags?.find((t) => t.Key === 'tourniquet:role')?.Value ?? '?';
    (byRole[role] ??= []).push(g.GroupId!);
  }
  return byRole;
}

/** Each incident's end state, keyed by its instance, read from the journal and from moto. */
async function endStates(run: Run): Promise<Map<string, EndState>> {
  const groups = await isolationGroupsOf(run.fleet.vpcId);
  const isolation = groups.isolation?.[0];
  const incidents = await withJournal(run, async (j) =>
    Promise.all(
      (await j.listIncidents()).map(async (i) => ({
        incident: i,
        steps: await j.getSteps(i.incidentId),
        occurrences: await j.listOccurrences(i.incidentId),
      })),
    ),
  );
  const out = new Map<string, EndState>();
  for (const { incident, steps, occurrences } of incidents) {
    const instanceId = incident.subjectId;
    expect(out.has(instanceId), `a second incident for ${instanceId}`).toBe(false);
    const state: InstanceState = await h.state(run.fleet, incident.incidentId, instanceId);
    const volumes = await volumesOf(instanceId);
    const enis = Object.values(state.groupsByEni);
    out.set(instanceId, {
      status: incident.status,
      steps: Object.fromEntries(steps.map((s) => [s.stepId, s.status]).sort()),
      occurrences: new Set(occurrences.map((o) => o.findingId)).size,
      instance: {
        snapshotsPerVolume: state.caseSnapshots.length / volumes.length,
        everyEniOnlyInIsolation: enis.length > 0 && enis.every((g) => g.length === 1 && g[0] === isolation),
        isolationGroupRules: isolation !== undefined ? (state.ruleCounts[isolation] ?? -1) : -1,
        lifecycle: state.autoScaling?.lifecycleState,
        // Not the target-group membership: moto registers every instance of an Auto Scaling group again, Standby
        // ones included, each time the group launches a replacement (seen with moto 5: containing a second instance
        // of the group puts the first one back); AWS never registers a Standby instance. The journal's
        // deregister-targets step (in \`steps\`) and its read-back are compared instead.
        instanceProfile: state.instanceProfileArn !== undefined,
        httpTokens: state.httpTokens,
        terminationProtection: state.terminationProtection,
        caseTag: state.tags['tourniquet:case'] === incident.incidentId,
      },
    });
  }
  return out;
}

/** Every snapshot in moto, per source volume: a volume snapshotted twice shows up here whatever its tags. */
async function snapshotsPerVolume(instanceIds: readonly string[]): Promise<Record<string, number>> {
  const volumes = new Set((await Promise.all(instanceIds.map(volumesOf))).flat());
  const snaps = await h.clients.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  const counts: Record<string, number> = {};
  for (const v of volumes) counts[v] = 0;
  for (const s of snaps.Snapshots ?? []) if (s.VolumeId !== undefined && volumes.has(s.VolumeId)) counts[s.VolumeId] = (counts[s.VolumeId] ?? 0) + 1;
  return counts;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(`${INSTANCES * TYPES.length} findings, the responder killed ${KILLS} times at seeded random points`, () => {
  it('ends as an uninterrupted run does: every incident contained, no second snapshot, no step stuck behind a lease, and release restores every instance', { timeout: 30 * 60_000 }, async () => {
    const random = seeded(SEED);
    const crashed = await prepare('crash', INSTANCES, random);
    const reference = await prepare('reference', 2, random);
    const before = new Map<string, InstanceState>();
    for (const id of crashed.fleet.instanceIds) before.set(id, await h.state(crashed.fleet, undefined, id));

    // The uninterrupted run: the same mix of findings on two instances of a fleet of the same shape.
    const straight = await runCliProcess(['respond', reference.folder, ...reference.common, '--endpoint', h.moto.endpoint]);
    expect(straight.err).toBe('');
    expect(straight.code).toBe(0);
    const expected = await endStates(reference);
    expect(expected.size).toBe(2);
    const [target, other] = [expected.get(reference.fleet.targetInstanceId)!, expected.get(reference.fleet.instanceIds[1]!)!];
    expect(target.status).toBe('contained');
    expect(other).toEqual(target); // the instance with a second ENI ends the same as one without

    // The run killed again and again: each process starts where the journal says the last one stopped.
    const log: string[] = [];
    let finished: CliExit | undefined;
    for (let k = 0; k < KILLS && finished === undefined; k++) {
      const atCall = k % 2 === 0;
      const nth = 20 + Math.floor(random() * 400);
      // Kills at a request alternate between "held before moto" and "applied by moto, answer held", so both happen.
      const afterUpstream = Math.floor(k / 2) % 2 === 1;
      const waitMs = 1500 + Math.floor(random() * 20_000);
      const proxy: FaultProxy = await startFaultProxy({
        upstream: h.moto.endpoint,
        rules: atCall ? [{ name: 'kill-point', skipFirst: nth, limit: 1, fault: { kind: 'hold', afterUpstream } }] : [],
      });
      try {
        const cli = spawnCli(['respond', crashed.folder, ...crashed.common, '--endpoint', proxy.endpoint]);
        const reached = await Promise.race([
          (atCall ? proxy.whenInjected('kill-point') : delay(waitMs)).then(() => true),
          cli.exited.then(() => false),
        ]);
        if (!reached) {
          finished = await cli.exited;
          log.push(`run ${k + 1}: finished before its kill point`);
          break;
        }
        const killed = await cli.kill();
        expect(killed.signal).toBe('SIGKILL');
        log.push(`run ${k + 1}: killed ${atCall ? `at AWS request ${nth + 1} (${afterUpstream ? 'applied, answer held' : 'held before moto'})` : `after ${waitMs} ms`}`);
      } finally {
        await proxy.close();
      }
    }
    // The last run: with no wait for leases, a step another (dead) process still held would stay unfinished.
    console.info(`crash-resume-50 (seed ${SEED}):\n${log.join('\n')}`);
    const last = finished ?? (await runCliProcess(['respond', crashed.folder, ...crashed.common, '--endpoint', h.moto.endpoint, '--wait-seconds', '0']));
    expect(last.err, log.join('\n')).toBe('');
    expect(last.code, `${log.join('\n')}\n${last.out.slice(-3000)}`).toBe(0);

    const ended = await endStates(crashed);
    expect([...ended.keys()].sort()).toEqual([...crashed.fleet.instanceIds].sort());
    for (const [instanceId, state] of ended) expect(state, `${instanceId} after: ${log.join('; ')}`).toEqual(target);
    // Nothing left running or leased, and no step ran more than the retries allow.
    await withJournal(crashed, async (j) => {
      for (const i of await j.listIncidents()) {
        for (const s of await j.getSteps(i.incidentId)) {
          expect(s.status, `${i.incidentId} ${s.stepId}`).not.toBe('running');
          expect(s.leaseUntil === undefined || Date.parse(s.leaseUntil) <= Date.now() || s.status !== 'running').toBe(true);
        }
      }
    });
    // No second snapshot of any volume (counted over every snapshot in moto, tagged or not), one group per role.
    const perVolume = await snapshotsPerVolume(crashed.fleet.instanceIds);
    expect(Object.values(perVolume).every((n) => n === 1), JSON.stringify(perVolume)).toBe(true);
    const roles = await isolationGroupsOf(crashed.fleet.vpcId);
    expect(Object.fromEntries(Object.entries(roles).map(([r, g]) => [r, g.length]))).toEqual({ untrack: 1, isolation: 1 });

    // Release works afterwards: every incident, each by its own CLI process, restores its instance as it was.
    const ids = await withJournal(crashed, async (j) => (await j.listIncidents()).map((i) => ({ incidentId: i.incidentId, instanceId: i.subjectId })));
    for (const { incidentId, instanceId } of ids) {
      const released = await runCliProcess(['release', incidentId, '--reason', 'drill over', '--by', 'test', ...crashed.common, '--endpoint', h.moto.endpoint]);
      expect(released.err).toBe('');
      expect(released.code, released.out).toBe(0);
      expect(released.out).toContain(`incident ${incidentId}: released`);
      const now = await h.state(crashed.fleet, undefined, instanceId);
      const was = before.get(instanceId)!;
      // The fleet's instances share one role: each incident adds (and its release removes) its own session deny.
      expect(now.roleInlinePolicies.filter((p) => p.includes(instanceId)), instanceId).toEqual([]);
      expect({ ...now, tags: undefined, roleInlinePolicies: undefined }, instanceId).toEqual({ ...was, tags: undefined, roleInlinePolicies: undefined });
    }
    const role = (await h.state(crashed.fleet, undefined, crashed.fleet.targetInstanceId)).roleInlinePolicies;
    expect(role).toEqual(before.get(crashed.fleet.targetInstanceId)!.roleInlinePolicies);
  });
});
