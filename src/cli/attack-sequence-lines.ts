/**
 * How the CLI shows incidents that belong to one GuardDuty attack sequence (`attackSequenceId`): `incidents` prints
 * them together under one header, `show` lists the sequence's other incidents. Ids are attacker-influenced: cleaned.
 */
import type { IncidentRecord } from '../journal/journal.js';
import { clean } from './print-incident.js';

/** One `incidents` row. */
export function incidentRow(i: IncidentRecord, indent = ''): string {
  return `${indent}${i.incidentId}  ${i.status.padEnd(17)} ${i.mode.padEnd(8)} ${i.createdAt}  ${i.subjectKind} ${clean(i.subjectId)}  ${clean(i.findingType)}`;
}

/**
 * The rows of `incidents`, newest first; the incidents of one attack sequence are printed together, under a header,
 * where the newest of them stands.
 */
export function incidentListLines(incidents: readonly IncidentRecord[]): string[] {
  const bySequence = new Map<string, IncidentRecord[]>();
  for (const i of incidents) {
    if (i.attackSequenceId === undefined) continue;
    const group = bySequence.get(i.attackSequenceId);
    if (group === undefined) bySequence.set(i.attackSequenceId, [i]);
    else group.push(i);
  }
  const out: string[] = [];
  const printed = new Set<string>();
  for (const i of incidents) {
    const seq = i.attackSequenceId;
    if (seq === undefined) {
      out.push(incidentRow(i));
      continue;
    }
    if (printed.has(seq)) continue;
    printed.add(seq);
    const group = bySequence.get(seq) ?? [i];
    out.push(`attack sequence ${clean(seq)} (${group.length} incident${group.length === 1 ? '' : 's'}):`);
    for (const g of group) out.push(incidentRow(g, '  '));
  }
  return out;
}

/** `show`: the sequence this incident is part of and its other incidents. */
export function sequenceLines(incident: IncidentRecord, others: readonly IncidentRecord[]): string[] {
  if (incident.attackSequenceId === undefined) return [];
  const rest = others.filter((o) => o.incidentId !== incident.incidentId);
  return [
    `  attack sequence ${clean(incident.attackSequenceId)}: ${rest.length} other incident${rest.length === 1 ? '' : 's'}`,
    ...rest.map((o) => `    ${o.incidentId}  ${o.status.padEnd(17)} ${o.subjectKind} ${clean(o.subjectId)}  ${o.playbook}`),
  ];
}
