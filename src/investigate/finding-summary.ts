/**
 * What triage keeps of one finding: its latest occurrence as a compact summary (numbers and interned keys), never
 * the raw finding. Subject keys are `kind account id` (IAM names repeat across accounts); actor keys name an access
 * key, a principal or a public remote address.
 */
import type { Finding } from '../findings/model.js';
import { parsePublicIpv4 } from '../lists/threat-list-text.js';
import type { InternTable } from './intern-table.js';

export interface FindingSummary {
  readonly id: string;
  readonly type: number;
  readonly severity: number;
  readonly account: number;
  readonly region: number;
  /** Epoch milliseconds. */
  readonly updatedAt: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** `service.count` of this occurrence. */
  readonly count: number;
  readonly subjects: readonly number[];
  readonly actors: readonly number[];
  readonly ai: boolean;
  readonly sample: boolean;
  readonly archived: boolean;
  /** Finding ids this finding is linked to by an attack sequence (its sequence, or the sequence's signals). */
  readonly links: readonly string[];
  readonly isSequence: boolean;
}

/** Most findings have no actor or link: one shared empty list instead of one each (triage keeps every summary). */
const NONE: readonly never[] = Object.freeze([]);

const FINDING_ID_IN_ARN = /\/finding\/([^/]+)$/;

/** The finding id at the end of a finding ARN (`…:detector/d/finding/<id>`), else undefined. */
export function findingIdOfArn(arn: string): string | undefined {
  return FINDING_ID_IN_ARN.exec(arn)?.[1];
}

/** A remote address worth grouping by: public IPv4 (private and reserved ones are shared by unrelated hosts), or IPv6. */
function groupableAddress(ip: string): string | undefined {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('fe80') || ip === '::1' ? undefined : ip.toLowerCase();
  try {
    return parsePublicIpv4(ip).address;
  } catch {
    return undefined;
  }
}

export function subjectKey(kind: string, accountId: string, id: string): string {
  return `${kind} ${accountId} ${id}`;
}

export function summarize(finding: Finding, table: InternTable): FindingSummary {
  const subjects = new Set<number>();
  // An attack-sequence subject's id is its own finding id: it names the incident and joins nothing else.
  for (const s of finding.subjects) subjects.add(table.id(subjectKey(s.kind, s.accountId, s.id)));
  const actors = new Set<number>();
  const a = finding.actor;
  if (a?.accessKeyId !== undefined) actors.add(table.id(`access-key ${a.accessKeyId}`));
  if (a?.principal !== undefined) actors.add(table.id(`principal ${finding.accountId} ${a.principal}`));
  const ip = a?.remoteIp === undefined ? undefined : groupableAddress(a.remoteIp);
  if (ip !== undefined) actors.add(table.id(`ip ${ip}`));

  const links: string[] = [];
  if (finding.associatedAttackSequenceArn !== undefined) {
    const seq = findingIdOfArn(finding.associatedAttackSequenceArn);
    if (seq !== undefined) links.push(seq);
  }
  const sequence = finding.subjects.find((s) => s.kind === 'attack-sequence');
  if (sequence?.kind === 'attack-sequence') {
    for (const signal of sequence.details.signals) {
      const uid = signal['uid'];
      if (signal['type'] !== 'FINDING' || typeof uid !== 'string') continue;
      const linked = findingIdOfArn(uid) ?? uid;
      if (linked !== finding.id && !links.includes(linked)) links.push(linked);
    }
  }
  const updatedAt = Date.parse(finding.updatedAt);
  return {
    id: finding.id,
    type: table.id(finding.type.raw),
    severity: finding.severity,
    account: table.id(finding.accountId),
    region: table.id(finding.region),
    updatedAt,
    firstSeen: finding.firstSeen !== undefined ? Date.parse(finding.firstSeen) : Date.parse(finding.createdAt),
    lastSeen: finding.lastSeen !== undefined ? Date.parse(finding.lastSeen) : updatedAt,
    count: finding.count,
    subjects: subjects.size === 0 ? NONE : [...subjects],
    actors: actors.size === 0 ? NONE : [...actors],
    ai: finding.subjects.some((s) => s.ai.isAi),
    sample: finding.sample,
    archived: finding.archived,
    links: links.length === 0 ? NONE : links,
    isSequence: sequence !== undefined,
  };
}

/** True when `next` is a later occurrence of the same finding than `kept`: a later `updatedAt`, then a higher count. */
export function supersedes(next: FindingSummary, kept: FindingSummary): boolean {
  if (next.updatedAt !== kept.updatedAt) return next.updatedAt > kept.updatedAt;
  return next.count > kept.count;
}
