/**
 * Benchmark: the responder Lambda's cold start (issue 12, `bench:coldstart`).
 *
 * Builds the bundle with infra/build-bundle.ts (`buildLambdaBundle`, `measureImportMs`: reused, not duplicated), then
 * against moto_server (journal table and evidence bucket created, an EC2 fleet seeded as the e2e test does):
 *   ec2PathLoadedBytes — a fresh process runs the bundled respond handler on ONE SQS-delivered GuardDuty EC2 finding
 *       in contain mode (every step of the EC2 playbook runs; the bench checks the message did not fail) with an ESM
 *       loader hook (`module.register`, `load`) that records the URL of every module
 *       the process loads, at import and afterwards (dynamic `import()` of lazily loaded SDKs and actions); the figure
 *       is the sum of the sizes of the bundle files among them. The same hook on an import-only process must give
 *       exactly the static closure build-bundle computes from esbuild's metafile (a check that the hook sees
 *       everything), printed as `importLoadedBytes`.
 *   initMs — a fresh process (no hook) times, from its first line, `import()` of the handler plus its first
 *       invocation with an empty batch (which builds the runtime: configuration, clients, journal), median of N;
 *       `initCpuMs` is the CPU time (user + system, `process.cpuUsage`) of the same span, which other jobs on a shared
 *       machine disturb much less than the wall time.
 *   baseline — in the same run, the wall time of a fresh `node -e ''` and of a fresh process importing the handler
 *       (`measureImportMs`), so the figure can be compared across machines (`initToNodeStart`); and the bundle built
 *       without the tree-shaking plugins (`treeShakeDependencies: false`), its init timed in the same interleaved
 *       loop (`initToBaseline`, `initCpuToBaseline`: ours ÷ it).
 * The children run asynchronously (`execFile`, not `execFileSync`): moto_server's stderr is a pipe this process
 * drains, and moto logs a line per request; a parent blocked in a synchronous call stops draining it, moto blocks
 * on the full pipe after ~64 KiB of log, and the child waits for moto forever (that was the "contain mode does not
 * finish within 90 s" of earlier runs: the bench's deadlock, not the Lambda's).
 * Usage: `npm run bench:coldstart -- [--quick] [--runs N]` (default 9 processes each; `--quick` 5). The last stdout
 * line is one JSON object with the figures.
 */
