/**
 * Where triage's ingest time goes, stage by stage, in one run (a diagnostic for `bench:ingest`'s `ratioToFloor`).
 *
 * Writes the same kind of export as bench/ingest.ts (bench/support/generate-export.ts), then times, interleaved, each
 * stage over the whole file; every stage does everything the one before it does, and more:
 *   floor  — gunzip + split + `JSON.parse` of each line, the value dropped (the same floor as bench/ingest.ts);
 *   read   — triage's own reader (UnpackedInput + LineSplitter) + `JSON.parse` of each line, the value dropped;
 *   parse  — `readRecordBatches`: the reader, the nesting check and the parser (every record validated, its model built);
 *   ingest — `triageBatches` into a `Triage` (each record summarized and stored);
 *   result — `Triage.result()` after the ingest (timed on its own).
 * Prints, per stage, the median wall time, CPU time (main thread and zlib's threads: `process.cpuUsage`) and garbage
 * collection time (the `gc` performance entries), and what it adds to the stage before it. On a shared machine the CPU
 * time moves less with the load than the wall time does.
 *
 * Usage: `npm run bench:ingest-stages -- [--findings N] [--runs R]` (default 20,000 findings, 5 runs; ~1 min).
 * The last stdout line is one JSON object.
 */
import './support/quiet-sdk-warning.js';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../src/findings/input-limits.js';
import { LineSplitter } from '../src/findings/line-splitter.js';
import { readRecordBatches } from '../src/findings/read-input.js';
import { GUNZIP_CHUNK_BYTES, UnpackedInput } from '../src/findings/unpacked-input.js';
import { triageBatches } from '../src/investigate/triage-input.js';
import { Triage } from '../src/investigate/triage.js';
import { writeExport } from './support/generate-export.js';
import { gunzipParseFloor } from './support/gunzip-parse-floor.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Triage's reader (gzip detection, the unpacked-size limit, the line splitter) + `JSON.parse` of each line. */
async function read(file: string, limits: InputLimits): Promise<number> {
  let lines = 0;
  const splitter = new LineSplitter(limits.maxLineBytes, {
    line: (text) => {
      if (text.length === 0) return;
      JSON.parse(text);
      lines++;
    },
    tooLong: () => {
      throw new Error('a line over the limit in the generated export');
    },
  });
  for await (const chunk of new UnpackedInput(createReadStream(file), limits.maxDecompressedBytes).chunks()) splitter.push(chunk);
  splitter.end();
  return lines;
}

async function parse(file: string, limits: InputLimits): Promise<number> {
  let records = 0;
  for await (const batch of readRecordBatches(file, { limits })) records += batch.length;
  return records;
}

async function ingest(file: string, limits: InputLimits): Promise<Triage> {
  const triage = new Triage();
  for await (const batch of triageBatches(file, { limits })) for (const item of batch) triage.add(item);
  return triage;
}

const STAGES = ['floor', 'read', 'parse', 'ingest', 'result'] as const;
type Stage = (typeof STAGES)[number];

async function main(): Promise<void> {
  const findings = Number(arg('--findings') ?? 20_000);
  const runs = Number(arg('--runs') ?? 5);
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const dir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-stages-'));
  try {
    const file = join(dir, 'export.jsonl.gz');
    const written = await writeExport(file, { findings });
    const GiB = 1024 ** 3;
    const limits: InputLimits = { ...DEFAULT_INPUT_LIMITS, maxDecompressedBytes: Math.max(DEFAULT_INPUT_LIMITS.maxDecompressedBytes, Math.ceil((written.uncompressedBytes * 1.01) / GiB) * GiB) };
    console.log(`export: ${findings} findings, ${written.lines} lines, ${(written.uncompressedBytes / 1e6).toFixed(0)} MB unpacked`);

    const wall: Record<Stage, number[]> = { floor: [], read: [], parse: [], ingest: [], result: [] };
    const cpu: Record<Stage, number[]> = { floor: [], read: [], parse: [], ingest: [], result: [] };
    const gcOf: Record<Stage, number[]> = { floor: [], read: [], parse: [], ingest: [], result: [] };
    const cpuMs = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    /** Runs `f`, then lets the `gc` entries of its collections arrive before reading them. */
    const timed = async <T>(stage: Stage, f: () => Promise<T> | T): Promise<T> => {
      const g = gcMs;
      const c = cpuMs();
      const t = performance.now();
      const out = await f();
      wall[stage].push(performance.now() - t);
      cpu[stage].push(cpuMs() - c);
      await new Promise((resolve) => setTimeout(resolve, 10));
      gcOf[stage].push(gcMs - g);
      return out;
    };
    const check = (stage: Stage, n: number): void => {
      if (n !== written.lines) throw new Error(`${stage} read ${n} lines, expected ${written.lines}`);
    };
    // A warm-up of each, then interleaved runs so drift in the machine's speed hits every stage alike.
    for (let run = -1; run < runs; run++) {
      const warm = run < 0;
      const go = async <T>(stage: Stage, f: () => Promise<T> | T): Promise<T> => (warm ? f() : timed(stage, f));
      check('floor', await go('floor', () => gunzipParseFloor(file, GUNZIP_CHUNK_BYTES)));
      check('read', await go('read', () => read(file, limits)));
      check('parse', await go('parse', () => parse(file, limits)));
      const triage = await go('ingest', () => ingest(file, limits));
      const r = await go('result', () => triage.result());
      check('result', r.stats.records + r.stats.rejected);
      if (r.stats.rejected !== 0) throw new Error(`triage rejected ${r.stats.rejected} record(s) of the generated export`);
    }
    gc.disconnect();

    const out: Record<string, number> = {};
    let before: Stage | undefined;
    for (const stage of STAGES) {
      const w = median(wall[stage]);
      const c = median(cpu[stage]);
      const g = median(gcOf[stage]);
      // `result` runs after `ingest` rather than including it: it adds its own time.
      const adds = stage === 'result' || before === undefined ? '' : `  (+${(w - median(wall[before])).toFixed(0)} wall, +${(c - median(cpu[before])).toFixed(0)} CPU over ${before})`;
      console.log(`${stage.padEnd(6)} wall ${w.toFixed(0).padStart(6)} ms  CPU ${c.toFixed(0).padStart(6)} ms  GC ${g.toFixed(0).padStart(4)} ms${adds}`);
      out[`${stage}WallMs`] = Math.round(w);
      out[`${stage}CpuMs`] = Math.round(c);
      out[`${stage}GcMs`] = Math.round(g);
      before = stage;
    }
    const ratio = median(wall.floor) / (median(wall.ingest) + median(wall.result));
    console.log(`floor ÷ (ingest + result), wall: ${ratio.toFixed(2)} (bench:ingest's ratioToFloor measures the two together)`);
    console.log(JSON.stringify({ bench: 'ingest-stages', findings, lines: written.lines, runs, ...out, ratioToFloor: Math.round(ratio * 100) / 100 }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
