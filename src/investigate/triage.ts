/**
 * Triage: a stream of GuardDuty records (an export of any size) → ranked incidents. Only the latest occurrence of each
 * finding id is kept, as a compact summary; filters apply to that latest occurrence; samples and archived findings
 * are counted and left out; what could not be read is listed with its source, line and JSON path.
 */
import { FindingParseError } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import { globMatch } from '../policy/glob.js';
import { summarize } from './finding-summary.js';
import { groupRows } from './group-incidents.js';
import { InternTable } from './intern-table.js';
import { SummaryStore } from './summary-store.js';
import { TriageRanking } from './triage-ranking.js';

export { TriageRanking };

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

/** Keeps the latest occurrence of each finding; feed it records, then `ranked()` (or `result()`). */
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

  /**
   * Every incident, built and held at once. An output should read `ranked()` instead: it builds each incident as it
   * is read, and a large export has tens of thousands of them.
   */
  result(): TriageResult {
    const r = this.ranked();
    return { incidents: Array.from(r.incidents()), rejected: r.rejected, stats: r.stats };
  }

  /** The incidents of the findings kept (after filters), ranked from the columns; each built when it is read. */
  ranked(): TriageRanking {
    const f = this.filters;
    const store = this.latest;
    let samples = 0;
    let archived = 0;
    let filtered = 0;
    let newest = 0;
    const kept: number[] = [];
    // Read from the columns: no summary object per finding (an export has hundreds of thousands).
    for (let row = 0; row < store.size; row++) {
      if (store.sample(row) && f.includeSamples !== true) samples++;
      else if (store.archived(row) && f.includeArchived !== true) archived++;
      else if (!this.passes(row)) filtered++;
      else {
        kept.push(row);
        newest = Math.max(newest, store.lastSeen(row), store.updatedAt(row));
      }
    }
    const groups = groupRows(kept, store);
    return new TriageRanking(store, this.table, groups, newest, this.rejectedList, {
      records: this.records,
      findings: store.size,
      superseded: this.superseded,
      rejected: this.rejectedList.length,
      samples,
      archived,
      filtered,
      scanResults: this.scanResults,
      incidents: groups.count,
    });
  }

  private passes(row: number): boolean {
    const f = this.filters;
    const s = this.latest;
    if (f.since !== undefined && s.lastSeen(row) < f.since) return false;
    if (f.minSeverity !== undefined && s.severity(row) < f.minSeverity) return false;
    if (f.types !== undefined && f.types.length > 0 && !this.typePasses(s.type(row))) return false;
    if (f.accounts !== undefined && f.accounts.length > 0 && !f.accounts.includes(this.table.value(s.account(row)))) return false;
    if (f.regions !== undefined && f.regions.length > 0 && !f.regions.includes(this.table.value(s.region(row)))) return false;
    if (f.ai === true && !s.ai(row)) return false;
    return true;
  }

  /** `--type` globs matched once per distinct type, not once per finding. */
  private readonly typeVerdicts = new Map<number, boolean>();

  private typePasses(type: number): boolean {
    let ok = this.typeVerdicts.get(type);
    if (ok === undefined) {
      const name = this.table.value(type);
      ok = (this.filters.types ?? []).some((g) => globMatch(g, name));
      this.typeVerdicts.set(type, ok);
    }
    return ok;
  }
}
