/**
 * Benchmark `bench:contain` (issue 12): how many SEQUENTIAL AWS round trips the engine needs to contain
 *   - one GPU instance (the EC2 playbook, contain mode, from the finding to every step done), and
 *   - one IAM user with a stolen key (the iam-user playbook, contain mode),
 * (moto lacks the service-specific-credential API, so the policy skips `deactivate-bedrock-keys`) in six
 * configurations, run by run:
 *   (a) moto_server directly, no added latency: its answers are recorded at the SDK level (bench/support/sdk-replay.ts);
 *   (b) the same finding, every AWS call given a fixed latency at the SDK level (50 ms before it is answered) and
 *       answered from (a)'s recording: no emulator on the wire, so moto's own time is not counted (as issue 12 asks);
 *   (c) the same latency with one call in flight at a time, process-wide (the plan strictly sequential);
 *   (e) and (s): (b) and (c) with the engine's own rate limiter at its defaults — the engine as it ships, which
 *       gives the headline figures; (a), (b), (c) lift the limiter to show the plan's own structure;
 *   (w) EC2 only: (e) after another instance of the same VPC was contained (not timed), so the VPC's untrack and
 *       isolation groups exist — every instance but a VPC's first (the headline (e) creates them); replayed from
 *       a recording of its own (the sibling, then the instance, against moto, not timed).
 * `speedupVsSequential` = time of (s) ÷ time of (e) (limiter lifted: (c) ÷ (b)), for the whole playbook.
 * Round trips are counted from each call's recorded wire interval (bench/support/sdk-latency.ts): the longest chain
 * of non-overlapping calls up to the point, cross-checked with elapsed time ÷ latency (which also counts the
 * engine's own waits: its rate limiter, journal and evidence writes).
 * Points: isolation = the end of the last ModifyNetworkInterfaceAttribute (the isolation group on every ENI);
 * credentials cut = the end of the later of the last UpdateAccessKey → Inactive and the PutUserPolicy of the deny.
 * The engine's retries are its defaults; its rate limiter (src/engine/rate-limiter.ts: AWS's per-API buckets at 0.9,
 * containment ahead of evidence reads) is on in (e) and (s).
 * Every recorded run starts from a reset emulator and freshly seeded resources (not timed).
 * BENCH_TRACE=<config key> (e.g. `latency`) prints the first EC2 run's calls and journal operations to stderr.
 * Usage: `npm run bench:contain -- [--quick] [runs]` (default 3 runs; `--quick` 1 run and no (s) run for the IAM
 * user, whose speedupVsSequentialIamUser is then null). Last stdout line: one JSON object.
 */
import './support/quiet-sdk-warning.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { startMotoServer, type MotoServer } from '../src/aws/moto-server.js';
import { buildDrillFinding } from '../src/drill/build-drill-finding.js';
import { buildEc2DrillFinding } from '../src/drill/ec2-finding.js';
import { seedGpuFleet, type SeedClients } from '../src/drill/seed-gpu-fleet.js';
import { NO_RATE_LIMITS, RateLimiter } from '../src/engine/rate-limiter.js';
import { createResponder } from '../src/engine/create-responder.js';
import { parseRecord } from '../src/findings/read-input.js';
import { openJournal } from '../src/journal/open-journal.js';
import { MemoryNotifier } from '../src/notify/notification.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { SdkLatency, sequentialRoundTrips, type WireCall } from './support/sdk-latency.js';
import { SdkRecording } from './support/sdk-replay.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const LATENCY_MS = 50;
const POLICY = parsePolicy(
  `version: 1
defaults: { mode: approve }
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }
    mode: contain
  - name: stolen-user-keys
    match: { type: ["UnauthorizedAccess:IAMUser/"], subject: [iam-user] }
    mode: contain
    # moto has no service-specific-credential API (Bedrock API keys).
    steps: { deactivate-bedrock-keys: skip }
`,
  'bench-contain-policy.yaml',
);

