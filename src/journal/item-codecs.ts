/**
 * Journal records to and from DynamoDB items. JSON values (plan, decision, subject, pre-images, outputs, event data)
 * are stored as JSON strings: attacker-influenced keys never become DynamoDB map keys or object keys on the way back
 * (JSON.parse keeps `__proto__` as data), and DynamoDB's 32-level nesting limit does not apply.
 */
import { TourniquetError, describeValue } from '../errors.js';
import type { IncidentDecision } from '../engine/escalate.js';
import type { Json, Subject } from '../findings/model.js';
import type { Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';
import type { IncidentRecord, IncidentStatus, NewIncident, OccurrenceRecord, OccurrenceStatus, StepRecord, StepStatus } from './journal.js';
import { INCIDENTS_GSI_PK, keys } from './table-layout.js';

export type Item = Record<string, unknown>;

/** DynamoDB items are at most 400 KB; stay clear of it with a readable error instead of a ValidationException. */
const MAX_ITEM_JSON_BYTES = 350_000;

export function incidentItem(incidentId: string, init: NewIncident, now: Date): Item {
  const at = now.toISOString();
  const item: Item = {
    ...keys.incident(incidentId),
    type: 'incident',
    gsi1pk: INCIDENTS_GSI_PK,
    gsi1sk: `${at}#${incidentId}`,
    incidentId,
    incidentKey: init.incidentKey,
    accountId: init.accountId,
    region: init.region,
    subjectKind: init.subjectKind,
    subjectId: init.subjectId,
    findingId: init.findingId,
    findingType: init.findingType,
    severity: init.severity,
    mode: init.mode,
    playbook: init.playbook,
    plan: toJson('plan', init.plan),
    decision: toJson('decision', init.decision),
    subject: toJson('subject', init.subject),
    status: init.mode === 'observe' ? 'observed' : 'in-progress',
    createdAt: at,
    updatedAt: at,
    occurrences: 0,
    version: 1,
  };
  if (init.evidenceLocation !== undefined) item.evidenceLocation = init.evidenceLocation;
  if (init.attackSequenceId !== undefined) item.attackSequenceId = init.attackSequenceId;
  checkSize(`incident ${incidentId}`, item);
  return item;
}

export function toJson(what: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TourniquetError('journal.value', `${what} is not JSON-serializable`);
  return text;
}

export function fromJson(what: string, text: string): Json {
  return decodeJson<Json>(what, text);
}

/**
 * Decodes a JSON value the journal wrote itself from a value of type T (plan, decision, subject, step error): the
 * journal's own records are trusted inside, so the type is taken, not re-validated.
 */
export function decodeJson<T>(what: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new TourniquetError('journal.corrupt', `stored ${what} is not valid JSON: ${describeValue(text)}`, { cause: err });
  }
}

export function checkSize(what: string, values: Record<string, unknown>): void {
  let bytes = 0;
  for (const v of Object.values(values)) if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8');
  if (bytes > MAX_ITEM_JSON_BYTES) {
    throw new TourniquetError(
      'journal.too-large',
      `${what} is ${bytes} bytes of JSON, over the journal's ${MAX_ITEM_JSON_BYTES}-byte item budget (DynamoDB items are at most 400 KB); keep large data in the evidence`,
    );
  }
}

export function str(item: Item, field: string): string {
  const v = item[field];
  if (typeof v !== 'string') throw new TourniquetError('journal.corrupt', `journal item ${String(item.pk)}/${String(item.sk)}: ${field} is ${describeValue(v)}`);
  return v;
}

export function optStr(item: Item, field: string): string | undefined {
  const v = item[field];
  return typeof v === 'string' ? v : undefined;
}

export function num(item: Item, field: string, fallback: number): number {
  const v = item[field];
  return typeof v === 'number' ? v : fallback;
}

