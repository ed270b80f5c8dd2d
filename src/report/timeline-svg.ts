/**
 * The incident's timeline as an inline SVG (no script, no external resource): one lane for finding occurrences, one
 * per step (a bar from start to finish, coloured by status), one for approvals and the release. Times are laid out
 * from the first to the last event; labels are escaped.
 */
import type { ReportData } from './report-data.js';
import { escapeHtml, Html } from './html-escape.js';

const STATUS_COLOUR: Readonly<Record<string, string>> = {
  done: '#2e7d32',
  released: '#1565c0',
  failed: '#c62828',
  'release-failed': '#c62828',
  'awaiting-approval': '#f9a825',
  approved: '#6a1b9a',
  running: '#ef6c00',
  skipped: '#9e9e9e',
  denied: '#616161',
  planned: '#bdbdbd',
};

const LABEL = 190;
const WIDTH = 960;
const LANE = 22;

export function statusColour(status: string): string {
  return STATUS_COLOUR[status] ?? '#757575';
}

export function timelineSvg(data: ReportData): Html {
  const times: number[] = [];
  const t = (iso: string | undefined): number | undefined => {
    if (iso === undefined) return undefined;
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) times.push(ms);
    return Number.isFinite(ms) ? ms : undefined;
  };
  const occ = data.occurrences.map((o) => ({ at: t(o.recordedAt), label: `${o.findingType} severity ${o.severity} count ${o.count}` }));
  const steps = data.steps.map((s) => ({ id: s.stepId, status: s.status, start: t(s.startedAt), end: t(s.finishedAt ?? s.releasedAt) ?? t(s.updatedAt) }));
  const marks = [
    ...data.approvals.map((a) => ({ at: t(a.at), label: `${a.decision} ${a.stepId} by ${a.by}`, colour: a.decision === 'approve' ? '#6a1b9a' : '#616161' })),
    ...(data.incident.releasedAt !== undefined ? [{ at: t(data.incident.releasedAt), label: `released by ${data.incident.releasedBy ?? '?'}`, colour: '#1565c0' }] : []),
  ];
  t(data.incident.createdAt);
  const lo = Math.min(...times);
  const hi = Math.max(...times, lo + 1000);
  const x = (ms: number): number => LABEL + ((ms - lo) / (hi - lo)) * (WIDTH - LABEL - 20);
  const lanes = 2 + steps.length;
  const height = 30 + lanes * LANE + 20;
  const parts: string[] = [];
  const lane = (i: number): number => 30 + i * LANE;
  const label = (i: number, text: string): void => {
    parts.push(`<text x="4" y="${lane(i) + 14}" class="lane">${escapeHtml(text)}</text>`);
  };
  // Axis: start and end times.
  parts.push(`<line x1="${LABEL}" y1="20" x2="${WIDTH - 20}" y2="20" class="axis"/>`);
  parts.push(`<text x="${LABEL}" y="14" class="tick">${escapeHtml(new Date(lo).toISOString())}</text>`);
  parts.push(`<text x="${WIDTH - 20}" y="14" class="tick" text-anchor="end">${escapeHtml(new Date(hi).toISOString())}</text>`);
  label(0, 'findings');
  for (const o of occ) {
    if (o.at === undefined) continue;
    parts.push(`<circle cx="${x(o.at).toFixed(1)}" cy="${lane(0) + 10}" r="5" fill="#d84315"><title>${escapeHtml(o.label)}</title></circle>`);
  }
  steps.forEach((s, i) => {
    label(i + 1, s.id);
    if (s.start === undefined && s.end === undefined) return;
    const a = x(s.start ?? s.end!);
    const b = Math.max(a + 3, x(s.end ?? s.start!));
    parts.push(
      `<rect x="${a.toFixed(1)}" y="${lane(i + 1) + 4}" width="${(b - a).toFixed(1)}" height="12" rx="2" fill="${statusColour(s.status)}"><title>${escapeHtml(`${s.id}: ${s.status}`)}</title></rect>`,
    );
  });
  label(steps.length + 1, 'approvals, release');
  for (const m of marks) {
    if (m.at === undefined) continue;
    const cx = x(m.at).toFixed(1);
    const y = lane(steps.length + 1);
    parts.push(`<path d="M${cx} ${y + 3} l6 7 l-6 7 l-6 -7 z" fill="${m.colour}"><title>${escapeHtml(m.label)}</title></path>`);
  }
  return new Html(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Timeline of findings, steps, approvals and release">${parts.join('')}</svg>`,
  );
}