type Playbook = 'ec2-instance' | 'iam-user';
interface Config {
  readonly key: 'engine' | 'engineSequential' | 'moto' | 'latency' | 'sequential' | 'warm';
  readonly name: string;
  readonly latencyMs: number;
  readonly sequential: boolean;
  /** The engine's own rate limiter at its defaults (else lifted, to see the plan's structure). */
  readonly engineLimits: boolean;
  /** EC2 only: another instance of the fleet contained first (not timed), so the VPC's isolation groups exist. */
  readonly warm?: boolean;
}
const CONFIGS: readonly Config[] = [
  { key: 'engine', name: `(e) +${LATENCY_MS} ms, engine limiter on`, latencyMs: LATENCY_MS, sequential: false, engineLimits: true },
  { key: 'engineSequential', name: `(s) +${LATENCY_MS} ms, limiter on, 1 call at a time`, latencyMs: LATENCY_MS, sequential: true, engineLimits: true },
  { key: 'moto', name: '(a) moto, no latency, no limiter', latencyMs: 0, sequential: false, engineLimits: false },
  { key: 'latency', name: `(b) +${LATENCY_MS} ms, no limiter`, latencyMs: LATENCY_MS, sequential: false, engineLimits: false },
  { key: 'sequential', name: `(c) +${LATENCY_MS} ms, no limiter, 1 call at a time`, latencyMs: LATENCY_MS, sequential: true, engineLimits: false },
  { key: 'warm', name: `(w) +${LATENCY_MS} ms, limiter on, groups exist`, latencyMs: LATENCY_MS, sequential: false, engineLimits: true, warm: true },
];

