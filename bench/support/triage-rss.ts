/**
 * Triage one export in this process and print `{ "findings", "incidents", "maxRssMb", "ms" }`: run in a fresh process
 * per export, so peak RSS is this export's and nothing else's.
 */
import { triageBatches } from '../../src/investigate/triage-input.js';
import { Triage } from '../../src/investigate/triage.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: triage-rss.ts <export.jsonl.gz>');
const t0 = performance.now();
const triage = new Triage();
for await (const batch of triageBatches(file)) for (const item of batch) triage.add(item);
const r = triage.result();
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ findings: r.stats.findings, incidents: r.stats.incidents, rejected: r.stats.rejected, maxRssMb: process.resourceUsage().maxRSS / 1024, ms })}\n`);
