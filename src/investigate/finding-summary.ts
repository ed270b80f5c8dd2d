/**
 * What triage keeps of one finding: its latest occurrence as a compact summary (numbers and interned keys), never
 * the raw finding. Subject keys are `kind account id` (IAM names repeat across accounts); actor keys name an access
 * key, a principal or a public remote address.
 */
import type { Finding, SubjectOf } from '../findings/model.js';
import { isPubliclyRoutable, parseIpEntry } from '../lists/ip-list.js';
import type { InternTable } from './intern-table.js';
import { epochMsOfIso } from '../findings/timestamps.js';

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

/** The same remote addresses recur across an export: their verdict is kept (bounded, cleared when full). */
const addressVerdicts = new Map<string, string | null>();
const ADDRESS_CACHE_LIMIT = 4096;

/**
 * A remote address worth grouping by: public IPv4 (private and reserved ones are shared by unrelated hosts), or IPv6.
 * The same test as `parsePublicIpv4` without its exception: most remote addresses of an export are private ones, and
 * building an error (with its stack) for each cost more than the rest of the summary.
 */
function groupableAddress(ip: string): string | undefined {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('fe80') || ip === '::1' ? undefined : ip.toLowerCase();
  const known = addressVerdicts.get(ip);
  if (known !== undefined) return known ?? undefined;
  let verdict: string | null = null;
  if (!ip.includes('/')) {
    const parsed = parseIpEntry(ip);
    if (parsed.ok && isPubliclyRoutable(parsed.family, parsed.network, parsed.prefix)) verdict = ip;
  }
  if (addressVerdicts.size >= ADDRESS_CACHE_LIMIT) addressVerdicts.clear();
  addressVerdicts.set(ip, verdict);
  return verdict ?? undefined;
}

export function subjectKey(kind: string, accountId: string, id: string): string {
  return `${kind} ${accountId} ${id}`;
}

function anyAi(finding: Finding): boolean {
  for (const s of finding.subjects) if (s.ai.isAi) return true;
  return false;
}

export function summarize(finding: Finding, table: InternTable): FindingSummary {
  // A finding has a handful of keys: arrays with an `includes` check cost less than a Set each (this runs per line).
  const subjects: number[] = [];
  // An attack-sequence subject's id is its own finding id: it names the incident and joins nothing else.
  // The key is `subjectKey(kind, account, id)`, looked up from its parts.
  for (const s of finding.subjects) {
    const key = table.id(s.kind, s.accountId, s.id);
    if (!subjects.includes(key)) subjects.push(key);
  }
  // The three kinds of actor key have distinct prefixes: they cannot repeat.
  const actors: number[] = [];
  const a = finding.actor;
  // Looked up by their parts (`access-key <id>`, `principal <account> <id>`, `ip <address>`): nothing joined per line.
  if (a?.accessKeyId !== undefined) actors.push(table.id('access-key', a.accessKeyId));
  if (a?.principal !== undefined) actors.push(table.id('principal', finding.accountId, a.principal));
  const ip = a?.remoteIp === undefined ? undefined : groupableAddress(a.remoteIp);
  if (ip !== undefined) actors.push(table.id('ip', ip));

  const links: string[] = [];
  if (finding.associatedAttackSequenceArn !== undefined) {
    const seq = findingIdOfArn(finding.associatedAttackSequenceArn);
    if (seq !== undefined) links.push(seq);
  }
  let sequence: SubjectOf<'attack-sequence'> | undefined;
  for (const s of finding.subjects) {
    if (s.kind === 'attack-sequence') {
      sequence = s;
      break;
    }
  }
  if (sequence !== undefined) {
    for (const signal of sequence.details.signals) {
      const uid = signal['uid'];
      if (signal['type'] !== 'FINDING' || typeof uid !== 'string') continue;
      const linked = findingIdOfArn(uid) ?? uid;
      if (linked !== finding.id && !links.includes(linked)) links.push(linked);
    }
  }
  const updatedAt = epochMsOfIso(finding.updatedAt);
  return {
    id: finding.id,
    type: table.id(finding.type.raw),
    severity: finding.severity,
    account: table.id(finding.accountId),
    region: table.id(finding.region),
    updatedAt,
    firstSeen: finding.firstSeen !== undefined ? epochMsOfIso(finding.firstSeen) : epochMsOfIso(finding.createdAt),
    lastSeen: finding.lastSeen !== undefined ? epochMsOfIso(finding.lastSeen) : updatedAt,
    count: finding.count,
    subjects: subjects.length === 0 ? NONE : subjects,
    actors: actors.length === 0 ? NONE : actors,
    ai: anyAi(finding),
    sample: finding.sample,
    archived: finding.archived,
    links: links.length === 0 ? NONE : links,
    isSequence: sequence !== undefined,
  };
}

/** True when an occurrence (`updatedAt`, `count`) is later than the kept one: a later `updatedAt`, then a higher count. */
export function isLaterOccurrence(updatedAt: number, count: number, keptUpdatedAt: number, keptCount: number): boolean {
  return updatedAt !== keptUpdatedAt ? updatedAt > keptUpdatedAt : count > keptCount;
}

/** True when `next` is a later occurrence of the same finding than `kept`. */
export function supersedes(next: FindingSummary, kept: FindingSummary): boolean {
  return isLaterOccurrence(next.updatedAt, next.count, kept.updatedAt, kept.count);
}
