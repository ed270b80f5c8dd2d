/**
 * Benchmark `bench:burst` (issue 12): a burst of drill-style EC2 findings (src/drill/ec2-finding.ts) about many
 * instances, all handed to one responder at once, against moto_server (real responses) with AWS's default request
 * throttling emulated as token buckets at the SDK level (bench/support/aws-token-buckets.ts: empty bucket → a real
 * `RequestLimitExceeded` / `Throttling`). The engine is measured as it is: its own rate limiter
 * (src/engine/rate-limiter.ts: AWS's buckets at 0.9 of their rate and size, containment first) and its retries.
 * The policy lifts the guardrails that would otherwise stop most containment in a burst (budget 100000 an hour,
 * breaker at 100000 findings), so the steps really run.
 * The floor: the least time the emulated AWS buckets allow for the calls that were accepted (every bucket full at
 * the start); `ratioToRateLimitFloor` = floor ÷ our time (1 = as fast as AWS lets anyone go).
 * Scale: 1,000 findings over 300 instances is the issue's burst (`npm run bench:burst -- 1000 300`: 6 minutes at load
 * ~2); the default is scaled down at the same ratio (3.33 findings a subject): `--quick` 20 findings over 6 instances; default 100 over 30; any size with `-- <findings> <subjects>`.
 * `--no-engine-limiter` lifts the engine's limiter (a diagnostic: what the limiter costs); `--timers` tallies the timers the
 * project's code sets (who waits); `--journal-thread` runs the journal's DynamoDB emulator in a worker thread (what
 * moving it off the main thread would give); `BURST_CALL_LOG=<file>` writes every AWS call with its timing (and the burst's window
 * in a CPU profile's clock, for `node --cpu-prof`).
 * The baseline measured in the same run: the emulator's own time for the same calls (bench/support/emulator-replay.ts:
 * the calls the engine sent, replayed with their inputs and per-incident order, every incident at once, no engine),
 * `emulatorFloorMs` (the fastest of 3 replays, 1 above 5,000 calls: they slow down one after the other) and `ratioToEmulatorFloor`; `ratioToCombinedFloor` uses
 * the larger of the two floors; `replayRatioToRateLimitFloor` = the rate-limit floor ÷ the replay (the most any caller
 * gets against this emulator here). Where our time goes besides the emulator: this process's CPU, the journal's busy
 * time, the event loop's delay, the emulator's CPU (from /proc) in our run and in the replays.
 * Last stdout line: one JSON object.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand, DescribeImagesCommand, type Instance } from '@aws-sdk/client-ec2';
import { startMotoServer } from '../src/aws/moto-server.js';
import { buildEc2DrillFinding } from '../src/drill/ec2-finding.js';
import { createResponder } from '../src/engine/create-responder.js';
import { DEFAULT_RATE_LIMITS, NO_RATE_LIMITS, RateLimiter } from '../src/engine/rate-limiter.js';
import { parseRecord } from '../src/findings/read-input.js';
import { openJournal } from '../src/journal/open-journal.js';
import { MemoryNotifier } from '../src/notify/notification.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { AwsTokenBuckets } from './support/aws-token-buckets.js';
import { replayCalls, type ReplayResult } from './support/emulator-replay.js';
import { openJournalInThread } from './support/journal-thread.js';
import { cpuMsOf, descendants } from './support/process-cpu.js';
import { SdkCallLog, type LoggedCall } from './support/sdk-call-log.js';
import { timeJournal } from './support/timed-journal.js';
import { TimerTally } from './support/timer-tally.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TYPES = ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'CryptoCurrency:EC2/BitcoinTool.B', 'CryptoCurrency:EC2/BitcoinTool.B!DNS', 'CryptoCurrency:EC2/BitcoinTool.B'];
/** How the emulated AWS errors (and the engine's wrapping of them) read in a step's error. */
const THROTTLED = /RequestLimitExceeded|Throttling|Rate exceeded|Request limit exceeded/i;
const POLICY = parsePolicy(
  `version: 1
defaults: { mode: approve }
guardrails:
  budget: { perAccountPerHour: 100000 }
  breaker: { findings: 100000, withinMinutes: 15 }
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }
    mode: contain
`,
  'bench-burst-policy.yaml',
);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  // Diagnostic: the engine's own rate limiter lifted (AWS's emulated buckets still throttle).
  const noLimiter = args.includes('--no-engine-limiter');
  // Diagnostic: tally the timers the project's code sets (a stack trace each: it costs this process CPU).
  const tallyTimers = args.includes('--timers');
  // Diagnostic: the journal's DynamoDB emulator in a worker thread instead of on this process's main thread.
  const journalThread = args.includes('--journal-thread');
  const nums = args.filter((a) => !a.startsWith('--')).map(Number);
  const findings = nums[0] ?? (quick ? 20 : 100);
  const subjects = nums[1] ?? (quick ? 6 : 30);
  if (!Number.isInteger(findings) || !Number.isInteger(subjects) || subjects < 1 || findings < subjects) {
    throw new Error(`usage: burst [--quick] [--no-engine-limiter] [--timers] [--journal-thread] [findings subjects] with findings ≥ subjects ≥ 1, received ${args.join(' ')}`);
  }
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: REGION });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
  const moto = await startMotoServer();
  const evidenceDir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-burst-'));
  const wall = performance.now();
  try {
    const ec2 = new EC2Client({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0]!.ImageId!;
    const instances: Instance[] = [];
    while (instances.length < subjects) {
      const n = Math.min(100, subjects - instances.length);
      instances.push(...((await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: 'g5.xlarge', MinCount: n, MaxCount: n }))).Instances ?? []));
    }
    const now = Date.now();
    const records = Array.from({ length: findings }, (_, i) => {
      const variant = Math.floor(i / subjects);
      const raw = buildEc2DrillFinding(instances[i % subjects]!, { accountId: ACCOUNT, region: REGION, type: TYPES[variant % TYPES.length]!, count: variant + 1, now: new Date(now + variant * 1000) });
      const record = parseRecord(raw, { name: `burst-${i}` });
      if (record.kind !== 'finding') throw new Error('a drill finding did not parse as a finding');
      return record;
    });
    const buckets = new AwsTokenBuckets();
    const limiter = new RateLimiter(noLimiter ? NO_RATE_LIMITS : DEFAULT_RATE_LIMITS);
    const calls = new SdkCallLog();
    const journal = journalThread ? await openJournalInThread() : await openJournal({});
    await journal.ensureTable();
    const timedJournal = timeJournal(journal);
    try {
      // The composition root itself, with the clients wrapped at the SDK level.
      const responder = createResponder({
        journal: timedJournal.journal,
        policy: POLICY,
        endpoint: moto.endpoint,
        evidence: { dir: evidenceDir },
        notifier: new MemoryNotifier(),
        wrapClients: (clients) => calls.wrap(buckets.wrap(clients)),
        rateLimiter: limiter,
      });
      // Where the time goes besides the emulator: this process's CPU (engine, SDK and the embedded journal, which
      // runs in it), its event loop's delay, the journal's calls, the timers the code set, the emulator's CPU.
      const emulatorPids = descendants();
      const emulatorCpu0 = cpuMsOf(emulatorPids);
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      const timers = new TimerTally();
      loopDelay.enable();
      if (tallyTimers) timers.start();
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const settled = await Promise.allSettled(records.map((r) => responder.respond(r)));
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      timers.stop();
      loopDelay.disable();
      const emulatorCpuMs = emulatorCpu0 === undefined ? undefined : cpuMsOf(emulatorPids)! - emulatorCpu0;
      const nodeCpuMs = (cpu.user + cpu.system) / 1000;
      const journalTiming = { ...timedJournal.timing };
      const rejected = settled.filter((s) => s.status === 'rejected');
      const incidentIds = new Set<string>();
      for (const s of settled) if (s.status === 'fulfilled') for (const o of s.value.outcomes) if (o.subject.kind === 'ec2-instance') incidentIds.add(o.incidentId);
      let stepsRun = 0;
      let failed = 0;
      let throttlingFailures = 0;
      const statuses = new Map<string, number>();
      for (const id of incidentIds) {
        const incident = await responder.getIncident(id);
        statuses.set(incident.status, (statuses.get(incident.status) ?? 0) + 1);
        for (const step of await journal.getSteps(id)) {
          if (step.status === 'done' || step.status === 'failed') stepsRun++;
          if (step.status === 'failed') {
            failed++;
            if (step.error !== undefined && THROTTLED.test(`${step.error.name} ${step.error.message}`)) throttlingFailures++;
          }
        }
      }
      const floorMs = buckets.floorMs();
      const floorIfIdsFilterMs = buckets.floorMs(buckets.acceptedIfIdsFilter);
      const busiest = [...buckets.accepted].sort((a, b) => b[1].count / b[1].spec.refillPerSecond - a[1].count / a[1].spec.refillPerSecond).slice(0, 4);
      const accepted = [...buckets.accepted.values()].reduce((n, b) => n + b.count, 0);
      console.log(`burst: ${findings} findings over ${subjects} instances at once${quick ? ' (--quick)' : ''}${noLimiter ? ' (engine limiter lifted)' : ''}${journalThread ? " (journal's emulator in a worker thread)" : ''}, Node ${process.version}, against moto_server with AWS throttling emulated`);
      console.log(
        `  our time ${(ms / 1000).toFixed(2)} s; rate-limit floor ${(floorMs / 1000).toFixed(2)} s (for the ${accepted} accepted EC2/IAM calls); ` +
          (floorMs > 0 ? `ratio floor ÷ ours ${(floorMs / ms).toFixed(3)}` : 'no AWS bucket is emptied at this size, so the ratio is not defined (null): run the default size for it'),
      );
      console.log(`  floor if ids alone counted as a filter: ${(floorIfIdsFilterMs / 1000).toFixed(2)} s (ratio ${(floorIfIdsFilterMs / ms).toFixed(3)}); busiest buckets: ${busiest.map(([k, b]) => `${k} ${b.count} calls (${b.spec.size} + ${b.spec.refillPerSecond}/s)`).join(', ')}`);
      const waits = [...limiter.stats].filter(([, st]) => st.waited > 0).sort((a, b) => b[1].waitedMs - a[1].waitedMs);
      const engineWaitMs = waits.reduce((n, [, st]) => n + st.waitedMs, 0);
      console.log(`  engine limiter: ${waits.reduce((n, [, st]) => n + st.waited, 0)} of ${[...limiter.stats.values()].reduce((n, st) => n + st.calls, 0)} calls waited, ${(engineWaitMs / 1000).toFixed(1)} s in all${waits.length > 0 ? `; most in ${waits.slice(0, 3).map(([k, st]) => `${k.split('|').slice(2).join('|')} (${st.waited} calls, ${(st.waitedMs / 1000).toFixed(1)} s)`).join(', ')}` : ''}`);
      console.log(`  incidents ${incidentIds.size} (${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}); steps run ${stepsRun}, failed ${failed}, of which throttling ${throttlingFailures}; AWS throttled ${buckets.throttled} calls; respond() rejected ${rejected.length}`);
      if (process.env.BURST_CALL_LOG !== undefined) {
        // The window in the clock of a V8 CPU profile (`--cpu-prof`: µs of the monotonic clock) and in performance.now().
        const startedHrUs = Number(process.hrtime.bigint() / 1000n) - (performance.now() - started) * 1000;
        await writeFile(process.env.BURST_CALL_LOG, JSON.stringify({ started, ms, startedHrUs: Math.round(startedHrUs), endedHrUs: Math.round(startedHrUs + ms * 1000), calls: calls.calls.map(({ Client: _c, Command: _d, ...c }) => c) }));
      }
      // The emulator's own capacity for the same calls, same concurrency, no engine. The floor is the fastest replay:
      // the replays slow down one after the other (the emulator's CPU a call grows as it ages, measured), so their
      // median would be a slower emulator than the one the engine had, and flatter the ratio.
      const replays: Array<ReplayResult & { cpuMs?: number }> = [];
      const replayCount = calls.calls.length > 5000 ? 1 : 3;
      for (let i = 0; i < replayCount; i++) {
        const before = cpuMsOf(emulatorPids);
        const r = await replayCalls(calls.calls, { endpoint: moto.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
        replays.push({ ...r, ...(before !== undefined ? { cpuMs: cpuMsOf(emulatorPids)! - before } : {}) });
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const emulatorFloorMs = Math.min(...replays.map((r) => r.ms));
      const replayMedianMs = median(replays.map((r) => r.ms));
      const fastestReplay = replays.find((r) => r.ms === emulatorFloorMs)!;
      const combinedFloorMs = Math.max(floorMs, emulatorFloorMs);
      const groups = groupSpans(calls.calls, started);
      const errorsIn = (m: ReadonlyMap<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      const engineErrors = new Map<string, number>();
      for (const c of calls.calls) if (c.error !== undefined) engineErrors.set(c.error, (engineErrors.get(c.error) ?? 0) + 1);
      const share = (x: number | undefined, of: number): string => (x === undefined ? 'n/a' : `${(x / 1000).toFixed(1)} s = ${((x / of) * 100).toFixed(0)}%`);
      console.log(`  emulator floor (the same ${calls.calls.length} calls replayed, same inputs and per-incident order, every incident at once, at most ${fastestReplay.concurrency} in flight as ours at its peak, no engine): fastest ${(emulatorFloorMs / 1000).toFixed(2)} s, median ${(replayMedianMs / 1000).toFixed(2)} s, of ${replays.map((r) => (r.ms / 1000).toFixed(2)).join(' / ')} s; ratio emulator floor ÷ ours ${(emulatorFloorMs / ms).toFixed(3)}; ratio max(both floors) ÷ ours ${(combinedFloorMs / ms).toFixed(3)}; the replay's own ratio to the rate-limit floor ${(floorMs / emulatorFloorMs).toFixed(3)} (the most any caller gets against this emulator here)`);
      console.log(`  emulator CPU: in our run ${share(emulatorCpuMs, ms)} of our time; in the replays ${replays.map((r) => share(r.cpuMs, r.ms)).join(' / ')} of theirs; errors answered: our run ${errorsIn(engineErrors)}; replay ${errorsIn(fastestReplay.errors)}`);
      console.log(`  our time: AWS calls on the wire ${share(calls.busyMs, ms)}; journal busy ${share(journalTiming.busyMs, ms)} (${journalTiming.calls} calls, ${(journalTiming.summedMs / 1000).toFixed(1)} s summed); this process's CPU ${share(nodeCpuMs, ms)}; event loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
      console.log(`  journal calls by method (calls, summed s): ${[...journalTiming.byMethod].sort((x, y) => y[1].summedMs - x[1].summedMs).slice(0, 6).map(([k, m]) => `${k} ${m.calls} ${(m.summedMs / 1000).toFixed(1)}`).join(', ')}`);
      console.log(`  plan runs (median of the ${groups.count} respond() calls whose incident's clients made more than one call): first call ${(groups.firstCallMs / 1000).toFixed(2)} s after the burst's start, last answer ${(groups.spanMs / 1000).toFixed(2)} s after the first call, of which ${(groups.busyMs / 1000).toFixed(2)} s with a call of theirs on the wire`);
      if (tallyTimers) console.log(`  timers set (≥ 20 ms, summed, overlapping): ${timers.top(4).map(([site, t]) => `${site} ${t.count}× ${(t.summedMs / 1000).toFixed(1)} s`).join('; ') || 'none'}`);
      if (rejected.length > 0) console.log(`  first rejection: ${String((rejected[0] as PromiseRejectedResult).reason).split('\n')[0]}`);
      console.log(`  total wall time ${((performance.now() - wall) / 1000).toFixed(0)} s`);
      console.log(
        JSON.stringify({
          bench: 'burst',
          quick,
          engineLimiter: !noLimiter,
          journalThread,
          findings,
          subjects,
          ms: Math.round(ms),
          floorMs: Math.round(floorMs),
          // null when no bucket is emptied at this size (--quick): AWS's limits then cost nothing, and a ratio to 0 s means nothing.
          ratioToRateLimitFloor: floorMs > 0 ? Math.round((floorMs / ms) * 1000) / 1000 : null,
          emulatorFloorMs: Math.round(emulatorFloorMs),
          ratioToEmulatorFloor: Math.round((emulatorFloorMs / ms) * 1000) / 1000,
          replayRatioToRateLimitFloor: floorMs > 0 ? Math.round((floorMs / emulatorFloorMs) * 1000) / 1000 : null,
          combinedFloorMs: Math.round(combinedFloorMs),
          ratioToCombinedFloor: Math.round((combinedFloorMs / ms) * 1000) / 1000,
          awsCalls: calls.calls.length,
          awsOnWireMs: Math.round(calls.busyMs),
          emulatorCpuMs: emulatorCpuMs === undefined ? null : Math.round(emulatorCpuMs),
          emulatorReplayMedianMs: Math.round(replayMedianMs),
          replayEmulatorCpuMs: fastestReplay.cpuMs === undefined ? null : Math.round(fastestReplay.cpuMs),
          nodeCpuMs: Math.round(nodeCpuMs),
          journalBusyMs: Math.round(journalTiming.busyMs),
          journalCalls: journalTiming.calls,
          eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
          floorIfIdsFilterMs: Math.round(floorIfIdsFilterMs),
          throttlingFailures,
          stepsRun,
          stepsFailed: failed,
          incidents: incidentIds.size,
          awsThrottledCalls: buckets.throttled,
          engineLimiterWaitedCalls: waits.reduce((n, [, st]) => n + st.waited, 0),
          respondRejected: rejected.length,
        }),
      );
    } finally {
      await journal.close();
    }
  } finally {
    await moto.stop();
    await rm(evidenceDir, { recursive: true, force: true });
  }
}

/** Per client group that ran a plan (one incident's clients in one respond() call): medians of its span, its time with a call on the wire, and when it started. */
function groupSpans(log: readonly LoggedCall[], t0: number): { count: number; spanMs: number; busyMs: number; firstCallMs: number } {
  const groups = new Map<number, LoggedCall[]>();
  for (const c of log) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const spans: number[] = [];
  const busy: number[] = [];
  const first: number[] = [];
  for (const g of groups.values()) {
    // A respond() call that joined an incident someone else was running makes one describe and no plan run.
    if (g.length < 2) continue;
    const sorted = [...g].sort((a, b) => a.start - b.start);
    let b = 0;
    let from = sorted[0]!.start;
    let to = from;
    for (const c of sorted) {
      if (c.start > to) {
        b += to - from;
        from = c.start;
      }
      to = Math.max(to, c.end);
    }
    b += to - from;
    spans.push(Math.max(...g.map((c) => c.end)) - sorted[0]!.start);
    busy.push(b);
    first.push(sorted[0]!.start - t0);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  return { count: spans.length, spanMs: median(spans), busyMs: median(busy), firstCallMs: median(first) };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
