/**
 * Triage memory stays flat in the size of the export: it streams, and keeps one compact summary per distinct
 * finding, never the raw findings. An export 10× larger (10× the lines and 10× the distinct findings, 3–6 KB each) may
 * not raise peak RSS more than 1.5×. Each export is triaged in a fresh process, so the peak is that export's alone.
 * (`npm run bench:ingest` measures the same at benchmark sizes.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../../bench/support/generate-export.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'triage-rss-'));
const small = join(dir, 'export-1x.jsonl.gz');
const large = join(dir, 'export-10x.jsonl.gz');

interface Measure {
  readonly findings: number;
  readonly maxRssMb: number;
}

async function measure(file: string): Promise<Measure> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join('bench', 'support', 'triage-rss.ts'), file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Measure;
}

beforeAll(async () => {
  await writeExport(small, { findings: 2_000 });
  await writeExport(large, { findings: 20_000 });
}, 120_000);

describe('triage memory', () => {
  it('an export 10× larger raises peak RSS by at most 1.5×', async () => {
    const a = await measure(small);
    const b = await measure(large);
    expect([a.findings, b.findings]).toEqual([2_000, 20_000]);
    const ratio = b.maxRssMb / a.maxRssMb;
    // Printed so a failure (or a drift towards the limit) shows the figures.
    console.log(`triage peak RSS: ${a.maxRssMb.toFixed(0)} MB at 2,000 findings, ${b.maxRssMb.toFixed(0)} MB at 20,000 (×${ratio.toFixed(2)})`);
    expect(ratio).toBeLessThanOrEqual(1.5);
  }, 120_000);
});
