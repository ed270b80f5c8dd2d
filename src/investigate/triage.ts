/**
 * Triage: a stream of GuardDuty records (an export of any size) → ranked incidents. Only the latest occurrence of each
 * finding id is kept, as a compact summary; filters apply to that latest occurrence; samples and archived findings
 * are counted and left out; what could not be read is listed with its source, line and JSON path.
 */
import { FindingParseError } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { globMatch } from '../policy/glob.js';
import { summarize, type FindingSummary } from './finding-summary.js';
import { groupRows } from './group-incidents.js';
import { InternTable } from './intern-table.js';
import { rankIncident } from './rank-incidents.js';
import { SummaryStore } from './summary-store.js';

export type TriageItem = GuardDutyRecord | FindingParseError;

export interface TriageFilters {
  /** Keep findings last seen at or after this instant (epoch ms). */
  readonly since?: number;
  readonly minSeverity?: number;
  /** Finding type globs (`CryptoCurrency:*`); any may match. */
  readonly types?: readonly string[];
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  /** Only findings about an AI workload. */
  readonly ai?: boolean;
  /** Keep sample findings (left out by default: they describe nothing real). */
  readonly includeSamples?: boolean;
  /** Keep archived (suppressed) findings (left out by default). */
  readonly includeArchived?: boolean;
}

export interface TriageSubject {
  readonly kind: string;
  readonly accountId: string;
  readonly id: string;
}

export interface TriageIncident {
  readonly rank: number;
  readonly score: number;
  readonly why: readonly string[];
  readonly subjects: readonly TriageSubject[];
  readonly actors: readonly string[];
  readonly findingIds: readonly string[];
  readonly types: readonly string[];
  readonly maxSeverity: number;
  /** The sum of the latest `service.count` of its findings. */
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly ai: boolean;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** Attack-sequence finding ids among or referenced by its findings. */
  readonly sequences: readonly string[];
}

export interface TriageRejected {
  readonly source: string;
  readonly line?: number;
  readonly path: string;
  readonly message: string;
}

export interface TriageStats {
  /** Records read (findings, occurrences and scan results), rejected ones not included. */
  readonly records: number;
  readonly findings: number;
  /** Earlier occurrences replaced by a later one of the same finding id. */
  readonly superseded: number;
  readonly rejected: number;
  readonly samples: number;
  readonly archived: number;
  /** Findings left out by --since, --min-severity, --type, --account, --region or --ai. */
  readonly filtered: number;
  /** Malware Protection scan results (not findings: they have no id to group by). */
  readonly scanResults: number;
  readonly incidents: number;
}

export interface TriageResult {
  readonly incidents: readonly TriageIncident[];
  readonly rejected: readonly TriageRejected[];
  readonly stats: TriageStats;
}

/** Keeps the latest occurrence of each finding; feed it records, then `result()`. */
export class Triage {
  private readonly table = new InternTable();
  private readonly latest = new SummaryStore();
  private readonly rejectedList: TriageRejected[] = [];
  private records = 0;
  private superseded = 0;
  private scanResults = 0;

  constructor(private readonly filters: TriageFilters = {}) {}

  add(item: TriageItem): void {
    if (item instanceof FindingParseError) {
      this.rejectedList.push({
        source: item.source.name,
        ...(item.source.line !== undefined ? { line: item.source.line } : {}),
        path: item.path,
        message: `expected ${item.expected}, received ${item.received}`,
      });
      return;
    }
    this.records++;
    if (item.kind !== 'finding') {
      this.scanResults++;
      return;
    }
    if (!this.latest.put(summarize(item, this.table))) this.superseded++;
  }

  get findingsSeen(): number {
    return this.latest.size;
  }

  result(): TriageResult {
    const f = this.filters;
    let samples = 0;
    let archived = 0;
    let filtered = 0;
    let newest = 0;
    const kept: number[] = [];
    for (let row = 0; row < this.latest.size; row++) {
      const s = this.latest.get(row);
      if (s.sample && f.includeSamples !== true) samples++;
      else if (s.archived && f.includeArchived !== true) archived++;
      else if (!this.passes(s)) filtered++;
      else {
        kept.push(row);
        newest = Math.max(newest, s.lastSeen, s.updatedAt);
      }
    }
    // One group's summaries at a time: never every finding as an object at once.
    const incidents = groupRows(kept, this.latest)
      .map((group) => this.incident(group.map((row) => this.latest.get(row)), newest))
      .sort((a, b) => b.score - a.score || b.maxSeverity - a.maxSeverity || b.lastSeen.localeCompare(a.lastSeen) || a.findingIds[0]!.localeCompare(b.findingIds[0]!))
      .map((incident, i) => ({ ...incident, rank: i + 1 }));
    return {
      incidents,
      rejected: this.rejectedList,
      stats: {
        records: this.records,
        findings: this.latest.size,
        superseded: this.superseded,
        rejected: this.rejectedList.length,
        samples,
        archived,
        filtered,
        scanResults: this.scanResults,
        incidents: incidents.length,
      },
    };
  }

  private passes(s: FindingSummary): boolean {
    const f = this.filters;
    if (f.since !== undefined && s.lastSeen < f.since) return false;
    if (f.minSeverity !== undefined && s.severity < f.minSeverity) return false;
    if (f.types !== undefined && f.types.length > 0 && !f.types.some((g) => globMatch(g, this.table.value(s.type)))) return false;
    if (f.accounts !== undefined && f.accounts.length > 0 && !f.accounts.includes(this.table.value(s.account))) return false;
    if (f.regions !== undefined && f.regions.length > 0 && !f.regions.includes(this.table.value(s.region))) return false;
    if (f.ai === true && !s.ai) return false;
    return true;
  }

  private incident(group: readonly FindingSummary[], newest: number): Omit<TriageIncident, 'rank'> {
    const v = (id: number): string => this.table.value(id);
    const uniq = (ids: Iterable<number>): string[] => [...new Set([...ids].map(v))];
    const findings = [...group].sort((a, b) => b.severity - a.severity || b.lastSeen - a.lastSeen || a.id.localeCompare(b.id));
    const subjects = uniq(findings.flatMap((s) => s.subjects)).map((key) => {
      const [kind = '', accountId = '', ...rest] = key.split(' ');
      return { kind, accountId, id: rest.join(' ') };
    });
    const actors = uniq(findings.flatMap((s) => s.actors));
    const maxSeverity = findings[0]!.severity;
    const ai = findings.some((s) => s.ai);
    const count = findings.reduce((n, s) => n + s.count, 0);
    const lastSeen = Math.max(...findings.map((s) => s.lastSeen));
    const firstSeen = Math.min(...findings.map((s) => s.firstSeen));
    const sequences = [...new Set([...findings.filter((s) => s.isSequence).map((s) => s.id), ...findings.filter((s) => !s.isSequence).flatMap((s) => s.links)])];
    const { score, why } = rankIncident({ maxSeverity, ai, lastSeen, newest, count, subjects: subjects.length, sequence: findings.some((s) => s.isSequence) });
    return {
      score,
      why,
      subjects,
      actors,
      findingIds: findings.map((s) => s.id),
      types: uniq(findings.map((s) => s.type)),
      maxSeverity,
      count,
      firstSeen: new Date(firstSeen).toISOString(),
      lastSeen: new Date(lastSeen).toISOString(),
      ai,
      accounts: uniq(findings.map((s) => s.account)),
      regions: uniq(findings.map((s) => s.region)),
      sequences,
    };
  }
}