import './support/quiet-sdk-warning.js';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildLambdaBundle, measureImportMs, RESPOND_PATH_TARGET } from '../infra/build-bundle.js';
import { openJournal } from '../src/journal/open-journal.js';
import { compilePolicy } from '../src/policy/compiled-policy.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { ACCOUNT, REGION, startHarness } from '../test/support/engine-harness.js';
import { sqsRecord } from '../test/support/sqs-record.js';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Loader hook (runs on Node's hooks thread): appends every loaded URL to the file given at registration. */
const HOOKS = `import { appendFileSync } from 'node:fs';
let out;
export async function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, url + '\\n'); return next(url, context); }
`;
const REGISTER = `import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url).href, { data: { out: process.env.BENCH_LOADED_FILE } });
`;
/** The child: `import` (import only), `init` (import + empty batch, timed), `ec2` (import + one EC2 finding). */
const CHILD = `const t0 = performance.now();
const cpu0 = process.cpuUsage();
const { handler } = await import(process.env.BENCH_HANDLER_URL);
const mode = process.env.BENCH_MODE;
if (mode === 'init') {
  await handler({ Records: [] });
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ initMs: performance.now() - t0, initCpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
} else if (mode === 'ec2') {
  const { readFileSync } = await import('node:fs');
  const r = await handler(JSON.parse(readFileSync(process.env.BENCH_EVENT_FILE, 'utf8')));
  process.stdout.write(JSON.stringify({ batchItemFailures: r.batchItemFailures.length }) + '\\n');
}
// The runtime keeps sockets open (as in Lambda, where the process is frozen): end here.
process.exit(0);
`;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = Number(arg('--runs') ?? (quick ? 5 : 9));
  const dir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-coldstart-'));
  const h = await startHarness();
  try {
    const outdir = join(dir, 'lambda');
    const bundle = await buildLambdaBundle({ outdir });
    const handlerFile = join(outdir, 'respond-handler.mjs');
    // Same-run baseline: the bundle as it was built before the tree-shaking plugins (everything else equal).
    const baselineDir = join(dir, 'lambda-unshaken');
    const baseline = await buildLambdaBundle({ outdir: baselineDir, treeShakeDependencies: false });
    await Promise.all([writeFile(join(dir, 'hooks.mjs'), HOOKS), writeFile(join(dir, 'register.mjs'), REGISTER), writeFile(join(dir, 'child.mjs'), CHILD)]);

    // The deployed configuration's essentials against moto (as test/e2e/lambda-bundle.test.ts).
    await new S3Client({ endpoint: h.moto.endpoint, region: REGION, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'tourniquet-evidence' }));
    const journal = await openJournal({ tableName: 'tourniquet-journal', endpoint: h.moto.endpoint });
    await journal.ensureTable();
    await journal.close();
    const fleet = await h.seed('coldstart');
    const finding = await h.finding(fleet.targetInstanceId);
    const event = { version: '0', id: 'e-1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: finding.updatedAt, region: REGION, resources: [], detail: finding.raw };
    const eventFile = join(dir, 'event.json');
    await writeFile(eventFile, JSON.stringify({ Records: [sqsRecord('m-1', JSON.stringify(event))] }));
    const env = {
      ...process.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: h.moto.endpoint,
      // As the Pulumi program sets it: the function's own role, which tells it its account.
      TOURNIQUET_RESPONDER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/tourniquet-responder`,
      TOURNIQUET_JOURNAL_TABLE: 'tourniquet-journal',
      TOURNIQUET_EVIDENCE_BUCKET: 'tourniquet-evidence',
      // Compiled, as the deploy passes it (infra/components/responder-role.ts uploads this form; given inline here, so
      // no S3 read is added to the init): the Lambda reads it without the YAML parser.
      TOURNIQUET_POLICY: compilePolicy(parsePolicy('version: 1\nrules:\n  - name: gpu-crypto\n    match: { type: ["CryptoCurrency:EC2/"], ai: true }\n    mode: contain\n', 'tourniquet.yaml')),
      POWERTOOLS_METRICS_NAMESPACE: 'Tourniquet',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'SILENT',
      BENCH_HANDLER_URL: pathToFileURL(handlerFile).href,
      BENCH_EVENT_FILE: eventFile,
    };
    const child = async (mode: string, hooked?: string, handlerUrl = env.BENCH_HANDLER_URL): Promise<string> => {
      const t = performance.now();
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [...(hooked ? ['--import', pathToFileURL(join(dir, 'register.mjs')).href] : []), join(dir, 'child.mjs')], {
        encoding: 'utf8',
        timeout: 90_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...env, BENCH_HANDLER_URL: handlerUrl, BENCH_MODE: mode, ...(hooked ? { BENCH_LOADED_FILE: hooked } : {}) },
      });
      if (stderr.trim() !== '' && process.env.BENCH_LOG_LEVEL !== undefined) process.stderr.write(stderr);
      if (hooked) console.error(`(${mode} process: ${(performance.now() - t).toFixed(0)} ms)`);
      return stdout;
    };
    /** Bundle files among the URLs a hooked child loaded: relative name → bytes. */
    const loadedBundleFiles = async (mode: string): Promise<Map<string, number>> => {
      const list = join(dir, `loaded-${mode}.txt`);
      const out = await child(mode, list);
      if (mode === 'ec2' && (JSON.parse(out.trim().split('\n').pop()!) as { batchItemFailures: number }).batchItemFailures !== 0) throw new Error(`the bundled handler failed the EC2 finding: ${out}`);
      const files = new Map<string, number>();
      for (const url of readFileSync(list, 'utf8').split('\n')) {
        if (!url.startsWith('file:')) continue;
        const path = fileURLToPath(url);
        if (path.startsWith(outdir)) files.set(relative(outdir, path), statSync(path).size);
      }
      return files;
    };
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

    const importFiles = await loadedBundleFiles('import');
    const ec2Files = await loadedBundleFiles('ec2');
    const importLoadedBytes = sum(importFiles);
    const ec2PathLoadedBytes = sum(ec2Files);
    const staticBytes = bundle.loadedBytes['respond-handler']!;
    if (importLoadedBytes !== staticBytes) {
      throw new Error(`the loader hook saw ${importLoadedBytes} bytes at import, the metafile's static closure is ${staticBytes}: the hook misses modules`);
    }

    // Timings: interleaved fresh processes (node start, handler init), then build-bundle's import timing.
    const nodeStart: number[] = [];
    const init: number[] = [];
    const initCpu: number[] = [];
    const baselineInit: number[] = [];
    const baselineInitCpu: number[] = [];
    const baselineUrl = pathToFileURL(join(baselineDir, 'respond-handler.mjs')).href;
    type InitFigures = { initMs: number; initCpuMs: number };
    const initFigures = async (url?: string): Promise<InitFigures> => JSON.parse((await child('init', undefined, url)).trim().split('\n').pop()!) as InitFigures;
    await initFigures(); // warm the file cache
    await initFigures(baselineUrl);
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      execFileSync(process.execPath, ['-e', '']);
      nodeStart.push(performance.now() - t);
      const figures = await initFigures();
      init.push(figures.initMs);
      initCpu.push(figures.initCpuMs);
      const base = await initFigures(baselineUrl);
      baselineInit.push(base.initMs);
      baselineInitCpu.push(base.initCpuMs);
    }
    const importMs = measureImportMs(handlerFile, runs);
    const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`bundle: ${bundle.files.length} files, ${kib(bundle.totalBytes)}`);
    console.log(`respond-handler at import: ${kib(importLoadedBytes)} in ${importFiles.size} files (loader hook; equals the metafile's static closure)`);
    console.log(`  largest: ${(bundle.loadedByPackage['respond-handler'] ?? []).slice(0, 6).map(([p, n]) => `${p} ${kib(n)}`).join(', ')}`);
    console.log(`one EC2 finding contained (contain mode, against moto): ${kib(ec2PathLoadedBytes)} in ${ec2Files.size} files (target ≤ ${RESPOND_PATH_TARGET.bytes.toLocaleString('en-US')} bytes)`);
    const lazy = [...ec2Files].filter(([name]) => !importFiles.has(name));
    console.log(`  loaded after import: ${lazy.map(([name, n]) => `${name} ${kib(n)}`).join(', ') || 'nothing'}`);
    const initMs = median(init);
    const nodeStartMs = median(nodeStart);
    console.log(`fresh node -e '': median ${nodeStartMs.toFixed(0)} ms of ${runs} (wall)`);
    console.log(`handler import (build-bundle measureImportMs): median ${importMs.toFixed(0)} ms of ${runs}`);
    console.log(`handler import + initialisation (empty batch: config, clients, journal): median ${initMs.toFixed(0)} ms of ${runs} (target ≤ 300); ${(initMs / nodeStartMs).toFixed(2)}× a bare node start`);
    // CPU time (user + system) of the same span: what the work costs, less sensitive than wall time to other jobs.
    const initCpuMs = median(initCpu);
    console.log(`  CPU time of that span: median ${initCpuMs.toFixed(0)} ms`);
    const baselineInitMs = median(baselineInit);
    const baselineInitCpuMs = median(baselineInitCpu);
    console.log(
      `baseline (same run): the bundle without the tree-shaking plugins, ${kib(baseline.loadedBytes['respond-handler']!)} at import: ` +
        `init median ${baselineInitMs.toFixed(0)} ms (CPU ${baselineInitCpuMs.toFixed(0)} ms); ours ÷ baseline: ${(initMs / baselineInitMs).toFixed(2)} wall, ${(initCpuMs / baselineInitCpuMs).toFixed(2)} CPU`,
    );
    const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
    console.log(
      JSON.stringify({
        bench: 'coldstart',
        quick,
        runs,
        bundleBytes: bundle.totalBytes,
        importLoadedBytes,
        ec2PathLoadedBytes,
        initMs: round(initMs),
        initCpuMs: round(initCpuMs),
        baselineImportLoadedBytes: baseline.loadedBytes['respond-handler'],
        baselineInitMs: round(baselineInitMs),
        baselineInitCpuMs: round(baselineInitCpuMs),
        initToBaseline: round(initMs / baselineInitMs, 2),
        initCpuToBaseline: round(initCpuMs / baselineInitCpuMs, 2),
        importMs: round(importMs),
        nodeStartMs: round(nodeStartMs),
        initToNodeStart: round(initMs / nodeStartMs, 2),
      }),
    );
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
