/**
 * Benchmark: time to contain one GPU instance (the full EC2 playbook, contain mode, engine defaults for retries)
 * against moto_server
 *   (a) directly — the baseline;
 *   (b) through the fault proxy injecting nothing — what the proxy itself costs;
 *   (c) through the fault proxy throttling 20% of mutating EC2/IAM/Auto Scaling/ELBv2 calls (the AWS error shapes;
 *       a different seed each run) — what throttling costs with the engine's real backoff (base 200 ms, cap 5 s).
 * Every run starts from a reset emulator and a freshly seeded fleet (not timed); the timed part is
 * `responder.respond(finding)`, from the finding to the last containment step. The configurations are interleaved
 * run by run so drift in the emulator's speed hits them alike. Prints the median, min and max per configuration, the
 * ratio of the medians to the baseline, the median number of engine retries, and how many runs ended contained.
 * Usage: `npx tsx bench/respond-under-faults.ts [runs]` (default 3; about 45 s per round of three on 2 cores).
 */
import './support/quiet-sdk-warning.js';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { startMotoServer, type MotoServer } from '../src/aws/moto-server.js';
import { buildEc2DrillFinding } from '../src/drill/ec2-finding.js';
import { startFaultProxy, type FaultRule } from '../src/drill/fault-proxy.js';
import { seedGpuFleet, type SeedClients } from '../src/drill/seed-gpu-fleet.js';
import { createResponder } from '../src/engine/create-responder.js';
import { parseRecord } from '../src/findings/read-input.js';
import { openJournal } from '../src/journal/open-journal.js';
import { MemoryNotifier } from '../src/notify/notification.js';
import { parsePolicy } from '../src/policy/load-policy.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const POLICY = parsePolicy(
  `version: 1
defaults: { mode: approve }
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }
    mode: contain
`,
  'bench-policy.yaml',
);
const MUTATING_SERVICES = ['ec2', 'iam', 'autoscaling', 'elasticloadbalancing'];

interface Config {
  readonly name: string;
  /** Undefined: straight to moto. */
  readonly rules?: (run: number) => FaultRule[];
}

const CONFIGS: readonly Config[] = [
  { name: '(a) moto directly (baseline)' },
  { name: '(b) through the proxy, 0% faults', rules: () => [] },
  {
    name: '(c) through the proxy, 20% throttling',
    rules: () => [{ name: 'throttle-20', services: MUTATING_SERVICES, mutatingOnly: true, probability: 0.2, fault: { kind: 'throttle' } }],
  },
];

interface RunResult {
  readonly ms: number;
  readonly retries: number;
  readonly contained: boolean;
  readonly throttled: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The engine's retries in one case: the sum of `retries` over every step's result or error file. */
async function caseRetries(caseDir: string): Promise<number> {
  let total = 0;
  const stepsDir = join(caseDir, 'steps');
  for (const step of await readdir(stepsDir)) {
    for (const file of ['result.json', 'error.json']) {
      try {
        total += (JSON.parse(await readFile(join(stepsDir, step, file), 'utf8')) as { retries?: number }).retries ?? 0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
  return total;
}

async function runOnce(moto: MotoServer, clients: SeedClients, config: Config, run: number, evidenceDir: string): Promise<RunResult> {
  await moto.reset();
  const fleet = await seedGpuFleet(clients, { name: `bench-${run}` });
  const d = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
  const record = parseRecord(buildEc2DrillFinding(d.Reservations![0]!.Instances![0]!, { accountId: ACCOUNT, region: REGION }), { name: 'bench-drill' });
  if (record.kind !== 'finding') throw new Error('the drill finding did not parse as a finding');
  const proxy = config.rules ? await startFaultProxy({ upstream: moto.endpoint, seed: run + 1, rules: config.rules(run) }) : undefined;
  const journal = await openJournal({});
  await journal.ensureTable();
  try {
    const responder = createResponder({
      journal,
      policy: POLICY,
      endpoint: proxy?.endpoint ?? moto.endpoint,
      evidence: { dir: evidenceDir },
      notifier: new MemoryNotifier(),
    });
    const started = performance.now();
    const result = await responder.respond(record);
    const ms = performance.now() - started;
    const outcome = result.outcomes.find((o) => o.subject.kind === 'ec2-instance');
    if (outcome === undefined) throw new Error('no ec2-instance outcome');
    const incident = await responder.getIncident(outcome.incidentId);
    const retries = await caseRetries(incident.evidenceLocation!.replace(/^file:\/\//, ''));
    return { ms, retries, contained: outcome.status === 'contained', throttled: proxy?.stats().injected.throttle ?? 0 };
  } finally {
    await journal.close();
    await proxy?.close();
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, received ${process.argv[2]}`);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: REGION });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
  const moto = await startMotoServer();
  const evidenceDir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-'));
  const cfg = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  const clients: SeedClients = { ec2: new EC2Client(cfg), autoScaling: new AutoScalingClient(cfg), elbv2: new ElasticLoadBalancingV2Client(cfg), iam: new IAMClient(cfg) };
  const results = new Map<Config, RunResult[]>(CONFIGS.map((c) => [c, []]));
  const wall = performance.now();
  try {
    // One warm-up (not counted): moto compiles its handlers and loads its AMI catalogue on first use.
    await runOnce(moto, clients, CONFIGS[0]!, 0, evidenceDir);
    for (let run = 1; run <= runs; run++) {
      for (const config of CONFIGS) {
        const r = await runOnce(moto, clients, config, run, evidenceDir);
        results.get(config)!.push(r);
        process.stderr.write(`  run ${run} ${config.name}: ${(r.ms / 1000).toFixed(2)} s, ${r.retries} retries${r.contained ? '' : ' (NOT contained)'}\n`);
      }
    }
  } finally {
    await moto.stop();
    await rm(evidenceDir, { recursive: true, force: true });
  }
  const baseline = median(results.get(CONFIGS[0]!)!.map((r) => r.ms));
  console.log(`respond-under-faults: contain one instance (full EC2 playbook, contain mode), median of ${runs} run(s) each, Node ${process.version}`);
  for (const config of CONFIGS) {
    const rs = results.get(config)!;
    const ms = rs.map((r) => r.ms);
    const med = median(ms);
    const contained = rs.filter((r) => r.contained).length;
    const throttled = config.rules ? `, ${median(rs.map((r) => r.throttled))} throttled calls (median)` : '';
    console.log(
      `  ${config.name.padEnd(40)} ${(med / 1000).toFixed(2)} s  (min ${(Math.min(...ms) / 1000).toFixed(2)}, max ${(Math.max(...ms) / 1000).toFixed(2)})  ` +
        `ratio ${(med / baseline).toFixed(2)}x  retries ${median(rs.map((r) => r.retries))} (median)${throttled}  contained ${contained}/${rs.length}`,
    );
  }
  console.log(`  total wall time ${((performance.now() - wall) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
