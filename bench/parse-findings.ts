/**
 * Benchmark: GuardDuty finding parser vs bare JSON.parse.
 *
 * Builds N realistic JSON Lines (an S3 export) from the finding objects in samples/ (events' `detail`, export lines,
 * synthesized findings) with varied ids, instance ids and times, then times over several runs:
 *   (a) baseline — bare `JSON.parse` of every line (lines pre-split: the least work any parser must do), the parsed
 *       values discarded;
 *   (a') the same baseline keeping the parsed values in an array. The parser must keep every finding's `raw`, and
 *       the garbage collector's cost of retaining ~N parsed objects is the same for any consumer of the data; (a')
 *       isolates what the parser adds on top of that;
 *   (b) `parseDocument` over the same text (format detection, line splitting, parse, validation, subjects, AI context).
 * Prints medians, throughput and the ratios (b)/(a) and (b)/(a').
 * Usage: `npx tsx bench/parse-findings.ts [N] [runs]`; steadier figures with
 * `node --expose-gc --import tsx bench/parse-findings.ts` (a full GC before every timed run).
 */
import './support/quiet-sdk-warning.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '../src/findings/read-input.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = join(here, '..', 'samples');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every camelCase finding object in samples/ (no scan results, no PascalCase CLI output). */
function sampleFindings(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const take = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(take);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (o['detail-type'] === 'GuardDuty Finding') take(o['detail']);
    else if (typeof o['type'] === 'string' && typeof o['resource'] === 'object') out.push(o);
  };
  for (const file of filesUnder(SAMPLES)) {
    if (file.includes(`${join('samples', 'cli')}`)) continue;
    if (file.endsWith('.jsonl')) readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').forEach((l) => take(JSON.parse(l)));
    else if (file.endsWith('.json')) take(JSON.parse(readFileSync(file, 'utf8')));
  }
  if (out.length === 0) throw new Error(`no GuardDuty findings found under ${SAMPLES}`);
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** N export lines, each a sample finding with its own id, timestamps and (for instances) instance id. */
export function buildLines(n: number): string[] {
  const findings = sampleFindings();
  const base = Date.parse('2026-08-01T00:00:00Z');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = structuredClone(findings[i % findings.length]!) as Record<string, unknown> & { resource: Record<string, unknown> };
    const id = hex(i * 2654435761, 16) + hex(i, 16);
    f['id'] = id;
    f['arn'] = String(f['arn']).replace(/finding\/[^/]+$/, `finding/${id}`);
    const t = new Date(base + i * 1000).toISOString();
    f['createdAt'] = t;
    f['updatedAt'] = t;
    const inst = f.resource['instanceDetails'] as Record<string, unknown> | null | undefined;
    if (inst) inst['instanceId'] = `i-${hex(i, 17)}`;
    lines.push(JSON.stringify(f));
  }
  return lines;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface ParseBenchResult {
  readonly findings: number;
  readonly megabytes: number;
  /** (a) JSON.parse per line, values discarded. */
  readonly baselineMs: number;
  /** (a') JSON.parse per line, values kept. */
  readonly retainedBaselineMs: number;
  readonly parserMs: number;
  /** (b)/(a) */
  readonly ratio: number;
  /** (b)/(a') */
  readonly retainedRatio: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function runParseFindingsBench(n = 20_000, runs = 7): ParseBenchResult {
  const lines = buildLines(n);
  const text = lines.join('\n') + '\n';
  const megabytes = Buffer.byteLength(text) / 1e6;
  const source = { name: 'bench.jsonl' };

  const baseline = (): number => {
    gc?.();
    const t0 = performance.now();
    let keep = 0;
    for (const line of lines) keep += (JSON.parse(line) as { severity: number }).severity;
    const ms = performance.now() - t0;
    if (keep === 0) throw new Error('unexpected');
    return ms;
  };
  const retained = (): number => {
    gc?.();
    const t0 = performance.now();
    const kept: unknown[] = [];
    for (const line of lines) kept.push(JSON.parse(line));
    const ms = performance.now() - t0;
    if (kept.length !== n) throw new Error('unexpected');
    return ms;
  };
  const parser = (): number => {
    gc?.();
    const t0 = performance.now();
    const batch = parseDocument(text, source);
    const ms = performance.now() - t0;
    if (batch.records.length !== n || batch.rejected.length !== 0) {
      throw new Error(`parser read ${batch.records.length}/${n} records, ${batch.rejected.length} rejected: ${batch.rejected[0]?.message}`);
    }
    return ms;
  };

  // Warm-up (JIT), then alternate so both see the same machine state.
  baseline();
  retained();
  parser();
  const a: number[] = [];
  const a2: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < runs; r++) {
    a.push(baseline());
    a2.push(retained());
    b.push(parser());
  }
  const baselineMs = median(a);
  const retainedBaselineMs = median(a2);
  const parserMs = median(b);
  return { findings: n, megabytes, baselineMs, retainedBaselineMs, parserMs, ratio: parserMs / baselineMs, retainedRatio: parserMs / retainedBaselineMs };
}

function main(): void {
  const n = Number(process.argv[2] ?? 20_000);
  const runs = Number(process.argv[3] ?? 7);
  const r = runParseFindingsBench(n, runs);
  const rate = (ms: number): string => `${Math.round((r.findings / ms) * 1000).toLocaleString('en-US')} findings/s, ${((r.megabytes / ms) * 1000).toFixed(1)} MB/s`;
  console.log(`parse-findings: ${r.findings} findings, ${r.megabytes.toFixed(1)} MB of JSON Lines, median of ${runs} runs (Node ${process.version}${gc ? ', gc between runs' : ''})`);
  console.log(`  (a)  JSON.parse per line, discarded (baseline): ${r.baselineMs.toFixed(1)} ms  ${rate(r.baselineMs)}`);
  console.log(`  (a') JSON.parse per line, kept:                 ${r.retainedBaselineMs.toFixed(1)} ms  ${rate(r.retainedBaselineMs)}`);
  console.log(`  (b)  parseDocument:                             ${r.parserMs.toFixed(1)} ms  ${rate(r.parserMs)}`);
  console.log(`  ratio (b)/(a): ${r.ratio.toFixed(2)}x   ratio (b)/(a'): ${r.retainedRatio.toFixed(2)}x`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
