/**
 * Triage one export in this process as `tourniquet triage --json` does (the unpacked-size limit raised when given):
 * read it, rank it, and produce the JSON output incident by incident (the text is counted, not kept), then print
 * `{ "findings", "incidents", "rejected", "outputBytes", "maxRssMb", "ms" }`. Run in a fresh process per export, so
 * peak RSS is this export's and nothing else's.
 *
 * `--whole` instead builds every incident at once (`Triage.result()`, what the output held before it was written as
 * it is built), for comparison.
 */
import { triageJsonChunks } from '../../src/cli/triage-output.js';
import { DEFAULT_INPUT_LIMITS } from '../../src/findings/input-limits.js';
import { triageBatches } from '../../src/investigate/triage-input.js';
import { Triage } from '../../src/investigate/triage.js';

const args = process.argv.slice(2).filter((a) => a !== '--whole');
const whole = process.argv.includes('--whole');
const [file, maxDecompressed] = args;
if (file === undefined) throw new Error('usage: triage-rss.ts <export.jsonl.gz> [maxDecompressedBytes] [--whole]');
const limits = { ...DEFAULT_INPUT_LIMITS, ...(maxDecompressed !== undefined ? { maxDecompressedBytes: Number(maxDecompressed) } : {}) };
const t0 = performance.now();
const triage = new Triage();
for await (const batch of triageBatches(file, { limits })) for (const item of batch) triage.add(item);
let outputBytes = 0;
let stats;
if (whole) {
  stats = triage.result().stats;
} else {
  const ranking = triage.ranked();
  for (const chunk of triageJsonChunks(ranking)) outputBytes += Buffer.byteLength(chunk);
  stats = ranking.stats;
}
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ findings: stats.findings, incidents: stats.incidents, rejected: stats.rejected, outputBytes, maxRssMb: process.resourceUsage().maxRSS / 1024, ms })}\n`);
