/**
 * GuardDuty attack sequences (Extended Threat Detection, `AttackSequence:*`): every resource and actor of a sequence
 * goes to its own playbook, one incident per subject, and every such incident carries the sequence's id
 * (`attackSequenceId`, journaled), so `tourniquet incidents` groups them and `tourniquet show` lists the others.
 *
 * The id is the sequence finding's id. A component finding names its sequence by ARN
 * (`associatedAttackSequenceArn`, `…:detector/<d>/finding/<id>`), so the incident of the crypto-mining finding that
 * GuardDuty later correlates is linked to the same id, whichever arrives first.
 */
import type { Finding, Subject } from '../findings/model.js';
import type { IncidentRecord, Journal } from '../journal/journal.js';

const SEQUENCE_FINDING_ARN = /\/finding\/([A-Za-z0-9._-]{1,256})$/;

export function isAttackSequence(finding: Finding): boolean {
  return finding.type.threatPurpose === 'AttackSequence' || finding.resourceType === 'AttackSequence';
}

/** The attack sequence a finding belongs to: its own id for a sequence, else the one its ARN names (or none). */
export function attackSequenceIdOf(finding: Finding): string | undefined {
  if (isAttackSequence(finding)) return finding.id;
  const arn = finding.associatedAttackSequenceArn;
  return arn === undefined ? undefined : SEQUENCE_FINDING_ARN.exec(arn)?.[1];
}

/**
 * For a sequence: every subject gets an incident — the sequence itself (recorded and notified: it carries the
 * signals, actors and endpoints), each resource and each actor — a subject without a playbook is recorded, never
 * dropped. Undefined for any other finding (the usual rule applies).
 */
export function sequenceSubjectsToHandle(finding: Finding): Subject[] | undefined {
  return isAttackSequence(finding) ? [...finding.subjects] : undefined;
}

/**
 * Puts the sequence id on an incident that lacks it (an incident opened by a component finding before the sequence
 * came) and says so on its timeline. An incident already in another sequence keeps its link; the new one is recorded
 * on the timeline. Returns the incident as it now is.
 */
export async function linkIncidentToSequence(journal: Journal, incident: IncidentRecord, finding: Finding, now: Date): Promise<IncidentRecord> {
  const sequenceId = attackSequenceIdOf(finding);
  if (sequenceId === undefined || incident.attackSequenceId === sequenceId) return incident;
  const at = now.toISOString();
  if (incident.attackSequenceId !== undefined) {
    await journal.appendEvent(incident.incidentId, { at, type: 'attack-sequence', message: `also part of attack sequence ${sequenceId} (${finding.type.raw}); linked to ${incident.attackSequenceId}` });
    return incident;
  }
  const linked = await journal.updateIncident(incident.incidentId, { attackSequenceId: sequenceId }, now);
  await journal.appendEvent(incident.incidentId, { at, type: 'attack-sequence', message: `linked to attack sequence ${sequenceId} (${finding.type.raw})` });
  return linked;
}
