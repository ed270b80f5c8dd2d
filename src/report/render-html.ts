/**
 * The incident report as one self-contained HTML file: inline CSS and SVG, no script and no external resource (a
 * Content-Security-Policy says so, so even a tampered string could not load anything). It opens with no network.
 */
import type { PlanStep } from '../contracts/plan.js';
import type { Json } from '../findings/model.js';
import type { StepRecord } from '../journal/journal.js';
import type { Decision } from '../policy/decision.js';
import { html, Html } from './html-escape.js';
import type { ReportData } from './report-data.js';
import { statusColour, timelineSvg } from './timeline-svg.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;vertical-align:middle}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}td.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;margin:4px 0;background:#f5f5f5;padding:6px}
dl{display:grid;grid-template-columns:180px 1fr;gap:2px 12px;margin:0}dt{color:#555}dd{margin:0}
.ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}.muted{color:#777}
svg.timeline{background:#fff;border:1px solid #e0e0e0;max-width:100%;height:auto}
svg .lane{font-size:11px;fill:#333}svg .tick{font-size:10px;fill:#777}svg .axis{stroke:#bbb}
details summary{cursor:pointer;color:#1565c0}
`;

function json(value: Json | undefined): Html {
  return value === undefined ? html`<span class="muted">none</span>` : html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

function badge(text: string, colour: string): Html {
  return html`<span class="badge" style="background:${colour}">${text}</span>`;
}

function summary(d: ReportData): Html {
  const i = d.incident;
  return html`<dl>
<dt>Status</dt><dd>${badge(i.status, statusColour(i.status === 'contained' ? 'done' : i.status))}</dd>
<dt>Subject</dt><dd><code>${i.subjectKind}</code> ${i.subjectId}${i.subject.name !== undefined && i.subject.name !== i.subjectId ? html` (${i.subject.name})` : ''}</dd>
<dt>Account / Region</dt><dd>${i.accountId} / ${i.region}</dd>
<dt>Finding</dt><dd>${i.findingType}, severity ${i.severity}, ${i.occurrences} occurrence(s); first ${i.findingId}</dd>
${d.finding?.title !== undefined ? html`<dt>Title</dt><dd id="finding-title">${d.finding.title}</dd>` : ''}
${d.finding?.description !== undefined ? html`<dt>Description</dt><dd>${d.finding.description}</dd>` : ''}
<dt>Mode</dt><dd>${i.mode} (playbook ${i.playbook})</dd>
<dt>Opened / updated</dt><dd>${i.createdAt} / ${i.updatedAt}</dd>
<dt>Evidence</dt><dd><code>${i.evidenceLocation ?? 'none'}</code></dd>
${i.releasedAt !== undefined ? html`<dt>Released</dt><dd>${i.releasedAt} by ${i.releasedBy ?? '?'}: ${i.releaseReason ?? ''}</dd>` : ''}
</dl>`;
}

function workload(d: ReportData): Html {
  const s = d.incident.subject;
  const tags = s.tags.length > 0 ? html`<table><tr><th>Tag</th><th>Value</th></tr>${s.tags.map((t) => html`<tr><td>${t.key}</td><td>${t.value}</td></tr>`)}</table>` : html`<p class="muted">No tags in the finding.</p>`;
  const reasons = s.ai.reasons.length > 0 ? html`<ul>${s.ai.reasons.map((r) => html`<li><code>${r.code}</code> ${r.detail}</li>`)}</ul>` : html`<p class="muted">Nothing in the finding marks this as an AI workload.</p>`;
  return html`<p>${s.ai.isAi ? html`<strong>AI workload.</strong>` : 'Not identified as an AI workload.'} Why:</p>${reasons}${tags}`;
}

function decision(d: ReportData): Html {
  const dec = d.incident.decision as unknown as Decision;
  return html`<dl>
<dt>Rule</dt><dd>${dec.rule ?? '(none matched: the defaults applied)'}</dd>
<dt>Mode</dt><dd>${dec.requestedMode} requested → <strong>${dec.effectiveMode}</strong> (decided by ${dec.decidedBy})</dd>
<dt>Policy</dt><dd><code>${dec.policySource}</code></dd>
</dl>
<ul>${dec.why.map((w) => html`<li>${w}</li>`)}</ul>
<table><tr><th>Guardrail</th><th>Verdict</th><th>Reason</th></tr>
${dec.verdicts.map((v) => html`<tr><td>${v.guardrail}</td><td class="${v.outcome === 'pass' ? 'ok' : 'bad'}">${v.outcome}</td><td>${v.reason}</td></tr>`)}
</table>`;
}

function stepRow(plan: PlanStep, record: StepRecord | undefined, verified: string | undefined): Html {
  const status = record?.status ?? 'planned';
  return html`<tr>
<td><code>${plan.id}</code><br><span class="muted">${plan.action}</span></td>
<td>${plan.description}<br><span class="muted">${plan.effect}${plan.reversible ? ', reversible' : ', not reversible'}</span></td>
<td>${badge(status, statusColour(status))}${record?.attempts ? html`<br><span class="muted">${record.attempts} attempt(s)</span>` : ''}${record?.error ? html`<br><span class="bad">${record.error.message}</span>` : ''}</td>
<td>${record?.startedAt ?? ''}${record?.finishedAt ? html`<br>→ ${record.finishedAt}` : ''}</td>
<td>${verified !== undefined ? html`<div>${verified}</div>` : html`<span class="muted">—</span>`}
<details><summary>pre-image</summary>${json(record?.preImage)}</details>
<details><summary>output</summary>${json(record?.output)}</details>
${record?.releaseOutput !== undefined ? html`<details><summary>release</summary>${json(record.releaseOutput)}</details>` : ''}</td>
</tr>`;
}

function steps(d: ReportData): Html {
  const byId = new Map(d.steps.map((s) => [s.stepId, s]));
  if (d.incident.plan.steps.length === 0) return html`<p class="muted">The playbook planned no steps (record and notify only).</p>`;
  return html`<table><tr><th>Step</th><th>What</th><th>Status</th><th>When</th><th>Read back, pre-image, output</th></tr>
${d.incident.plan.steps.map((p) => stepRow(p, byId.get(p.id), d.verified[p.id]))}</table>`;
}

function evidence(d: ReportData): Html {
  if ('error' in d.evidence) return html`<p class="bad">${d.evidence.error}</p>`;
  const { report, entries } = d.evidence;
  const verdict = report.ok
    ? html`<p class="ok">The chain verifies: ${report.verified} of ${report.entries} artefact(s) re-hashed and in order; head <code>${report.headChain ?? 'none'}</code>.</p>`
    : html`<p class="bad">The chain does NOT verify: ${report.firstBreak?.message ?? 'unknown break'} (entry ${report.firstBreak?.seq ?? '?'}, ${report.firstBreak?.reason ?? ''}).</p>`;
  const unlisted = report.unlisted.filter((n) => n !== REPORT_FILE);
  return html`${verdict}
${unlisted.length > 0 ? html`<p class="bad">Files in the case that the manifest does not list: ${unlisted.join(', ')}</p>` : ''}
<table><tr><th>#</th><th>Artefact</th><th>Bytes</th><th>SHA-256</th><th>Recorded</th></tr>
${entries.map((e) => html`<tr><td>${e.seq}</td><td><code>${e.name}</code></td><td>${e.bytes}</td><td class="mono">${e.sha256}</td><td>${e.recordedAt}</td></tr>`)}
</table>`;
}

function timelineTable(d: ReportData): Html {
  return html`<details><summary>${d.events.length} timeline event(s)</summary><table><tr><th>At</th><th>Event</th><th>Message</th></tr>
${d.events.map((e) => html`<tr><td>${e.at}</td><td><code>${e.type}</code></td><td>${e.message}</td></tr>`)}</table></details>`;
}

function release(d: ReportData): Html {
  const i = d.incident;
  if (i.releasedAt !== undefined) return html`<p>Released at ${i.releasedAt} by ${i.releasedBy ?? '?'} (${i.status}).</p>`;
  const reversible = i.plan.steps.filter((s) => s.reversible).map((s) => s.id);
  const kept = i.plan.steps.filter((s) => !s.reversible).map((s) => s.id);
  return html`<p>Every step that changed something is restored from its journaled pre-image, in reverse order:</p>
<pre>tourniquet release ${i.incidentId} --reason "why the resource may go back to service"</pre>
<p>Reversible: ${reversible.length > 0 ? reversible.join(', ') : 'none'}.${kept.length > 0 ? html` Not reversed (evidence is kept, irreversible changes stay): ${kept.join(', ')}.` : ''}</p>`;
}

/** The file name the report takes in a local case folder (not an evidence artefact: it is regenerated). */
export const REPORT_FILE = 'report.html';

export function renderHtml(d: ReportData): string {
  const i = d.incident;
  const title = `Incident ${i.incidentId}: ${i.findingType} on ${i.subjectKind} ${i.subjectId}`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${new Html(CSS)}</style></head>
<body><main>
<h1 id="title">${title}</h1>
<p class="muted">Tourniquet incident report, generated ${d.generatedAt}. Every value below comes from the journal and the evidence store.</p>
<section id="summary"><h2>Summary</h2>${summary(d)}</section>
<section id="workload"><h2>Affected workload</h2>${workload(d)}</section>
<section id="decision"><h2>Decision</h2>${decision(d)}</section>
<section id="timeline"><h2>Timeline</h2>${timelineSvg(d)}${timelineTable(d)}</section>
<section id="steps"><h2>Steps</h2>${steps(d)}</section>
<section id="evidence"><h2>Evidence</h2>${evidence(d)}</section>
<section id="release"><h2>How to release</h2>${release(d)}</section>
</main></body></html>
`;
  return page.text;
}
