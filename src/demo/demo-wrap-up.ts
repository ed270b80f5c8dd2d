/**
 * How a demo ends: the findings the scenario responded to are written as a `.jsonl.gz` export, triaged like any
 * export (src/investigate/), and the HTML report of the scenario's main incident (the first incident of the
 * top-ranked triage incident's first finding) is written to a folder that is kept: `.tourniquet/demo/<scenario>/`
 * in the current directory. Both are checks of the demo.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Runtime } from '../cli/runtime.js';
import type { Finding } from '../findings/model.js';
import { triageItems } from '../investigate/triage-input.js';
import { Triage } from '../investigate/triage.js';
import { collectReportData } from '../report/report-data.js';
import { renderHtml, REPORT_FILE } from '../report/render-html.js';

export const DEMO_OUTPUT_DIR = join('.tourniquet', 'demo');
export const DEMO_EXPORT_FILE = 'findings.jsonl.gz';

/** What a scenario responded to: each finding with the incidents it opened or touched, in order. */
export interface RespondedFinding {
  readonly finding: Finding;
  readonly incidentIds: readonly string[];
}

/** Records every `respond` of the runtime's responder (the scenario calls it; nothing else changes). */
export function recordResponses(runtime: Runtime): RespondedFinding[] {
  const seen: RespondedFinding[] = [];
  const responder = runtime.responder;
  const respond = responder.respond.bind(responder);
  responder.respond = async (finding, mode, options) => {
    const result = await respond(finding, mode, options);
    seen.push({ finding, incidentIds: result.outcomes.map((o) => o.incidentId) });
    return result;
  };
  return seen;
}

export interface WrapUpContext {
  readonly scenario: string;
  readonly runtime: Runtime;
  readonly responded: readonly RespondedFinding[];
  /** Where the export and report go (default: `.tourniquet/demo/<scenario>` in the current directory). */
  readonly outputDir?: string;
  readonly log: (line: string) => void;
  readonly check: (name: string, ok: boolean, detail: string) => void;
}

export async function wrapUpDemo(ctx: WrapUpContext): Promise<void> {
  const dir = resolve(ctx.outputDir ?? join(DEMO_OUTPUT_DIR, ctx.scenario));
  await mkdir(dir, { recursive: true });
  ctx.log('Triage: the findings of this demo as a GuardDuty export, ranked…');
  const exportFile = join(dir, DEMO_EXPORT_FILE);
  const lines = ctx.responded.map((r) => JSON.stringify(r.finding.raw));
  await writeFile(exportFile, gzipSync(lines.join('\n') + '\n'));
  const triage = new Triage();
  for await (const item of triageItems(exportFile)) triage.add(item);
  const result = triage.result();
  for (const i of result.incidents.slice(0, 3)) {
    ctx.log(`   #${i.rank} score ${i.score}: ${i.types.join(', ')} on ${i.subjects.map((s) => `${s.kind} ${s.id}`).slice(0, 3).join(', ')}`);
  }
  const responded = new Set(ctx.responded.map((r) => r.finding.id));
  const ranked = result.incidents.flatMap((i) => i.findingIds).filter((id) => responded.has(id));
  ctx.check(
    `triage ranked ${result.incidents.length} incident(s)`,
    result.incidents.length > 0 && ranked.length > 0,
    `${result.stats.findings} finding(s), ${result.stats.scanResults} scan result(s) from ${exportFile}`,
  );

  const top = result.incidents[0]?.findingIds[0];
  const main = ctx.responded.find((r) => r.finding.id === top)?.incidentIds[0] ?? ctx.responded.find((r) => r.incidentIds.length > 0)?.incidentIds[0];
  if (main === undefined) {
    ctx.check('report written', false, 'the scenario opened no incident');
    return;
  }
  const data = await collectReportData(ctx.runtime.journal, main);
  const reportFile = join(dir, REPORT_FILE);
  await writeFile(reportFile, renderHtml(data));
  const html = await readFile(reportFile, 'utf8');
  ctx.check('report written', html.includes(main), `incident ${main}: ${reportFile}`);
  ctx.log(`   report: ${reportFile}`);
}
