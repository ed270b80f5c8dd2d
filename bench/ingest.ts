/**
 * Benchmark: triage's ingest path over a generated GuardDuty export (issue 12, `bench:ingest`).
 *
 * Writes a realistic export (bench/support/generate-export.ts: every resource type in samples/, 3–6 KB a finding,
 * a quarter of the lines re-publications, gzip JSON Lines), then times over several interleaved runs:
 *   floor — the least any reader must do: the file streamed through gunzip, split on newlines, `JSON.parse` of each
 *           line, the value dropped. Gunzip uses the chunk size triage uses (GUNZIP_CHUNK_BYTES), so the ratio
 *           compares the per-line work, not stream settings;
 *   floor with Node's default gunzip chunks (16 KiB) — the floor as first measured, printed for comparison only;
 *   ours  — `triageBatches(file)` (src/investigate/triage-input.ts) into a `Triage` (src/investigate/triage.ts), then
 *           `result()`: what `tourniquet triage <export>` does before it prints.
 * Rates count lines (finding occurrences) per second; all read the same lines.
 * The unpacked-size limit (`maxDecompressedBytes`, 1 GiB by default) is raised to fit the export, as a user would
 * with `--max-decompressed-bytes`: the full run's export unpacks to about 1.2 GB.
 * Peak RSS: bench/support/triage-rss.ts triages an export in a fresh process; the growth is that process's peak RSS
 * on the export ÷ on an export a tenth its size (each in its own process). A bounded-memory triage keeps the growth
 * near 1 (the table of latest summaries grows with distinct findings, a few hundred bytes each).
 *
 * Usage: `npm run bench:ingest -- [--quick] [--findings N] [--runs R]` (default 200,000 findings, 5 runs; `--quick`
 * 20,000 findings, 3 runs, under a minute on 2 busy cores). The last stdout line is one JSON object with the figures.
 */
import './support/quiet-sdk-warning.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INPUT_LIMITS, formatBytes, type InputLimits } from '../src/findings/input-limits.js';
import { GUNZIP_CHUNK_BYTES } from '../src/findings/unpacked-input.js';
import { triageBatches } from '../src/investigate/triage-input.js';
import { Triage } from '../src/investigate/triage.js';
import { writeExport } from './support/generate-export.js';
import { gunzipParseFloor } from './support/gunzip-parse-floor.js';

const here = dirname(fileURLToPath(import.meta.url));
/** zlib's default `chunkSize`: what `createGunzip()` uses when given none. */
const NODE_DEFAULT_GUNZIP_CHUNK = 16 * 1024;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Triage's ingest path; returns the records read (lines) and the incidents found. */
async function ours(file: string, limits: InputLimits): Promise<{ lines: number; findings: number; incidents: number; rejected: number }> {
  const triage = new Triage();
  for await (const batch of triageBatches(file, { limits })) for (const item of batch) triage.add(item);
  const r = triage.result();
  return { lines: r.stats.records + r.stats.rejected, findings: r.stats.findings, incidents: r.stats.incidents, rejected: r.stats.rejected };
}

