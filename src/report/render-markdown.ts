/** The incident report as Markdown (for a ticket): the same facts as the HTML, text only, every value escaped. */
import type { Decision } from '../policy/decision.js';
import { markdownSafe } from '../safe-text.js';
import type { ReportData } from './report-data.js';

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

export function renderMarkdown(d: ReportData): string {
  const i = d.incident;
  const m = markdownSafe;
  const dec = i.decision as unknown as Decision;
  const byId = new Map(d.steps.map((s) => [s.stepId, s]));
  const lines = [
    `# Incident ${m(i.incidentId)}: ${m(i.findingType)} on ${m(i.subjectKind)} ${m(i.subjectId)}`,
    '',
    `Generated ${d.generatedAt} from the journal and the evidence store.`,
    '',
    '## Summary',
    '',
    `- **Status:** ${m(i.status)}; mode ${m(i.mode)}; playbook ${m(i.playbook)}`,
    `- **Subject:** ${m(i.subjectKind)} ${m(i.subjectId)} in ${m(i.accountId)} / ${m(i.region)}`,
    `- **Finding:** ${m(i.findingType)}, severity ${i.severity}, ${i.occurrences} occurrence(s)`,
    ...(d.finding?.title !== undefined ? [`- **Title:** ${m(d.finding.title)}`] : []),
    `- **AI workload:** ${i.subject.ai.isAi ? `yes (${i.subject.ai.reasons.map((r) => m(`${r.code}: ${r.detail}`)).join('; ')})` : 'no'}`,
    `- **Evidence:** ${m(i.evidenceLocation ?? 'none')}`,
    ...(i.releasedAt !== undefined ? [`- **Released:** ${m(i.releasedAt)} by ${m(i.releasedBy ?? '?')}: ${m(i.releaseReason ?? '')}`] : []),
    '',
    '## Decision',
    '',
    `Rule ${m(dec.rule ?? '(defaults)')}: ${m(dec.requestedMode)} requested → **${m(dec.effectiveMode)}** (${m(dec.decidedBy)}).`,
    '',
    '| Guardrail | Verdict | Reason |',
    '|---|---|---|',
    ...dec.verdicts.map((v) => `| ${m(v.guardrail)} | ${m(v.outcome)} | ${m(v.reason)} |`),
    '',
    '## Steps',
    '',
    '| Step | Effect | Status | Finished | Read back |',
    '|---|---|---|---|---|',
    ...i.plan.steps.map((p) => {
      const r = byId.get(p.id);
      return `| ${code(p.id)} | ${m(p.effect)}${p.reversible ? ', reversible' : ''} | ${m(r?.status ?? 'planned')} | ${m(r?.finishedAt ?? '')} | ${m(d.verified[p.id] ?? r?.error?.message ?? '')} |`;
    }),
    '',
    '## Evidence',
    '',
  ];
  if ('error' in d.evidence) lines.push(m(d.evidence.error));
  else {
    const { report, entries } = d.evidence;
    lines.push(report.ok ? `The chain verifies: ${report.verified} of ${report.entries} artefact(s), head ${code(report.headChain ?? 'none')}.` : `**The chain does NOT verify:** ${m(report.firstBreak?.message ?? 'unknown break')}.`);
    lines.push('', '| # | Artefact | Bytes | SHA-256 |', '|---:|---|---:|---|');
    for (const e of entries) lines.push(`| ${e.seq} | ${code(e.name)} | ${e.bytes} | ${code(e.sha256)} |`);
  }
  lines.push('', '## How to release', '');
  if (i.releasedAt !== undefined) lines.push(`Released at ${m(i.releasedAt)}.`);
  else lines.push('```', `tourniquet release ${i.incidentId} --reason "why the resource may go back to service"`, '```');
  lines.push('');
  return lines.join('\n');
}
