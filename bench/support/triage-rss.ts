/**
 * Triage one export in this process (the unpacked-size limit raised when given) and print
 * `{ "findings", "incidents", "rejected", "maxRssMb", "ms" }`: run in a fresh process per export, so peak RSS is this
 * export's and nothing else's.
 */
import { DEFAULT_INPUT_LIMITS } from '../../src/findings/input-limits.js';
import { triageBatches } from '../../src/investigate/triage-input.js';
import { Triage } from '../../src/investigate/triage.js';

const [file, maxDecompressed] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: triage-rss.ts <export.jsonl.gz> [maxDecompressedBytes]');
const limits = { ...DEFAULT_INPUT_LIMITS, ...(maxDecompressed !== undefined ? { maxDecompressedBytes: Number(maxDecompressed) } : {}) };
const t0 = performance.now();
const triage = new Triage();
for await (const batch of triageBatches(file, { limits })) for (const item of batch) triage.add(item);
const r = triage.result();
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ findings: r.stats.findings, incidents: r.stats.incidents, rejected: r.stats.rejected, maxRssMb: process.resourceUsage().maxRSS / 1024, ms })}\n`);