/** Peak RSS (MB) of a fresh process that triages `file`. */
function peakRss(file: string, limits: InputLimits): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'support', 'triage-rss.ts'), file, String(limits.maxDecompressedBytes)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = out.trim().split('\n').pop()!;
  const r = JSON.parse(last) as { maxRssMb: number; rejected: number };
  // A partial read would understate the peak.
  if (r.rejected !== 0) throw new Error(`triage in a fresh process rejected ${r.rejected} record(s) of ${file}`);
  return r.maxRssMb;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const findings = Number(arg('--findings') ?? (quick ? 20_000 : 200_000));
  const runs = Number(arg('--runs') ?? (quick ? 3 : 5));
  const dir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-ingest-'));
  try {
    const file = join(dir, 'export.jsonl.gz');
    const small = join(dir, 'export-tenth.jsonl.gz');
    let t = performance.now();
    const written = await writeExport(file, { findings });
    await writeExport(small, { findings: Math.ceil(findings / 10), seed: 2 });
    const gzBytes = (await stat(file)).size;
    console.log(
      `export: ${findings} findings, ${written.lines} lines (re-publications included), ${(written.uncompressedBytes / 1e6).toFixed(0)} MB ` +
        `(${(written.uncompressedBytes / written.lines / 1024).toFixed(1)} KiB a line), ${(gzBytes / 1e6).toFixed(0)} MB gzip; written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    // What a user does for an export this large: `--max-decompressed-bytes <n>GiB` (whole GiB, at least the default).
    const GiB = 1024 ** 3;
    const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS, maxDecompressedBytes: Math.max(DEFAULT_INPUT_LIMITS.maxDecompressedBytes, Math.ceil((written.uncompressedBytes * 1.01) / GiB) * GiB) };
    console.log(`unpacked-size limit: ${formatBytes(limits.maxDecompressedBytes)} (as --max-decompressed-bytes ${formatBytes(limits.maxDecompressedBytes).replace(' ', '')})`);

    const floorMs: number[] = [];
    const defaultFloorMs: number[] = [];
    const oursMs: number[] = [];
    let check: Awaited<ReturnType<typeof ours>> | undefined;
    const timeFloor = async (chunkSize: number, into: number[]): Promise<void> => {
      const t0 = performance.now();
      const n = await gunzipParseFloor(file, chunkSize);
      into.push(performance.now() - t0);
      if (n !== written.lines) throw new Error(`floor read ${n} lines, expected ${written.lines}`);
    };
    // One warm-up of each (JIT, file cache), then interleaved runs so drift in the machine's speed hits all alike.
    await gunzipParseFloor(file, GUNZIP_CHUNK_BYTES);
    await gunzipParseFloor(file, NODE_DEFAULT_GUNZIP_CHUNK);
    await ours(file, limits);
    for (let run = 0; run < runs; run++) {
      await timeFloor(GUNZIP_CHUNK_BYTES, floorMs);
      t = performance.now();
      check = await ours(file, limits);
      oursMs.push(performance.now() - t);
      if (check.lines !== written.lines || check.rejected !== 0) throw new Error(`triage read ${check.lines} lines (${check.rejected} rejected), expected ${written.lines}`);
      await timeFloor(NODE_DEFAULT_GUNZIP_CHUNK, defaultFloorMs);
    }
    const floorRate = written.lines / (median(floorMs) / 1000);
    const defaultFloorRate = written.lines / (median(defaultFloorMs) / 1000);
    const rate = written.lines / (median(oursMs) / 1000);
    const kib = (n: number): string => `${n / 1024} KiB`;
    console.log(`floor (gunzip in ${kib(GUNZIP_CHUNK_BYTES)} chunks + JSON.parse a line): median ${median(floorMs).toFixed(0)} ms of ${runs}  → ${floorRate.toFixed(0)} lines/s`);
    console.log(`floor with Node's default ${kib(NODE_DEFAULT_GUNZIP_CHUNK)} gunzip chunks (for comparison): median ${median(defaultFloorMs).toFixed(0)} ms  → ${defaultFloorRate.toFixed(0)} lines/s`);
    console.log(`triage ingest (triageBatches + Triage): median ${median(oursMs).toFixed(0)} ms of ${runs}  → ${rate.toFixed(0)} lines/s; ${check!.findings} distinct findings, ${check!.incidents} incidents`);
    console.log(`ratio to floor: ${(rate / floorRate).toFixed(2)} (target ≥ 0.7); to the default-chunk floor: ${(rate / defaultFloorRate).toFixed(2)}`);

    const rssSmall = peakRss(small, limits);
    const rssFull = peakRss(file, limits);
    console.log(`peak RSS, fresh process: ${rssSmall.toFixed(0)} MB at ${Math.ceil(findings / 10)} findings, ${rssFull.toFixed(0)} MB at ${findings}  → growth ${(rssFull / rssSmall).toFixed(2)}× for 10× the export (target ≤ 1.5)`);

    const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
    console.log(
      JSON.stringify({
        bench: 'ingest',
        quick,
        findings,
        lines: written.lines,
        runs,
        findingsPerSecond: Math.round(rate),
        floorFindingsPerSecond: Math.round(floorRate),
        ratioToFloor: round(rate / floorRate),
        defaultChunkFloorFindingsPerSecond: Math.round(defaultFloorRate),
        ratioToDefaultChunkFloor: round(rate / defaultFloorRate),
        peakRssMb: round(rssFull, 1),
        rssGrowth10x: round(rssFull / rssSmall),
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