export function toIncident(item: Item): IncidentRecord {
  const optional = (field: 'evidenceLocation' | 'releasedBy' | 'releaseReason' | 'releasedAt' | 'attackSequenceId') => {
    const v = optStr(item, field);
    return v === undefined ? {} : { [field]: v };
  };
  return {
    incidentId: str(item, 'incidentId'),
    incidentKey: str(item, 'incidentKey'),
    accountId: str(item, 'accountId'),
    region: str(item, 'region'),
    subjectKind: str(item, 'subjectKind'),
    subjectId: str(item, 'subjectId'),
    findingId: str(item, 'findingId'),
    findingType: str(item, 'findingType'),
    severity: num(item, 'severity', 0),
    mode: str(item, 'mode') as IncidentRecord['mode'],
    playbook: str(item, 'playbook'),
    plan: decodeJson<Plan>('plan', str(item, 'plan')),
    decision: decodeJson<IncidentDecision>('decision', str(item, 'decision')),
    subject: decodeJson<Subject>('subject', str(item, 'subject')),
    status: str(item, 'status') as IncidentStatus,
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
    occurrences: num(item, 'occurrences', 0),
    version: num(item, 'version', 0),
    ...optional('evidenceLocation'),
    ...optional('releasedBy'),
    ...optional('releaseReason'),
    ...optional('releasedAt'),
    ...optional('attackSequenceId'),
  };
}

export function toStep(item: Item): StepRecord {
  const json = (field: 'preImage' | 'output' | 'releaseOutput') => {
    const v = optStr(item, field);
    return v === undefined ? {} : { [field]: fromJson(field, v) };
  };
  const text = (field: 'startedAt' | 'finishedAt' | 'leaseOwner' | 'leaseUntil' | 'leaseProcess' | 'approvedBy' | 'releasedAt') => {
    const v = optStr(item, field);
    return v === undefined ? {} : { [field]: v };
  };
  const errorText = optStr(item, 'error');
  return {
    incidentId: str(item, 'incidentId'),
    stepId: str(item, 'stepId'),
    action: str(item, 'action'),
    status: str(item, 'status') as StepStatus,
    attempts: num(item, 'attempts', 0),
    updatedAt: str(item, 'updatedAt'),
    ...json('preImage'),
    ...json('output'),
    ...json('releaseOutput'),
    ...(errorText !== undefined ? { error: decodeJson<StepRecord['error']>('error', errorText) } : {}),
    ...text('startedAt'),
    ...text('finishedAt'),
    ...text('leaseOwner'),
    ...text('leaseUntil'),
    ...text('leaseProcess'),
    ...text('approvedBy'),
    ...text('releasedAt'),
  };
}

export function toOccurrence(item: Item): OccurrenceRecord {
  const text = (field: 'claimProcess' | 'decidedAt' | 'merge' | 'mergedAt') => {
    const v = optStr(item, field);
    return v === undefined ? {} : { [field]: v };
  };
  const decision = optStr(item, 'decision');
  const plan = optStr(item, 'plan');
  return {
    incidentId: str(item, 'incidentId'),
    findingId: str(item, 'findingId'),
    findingType: str(item, 'findingType'),
    severity: num(item, 'severity', 0),
    count: num(item, 'count', 0),
    updatedAt: str(item, 'updatedAt'),
    status: str(item, 'status') as OccurrenceStatus,
    recordedAt: str(item, 'recordedAt'),
    claimedBy: str(item, 'claimedBy'),
    claimUntil: str(item, 'claimUntil'),
    ...text('claimProcess'),
    ...(decision !== undefined ? { decision: decodeJson<Decision>('occurrence decision', decision) } : {}),
    ...(plan !== undefined ? { plan: decodeJson<Plan>('occurrence plan', plan) } : {}),
    ...text('decidedAt'),
    ...text('merge'),
    ...text('mergedAt'),
    ...(item.evidenceWritten === true ? { evidenceWritten: true } : {}),
  };
}
