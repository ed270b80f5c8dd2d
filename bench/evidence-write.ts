/**
 * Benchmark: writing evidence as the engine does for a stream of occurrences of one incident — a writer opened per
 * occurrence (`evidenceFor(caseId)`), one artefact each (`occurrences/<n>.json`, a 2 KB finding).
 *
 *   baseline — the writers before the chain head was kept (bench/baseline/, commit 9e7f42b): every artefact re-reads
 *              the whole manifest (local), every new writer lists and reads every entry object and each entry
 *              rewrites the whole manifest.jsonl (S3);
 *   current  — src/evidence: the head is kept (in the process, and in manifest/head.json for S3).
 *
 * Each run writes `n` occurrences to a fresh case and times the first half and the second half separately: when
 * writing is linear the two halves take about as long; when every artefact re-reads the case, the second half is
 * slower (about 3× for a cost growing linearly with the case). Prints per writer the median of the runs for each
 * half, the growth (second half / first half) and the ratio baseline / current. The S3 part runs against
 * moto_server (skipped when it is not installed), with fewer occurrences: the baseline's reads grow quadratically.
 * Usage: `npm run bench:evidence -- [runs] [local occurrences] [s3 occurrences]` (default 3, 3000, 80;
 * 0 skips a part). About 5 minutes with the defaults on 2 busy cores.
 */
import './support/quiet-sdk-warning.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startMotoServer, type MotoServer } from '../src/aws/moto-server.js';
import type { EvidenceWriter } from '../src/evidence/evidence-writer.js';
import { LocalCaseFolder } from '../src/evidence/local-case-folder.js';
import { S3CaseWriter } from '../src/evidence/s3-case-writer.js';
import { BaselineLocalCaseFolder } from './baseline/local-case-folder-rereading.js';
import { BaselineS3CaseWriter } from './baseline/s3-case-writer-rereading.js';

type OpenWriter = (caseId: string) => EvidenceWriter;

interface Writer {
  readonly name: string;
  readonly baseline: OpenWriter;
  readonly current: OpenWriter;
  readonly occurrences: number;
}

/** A finding of about 2 KB, as the engine stores one per occurrence. */
function finding(n: number): unknown {
  return {
    schemaVersion: '2.0',
    id: `f${String(n).padStart(31, '0')}`,
    type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    updatedAt: new Date(Date.UTC(2026, 7, 1, 0, 0, n)).toISOString(),
    resource: { instanceDetails: { instanceId: 'i-0123456789abcdef0', tags: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(40) })) } },
    service: { count: n, additionalInfo: { value: 'x'.repeat(600) } },
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Writes `n` occurrences to a fresh case; returns the milliseconds of the first and the second half. */
async function writeOccurrences(open: OpenWriter, caseId: string, n: number): Promise<[number, number]> {
  const halves: number[] = [];
  let started = performance.now();
  for (let i = 1; i <= n; i++) {
    await open(caseId).put(`occurrences/${i}.json`, finding(i));
    if (i === Math.floor(n / 2) || i === n) {
      const now = performance.now();
      halves.push(now - started);
      started = now;
    }
  }
  return [halves[0]!, halves[1]!];
}

async function bench(writer: Writer, runs: number): Promise<void> {
  const results = { baseline: [] as Array<[number, number]>, current: [] as Array<[number, number]> };
  for (let run = 0; run < runs; run++) {
    // Interleaved run by run, so drift in the machine's speed hits both alike.
    for (const kind of ['baseline', 'current'] as const) {
      results[kind].push(await writeOccurrences(writer[kind], `inc-bench-${kind}-${run}-${Date.now()}`, writer.occurrences));
    }
  }
  const half = writer.occurrences / 2;
  console.log(`\n${writer.name}: ${writer.occurrences} occurrences per run, ${runs} run(s), medians`);
  const medians: Record<string, [number, number]> = {};
  for (const kind of ['baseline', 'current'] as const) {
    const first = median(results[kind].map((r) => r[0]));
    const second = median(results[kind].map((r) => r[1]));
    medians[kind] = [first, second];
    console.log(
      `  ${kind.padEnd(9)} occurrences 1–${half}: ${first.toFixed(0).padStart(7)} ms   ${half + 1}–${writer.occurrences}: ${second.toFixed(0).padStart(7)} ms   growth ${(second / first).toFixed(2)}×   per artefact in the second half ${(second / half).toFixed(2)} ms`,
    );
  }
  const [b1, b2] = medians.baseline!;
  const [c1, c2] = medians.current!;
  console.log(`  baseline / current: first half ${(b1 / c1).toFixed(2)}×, second half ${(b2 / c2).toFixed(2)}×, whole run ${((b1 + b2) / (c1 + c2)).toFixed(2)}×`);
}

async function main(): Promise<void> {
  const [runs = 3, localN = 3000, s3N = 80] = process.argv.slice(2).map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'tourniquet-bench-evidence-'));
  try {
    if (localN > 0) {
      await bench(
        {
          name: 'local case folder',
          baseline: (caseId) => new BaselineLocalCaseFolder(dir, caseId),
          current: (caseId) => new LocalCaseFolder(dir, caseId),
          occurrences: localN,
        },
        runs,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  if (s3N === 0) return;
  let moto: MotoServer;
  try {
    moto = await startMotoServer();
  } catch (err) {
    console.log(`\nS3: skipped (${(err as Error).message.split('\n')[0]})`);
    return;
  }
  const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-evidence' }));
    await bench(
      {
        name: 'S3 case (moto_server)',
        baseline: (caseId) => new BaselineS3CaseWriter({ client: s3, s3Uri: 's3://bench-evidence/cases', caseId }),
        current: (caseId) => new S3CaseWriter({ client: s3, s3Uri: 's3://bench-evidence/cases', caseId }),
        occurrences: s3N,
      },
      runs,
    );
  } finally {
    s3.destroy();
    await moto.stop();
  }
}

await main();