interface RunResult {
  readonly msComplete: number;
  /** To isolation (EC2) or to the credentials cut (IAM user); NaN when the point was never reached. */
  readonly msToPoint: number;
  readonly roundTripsToPoint: number;
  readonly roundTripsTotal: number;
  readonly calls: number;
  readonly status: string;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function lastEnd(calls: readonly WireCall[], match: (c: WireCall) => boolean): number {
  const ends = calls.filter(match).map((c) => c.end);
  return ends.length === 0 ? Number.NaN : Math.max(...ends);
}

/** The point the figure is about, as an absolute performance.now() time. */
function pointOf(playbook: Playbook, calls: readonly WireCall[]): number {
  if (playbook === 'ec2-instance') return lastEnd(calls, (c) => c.operation === 'ModifyNetworkInterfaceAttribute');
  const keys = lastEnd(calls, (c) => c.operation === 'UpdateAccessKey' && c.input.Status === 'Inactive');
  const deny = lastEnd(calls, (c) => c.operation === 'PutUserPolicy');
  return Number.isNaN(keys) || Number.isNaN(deny) ? Number.NaN : Math.max(keys, deny);
}

async function seedUser(iam: IAMClient, userName: string): Promise<void> {
  await iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'team', Value: 'ml' }] }));
  await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'own-inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] }) }));
  await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: 'Seed-Password-1!', PasswordResetRequired: false }));
  const serial = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-mfa` }))).VirtualMFADevice!.SerialNumber!;
  await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
}

async function findingFor(playbook: Playbook, moto: MotoServer, clients: SeedClients, run: number, sibling?: { finding?: unknown }): Promise<unknown> {
  if (playbook === 'ec2-instance') {
    const fleet = await seedGpuFleet(clients, { name: `bench-${run}` });
    const finding = async (id: string): Promise<unknown> => {
      const d = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      return buildEc2DrillFinding(d.Reservations![0]!.Instances![0]!, { accountId: ACCOUNT, region: REGION });
    };
    const other = fleet.instanceIds.find((id) => id !== fleet.targetInstanceId);
    if (sibling !== undefined && other !== undefined) sibling.finding = await finding(other);
    return finding(fleet.targetInstanceId);
  }
  const userName = `bench-user-${run}`;
  await seedUser(clients.iam, userName);
  return buildDrillFinding({ kind: 'iam-user', id: userName, type: 'UnauthorizedAccess:IAMUser/TorIPCaller', accountId: ACCOUNT, region: REGION, endpoint: moto.endpoint });
}

/** What a run's AWS calls reach: moto (recording its answers), or the answers of such a run replayed (no emulator). */
type Wire = { readonly kind: 'record'; readonly recording: SdkRecording } | { readonly kind: 'replay'; readonly recording: SdkRecording };

/** One seeded case: the finding of the instance or user, and for EC2 a sibling of the same VPC. */
interface Case {
  readonly finding: unknown;
  readonly sibling?: unknown;
}

async function seedCase(moto: MotoServer, clients: SeedClients, playbook: Playbook, run: number, withSibling: boolean): Promise<Case> {
  await moto.reset();
  const sibling: { finding?: unknown } = {};
  const finding = await findingFor(playbook, moto, clients, run, withSibling ? sibling : undefined);
  if (withSibling && sibling.finding === undefined) throw new Error('the fleet has no second instance to contain first');
  return { finding, ...(withSibling ? { sibling: sibling.finding } : {}) };
}

const T0 = { at: 0 };
function traced<J extends object>(j: J, on: boolean): J {
  if (!on) return j;
  return new Proxy(j, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const s = performance.now();
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (r instanceof Promise) void r.finally(() => process.stderr.write(`    J ${(s - T0.at).toFixed(0).padStart(6)} ${(performance.now() - T0.at).toFixed(0).padStart(6)} ${String(prop)} ${typeof args[1] === 'string' ? args[1] : ''}\n`)).catch(() => undefined);
        return r;
      };
    },
  });
}

async function runOnce(moto: MotoServer, playbook: Playbook, config: Config, seeded: Case, wire: Wire, trace: boolean): Promise<RunResult> {
  const record = parseRecord(seeded.finding, { name: 'bench-contain' });
  if (record.kind !== 'finding') throw new Error('the drill finding did not parse as a finding');
  const latency = new SdkLatency({ latencyMs: config.latencyMs, sequential: config.sequential });
  const replay = wire.kind === 'replay' ? wire.recording.replay() : undefined;
  const journal = traced(await openJournal({}), trace);
  await journal.ensureTable();
  // A fresh case folder each run: a replay acts on the same incident as the run it replays.
  const evidenceDir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-contain-'));
  try {
    // The composition root itself, with the clients wrapped at the SDK level: the latency first (it runs first),
    // then the recorded answers, or moto's answers recorded.
    const responder = createResponder({
      journal,
      policy: POLICY,
      endpoint: moto.endpoint,
      evidence: { dir: evidenceDir },
      notifier: new MemoryNotifier(),
      wrapClients: (clients) => (replay !== undefined ? replay.wrap(latency.wrap(clients)) : wire.recording.record(latency.wrap(clients))),
      ...(config.engineLimits ? {} : { rateLimiter: new RateLimiter(NO_RATE_LIMITS) }),
    });
    if (seeded.sibling !== undefined) {
      // Not timed: another instance of the same VPC contained first, as a second finding in a VPC would find it.
      const first = parseRecord(seeded.sibling, { name: 'bench-contain-sibling' });
      if (first.kind !== 'finding') throw new Error('the sibling finding did not parse as a finding');
      await responder.respond(first);
      latency.calls.length = 0;
    }
    const started = performance.now();
    T0.at = started;
    const result = await responder.respond(record);
    const ended = performance.now();
    const outcome = result.outcomes.find((o) => o.subject.kind === playbook);
    if (outcome === undefined) throw new Error(`no ${playbook} outcome`);
    if (replay !== undefined && replay.misses.length > 0) {
      throw new Error(`${config.name}: ${replay.misses.length} call(s) had no recorded answer, e.g. ${replay.misses[0]!.slice(0, 400)}`);
    }
    const point = pointOf(playbook, latency.calls);
    if (trace) {
      for (const st of result.outcomes.flatMap((o) => o.steps)) {
        if (st.status !== 'done') process.stderr.write(`    step ${st.stepId} ${st.status} ${st.error?.message ?? ''}\n`);
      }
      for (const c of [...latency.calls].sort((a, b) => a.start - b.start)) {
        process.stderr.write(`    ${(c.start - started).toFixed(0).padStart(6)} ${(c.end - started).toFixed(0).padStart(6)} ${c.operation}\n`);
      }
    }
    return {
      msComplete: ended - started,
      msToPoint: point - started,
      roundTripsToPoint: Number.isNaN(point) ? Number.NaN : sequentialRoundTrips(latency.calls, point),
      roundTripsTotal: sequentialRoundTrips(latency.calls, ended),
      calls: latency.calls.length,
      status: outcome.status,
    };
  } finally {
    await journal.close();
    await rm(evidenceDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const runsArg = args.find((a) => a !== '--quick');
  const runs = runsArg !== undefined ? Number(runsArg) : quick ? 1 : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, received ${runsArg}`);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: REGION });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
  // The AWS managed policy AWSCompromisedKeyQuarantineV3 must exist for the iam-user playbook.
  const moto = await startMotoServer({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } });
  const cfg = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  const clients: SeedClients = { ec2: new EC2Client(cfg), autoScaling: new AutoScalingClient(cfg), elbv2: new ElasticLoadBalancingV2Client(cfg), iam: new IAMClient(cfg) };
  const playbooks: readonly Playbook[] = ['ec2-instance', 'iam-user'];
  const results = new Map<string, RunResult[]>();
  const key = (p: Playbook, c: Config): string => `${p}|${c.key}`;
  const wall = performance.now();
  try {
    // Warm-up (not counted): moto compiles its handlers and loads its AMI catalogue and managed policies on first use.
    await moto.reset();
    await findingFor('ec2-instance', moto, clients, 0);
    await findingFor('iam-user', moto, clients, 0);
    const traceKey = process.env.BENCH_TRACE;
    for (let run = 1; run <= runs; run++) {
      for (const p of playbooks) {
        // moto first: its run records every answer; the latency runs replay them (no emulator on their wire).
        const cold = await seedCase(moto, clients, p, run, false);
        const coldRecording = new SdkRecording();
        let warm: { seeded: Case; recording: SdkRecording } | undefined;
        for (const c of [...CONFIGS].sort((a, b) => Number(b.key === 'moto') - Number(a.key === 'moto'))) {
          // --quick: the IAM user's sequential-with-limiter run is left out (15 s with the earlier 2/s IAM limiter).
          if (quick && p === 'iam-user' && c.key === 'engineSequential') continue;
          if (p === 'iam-user' && c.warm === true) continue;
          let seeded = cold;
          let wire: Wire = c.key === 'moto' ? { kind: 'record', recording: coldRecording } : { kind: 'replay', recording: coldRecording };
          if (c.warm === true) {
            if (warm === undefined) {
              // Recorded once against moto (not timed): the sibling, then the instance, with the groups it left.
              const seededWarm = await seedCase(moto, clients, p, run, true);
              const recording = new SdkRecording();
              await runOnce(moto, p, CONFIGS.find((x) => x.key === 'moto')!, seededWarm, { kind: 'record', recording }, false);
              warm = { seeded: seededWarm, recording };
            }
            seeded = warm.seeded;
            wire = { kind: 'replay', recording: warm.recording };
          }
          const r = await runOnce(moto, p, c, seeded, wire, traceKey === c.key && p === 'ec2-instance' && run === 1);
          const list = results.get(key(p, c)) ?? [];
          list.push(r);
          results.set(key(p, c), list);
          process.stderr.write(
            `  run ${run} ${p} ${c.name}: ${(r.msComplete / 1000).toFixed(2)} s, to point ${(r.msToPoint / 1000).toFixed(2)} s, ` +
              `${r.roundTripsToPoint} round trips to point, ${r.roundTripsTotal} in all, ${r.calls} calls, ${r.status}\n`,
          );
        }
      }
    }
  } finally {
    await moto.stop();
  }
  const med = (p: Playbook, k: Config['key'], f: (r: RunResult) => number): number => {
    const rs = results.get(`${p}|${k}`);
    return rs === undefined ? Number.NaN : median(rs.map(f));
  };
  console.log(`contain: median of ${runs} run(s) per configuration${quick ? ' (--quick)' : ''}, Node ${process.version}, added latency ${LATENCY_MS} ms a call`);
  for (const p of playbooks) {
    const point = p === 'ec2-instance' ? 'isolation' : 'credentials cut';
    for (const c of CONFIGS) {
      const rs = results.get(key(p, c));
      if (rs === undefined) continue;
      console.log(
        `  ${p.padEnd(13)} ${c.name.padEnd(36)} complete ${(med(p, c.key, (r) => r.msComplete) / 1000).toFixed(2)} s` +
          `  to ${point} ${(med(p, c.key, (r) => r.msToPoint) / 1000).toFixed(2)} s` +
          `  round trips to ${point} ${med(p, c.key, (r) => r.roundTripsToPoint)} (elapsed ÷ latency ${c.latencyMs > 0 ? (med(p, c.key, (r) => r.msToPoint) / c.latencyMs).toFixed(0) : '-'})` +
          `  in all ${med(p, c.key, (r) => r.roundTripsTotal)} of ${med(p, c.key, (r) => r.calls)} calls  [${rs.map((r) => r.status).join(',')}]`,
      );
    }
    const seq = med(p, 'sequential', (r) => r.msComplete);
    const withLimiter = med(p, 'engineSequential', (r) => r.msComplete) / med(p, 'engine', (r) => r.msComplete);
    console.log(
      `  ${p.padEnd(13)} speedup vs sequential, whole playbook: (s) ÷ (e) ${Number.isNaN(withLimiter) ? 'not measured (--quick leaves out the IAM user\'s (s) run)' : `${withLimiter.toFixed(2)}x`}, without the limiter (c) ÷ (b) ${(seq / med(p, 'latency', (r) => r.msComplete)).toFixed(2)}x`,
    );
  }
  console.log(`  total wall time ${((performance.now() - wall) / 1000).toFixed(0)} s`);
  const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
  const figures = (k: 'engine' | 'latency', seqKey: 'engineSequential' | 'sequential') => ({
    roundTripsToIsolation: med('ec2-instance', k, (r) => r.roundTripsToPoint),
    roundTripsToCredentialsCut: med('iam-user', k, (r) => r.roundTripsToPoint),
    msToIsolation: round(med('ec2-instance', k, (r) => r.msToPoint), 0),
    msToPlaybookComplete: round(med('ec2-instance', k, (r) => r.msComplete), 0),
    // The whole EC2 playbook's longest chain of non-overlapping calls: the plan's structure, which the machine's load
    // does not move (the sequential run's is its call count).
    roundTripsToPlaybookComplete: med('ec2-instance', k, (r) => r.roundTripsTotal),
    msToCredentialsCut: round(med('iam-user', k, (r) => r.msToPoint), 0),
    msToIamUserPlaybookComplete: round(med('iam-user', k, (r) => r.msComplete), 0),
    speedupVsSequential: round(med('ec2-instance', seqKey, (r) => r.msComplete) / med('ec2-instance', k, (r) => r.msComplete)),
    speedupVsSequentialIamUser: round(med('iam-user', seqKey, (r) => r.msComplete) / med('iam-user', k, (r) => r.msComplete)),
  });
  console.log(
    JSON.stringify({
      bench: 'contain',
      quick,
      runs,
      latencyMs: LATENCY_MS,
      // The engine as it ships (its rate limiter on), every call +50 ms.
      ...figures('engine', 'engineSequential'),
      // The same when the VPC's untrack and isolation groups already exist (every instance but a VPC's first).
      warm: {
        roundTripsToIsolation: med('ec2-instance', 'warm', (r) => r.roundTripsToPoint),
        msToIsolation: round(med('ec2-instance', 'warm', (r) => r.msToPoint), 0),
        msToPlaybookComplete: round(med('ec2-instance', 'warm', (r) => r.msComplete), 0),
      },
      // The same with the engine's rate limiter lifted: the plan's own structure.
      limiterLifted: figures('latency', 'sequential'),
      // moto directly, no added latency, limiter lifted.
      moto: {
        msToIsolation: round(med('ec2-instance', 'moto', (r) => r.msToPoint), 0),
        msToPlaybookComplete: round(med('ec2-instance', 'moto', (r) => r.msComplete), 0),
        msToCredentialsCut: round(med('iam-user', 'moto', (r) => r.msToPoint), 0),
        msToIamUserPlaybookComplete: round(med('iam-user', 'moto', (r) => r.msComplete), 0),
      },
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
