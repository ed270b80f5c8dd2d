/**
 * Everything an incident report shows, read once: the incident, its steps, occurrences, approvals and timeline from
 * the journal, and the evidence manifest verified (every artefact re-hashed, the chain recomputed).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../evidence/s3-location.js';
import type { Journal, ApprovalRecord, IncidentRecord, OccurrenceRecord, StepRecord, TimelineEvent } from '../journal/journal.js';
import { NotFoundError } from '../errors.js';
import type { EvidenceEntry } from '../evidence/evidence-writer.js';
import { verifyManifest, type VerifyOptions, type VerifyReport } from '../evidence/verify-manifest.js';

export interface ReportData {
  readonly incident: IncidentRecord;
  readonly steps: readonly StepRecord[];
  readonly occurrences: readonly OccurrenceRecord[];
  readonly approvals: readonly ApprovalRecord[];
  readonly events: readonly TimelineEvent[];
  /** The manifest verified, or why it could not be (no evidence location, unreadable). */
  readonly evidence: { readonly report: VerifyReport; readonly entries: readonly EvidenceEntry[] } | { readonly error: string };
  /** The first finding as kept in the evidence (`finding.json`): its title and description are shown. */
  readonly finding?: { readonly title?: string; readonly description?: string };
  /** What each done step read back (`verified:` of its `step.done` event), by step id. */
  readonly verified: Readonly<Record<string, string>>;
  readonly generatedAt: string;
}

export async function collectReportData(journal: Journal, incidentId: string, options: VerifyOptions & { readonly now?: Date } = {}): Promise<ReportData> {
  const incident = await journal.getIncident(incidentId);
  if (incident === undefined) throw new NotFoundError('incident', incidentId);
  const [steps, occurrences, approvals, events] = await Promise.all([
    journal.getSteps(incidentId),
    journal.listOccurrences(incidentId),
    journal.listApprovals(incidentId),
    journal.listEvents(incidentId),
  ]);
  const verified: Record<string, string> = {};
  for (const e of events) {
    const detail = e.type === 'step.done' && e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data['verified'] : undefined;
    // The step id leads the event's message (`isolate-network: …`).
    if (typeof detail === 'string') verified[e.message.slice(0, e.message.indexOf(':'))] = detail;
  }
  let evidence: ReportData['evidence'];
  if (incident.evidenceLocation === undefined) evidence = { error: 'no evidence was written for this incident' };
  else {
    try {
      const report = await verifyManifest(incident.evidenceLocation, options);
      evidence = { report, entries: report.listed };
    } catch (err) {
      evidence = { error: `the evidence at ${incident.evidenceLocation} could not be read: ${(err as Error).message}` };
    }
  }
  const finding = await readFindingArtefact(incident.evidenceLocation, options).catch(() => undefined);
  return {
    incident,
    steps,
    occurrences,
    approvals,
    events,
    evidence,
    verified,
    ...(finding !== undefined ? { finding } : {}),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/** Title and description of the case's `finding.json` (its integrity is what the manifest check above covers). */
async function readFindingArtefact(location: string | undefined, options: VerifyOptions): Promise<ReportData['finding']> {
  if (location === undefined) return undefined;
  let text: string | undefined;
  if (location.startsWith('file://')) text = await readFile(join(location.slice('file://'.length), 'finding.json'), 'utf8');
  else if (location.startsWith('s3://') && options.s3Client !== undefined) {
    const { bucket, prefix } = parseS3Uri(location);
    const out = await options.s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}finding.json` }));
    text = await out.Body?.transformToString();
  }
  if (text === undefined) return undefined;
  const raw = JSON.parse(text) as { title?: unknown; description?: unknown };
  return {
    ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
  };
}
