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
import { IncidentTexts, NONE } from './incident-texts.js';
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

/** Code-point order: the same in every locale, and far cheaper than `localeCompare` (ids and times are ASCII). */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
    // One group at a time, read from the columns. Each incident is built in its final shape (rank last, set once
    // ranked) and ranked through an index: no wrapper or copy of tens of thousands of incidents at the memory peak.
    const groups = groupRows(kept, store);
    const texts = new IncidentTexts(this.table);
    const built: Array<{ -readonly [K in keyof TriageIncident]: TriageIncident[K] }> = [];
    const lastSeenMs = new Float64Array(groups.length);
    for (let g = 0; g < groups.length; g++) {
      const x = this.incident(groups[g]!, newest, texts);
      built.push(x.incident);
      lastSeenMs[g] = x.lastSeenMs;
    }
    const order = Array.from(built, (_, g) => g);
    order.sort((a, b) => {
      const x = built[a]!;
      const y = built[b]!;
      return y.score - x.score || y.maxSeverity - x.maxSeverity || lastSeenMs[b]! - lastSeenMs[a]! || compareCodePoints(x.findingIds[0]!, y.findingIds[0]!);
    });
    const incidents: TriageIncident[] = order.map((g, i) => {
      const x = built[g]!;
      x.rank = i + 1;
      return x;
    });
    return {
      incidents,
      rejected: this.rejectedList,
      stats: {
        records: this.records,
        findings: store.size,
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

  /** `texts` decodes and shares the strings of the result's incidents. */
  private incident(group: readonly number[], newest: number, texts: IncidentTexts): { incident: { -readonly [K in keyof TriageIncident]: TriageIncident[K] }; lastSeenMs: number } {
    const store = this.latest;
    // Most incidents are one finding: nothing to sort or de-duplicate (a row's own keys are distinct).
    if (group.length === 1) {
      const row = group[0]!;
      const id = store.idOf(row);
      const subjects = texts.subjects(store.subjectKeys(row));
      const lastSeen = store.lastSeen(row);
      const maxSeverity = store.severity(row);
      const ai = store.ai(row);
      const count = store.count(row);
      const sequence = store.isSequence(row);
      const { score, why } = rankIncident({ maxSeverity, ai, lastSeen, newest, count, subjects: subjects.length, sequence });
      return {
        lastSeenMs: lastSeen,
        incident: {
          score,
          why,
          subjects,
          actors: texts.values(store.actorKeys(row)),
          findingIds: [id],
          types: texts.one(store.type(row)),
          maxSeverity,
          count,
          firstSeen: new Date(store.firstSeen(row)).toISOString(),
          lastSeen: new Date(lastSeen).toISOString(),
          ai,
          accounts: texts.one(store.account(row)),
          regions: texts.one(store.region(row)),
          sequences: sequence ? [id] : store.linksOf(row).length === 0 ? NONE : [...new Set(store.linksOf(row))],
          rank: 0,
        },
      };
    }
    // Highest severity first, then the most recent, then by id (each id decoded once: the store keeps them as bytes).
    const idOfRow = new Map<number, string>();
    for (const row of group) idOfRow.set(row, store.idOf(row));
    const rows = [...group].sort((a, b) => store.severity(b) - store.severity(a) || store.lastSeen(b) - store.lastSeen(a) || compareCodePoints(idOfRow.get(a)!, idOfRow.get(b)!));
    // Sets of interned numbers keep first-seen order, as the strings they stand for would.
    const subjectKeys = new Set<number>();
    const actorKeys = new Set<number>();
    const types = new Set<number>();
    const accounts = new Set<number>();
    const regions = new Set<number>();
    const findingIds: string[] = [];
    const sequenceIds: string[] = [];
    const links: string[] = [];
    let ai = false;
    let count = 0;
    let lastSeen = -Infinity;
    let firstSeen = Infinity;
    for (const row of rows) {
      for (const key of store.subjectKeys(row)) subjectKeys.add(key);
      for (const key of store.actorKeys(row)) actorKeys.add(key);
      types.add(store.type(row));
      accounts.add(store.account(row));
      regions.add(store.region(row));
      const id = idOfRow.get(row)!;
      findingIds.push(id);
      if (store.isSequence(row)) sequenceIds.push(id);
      else for (const link of store.linksOf(row)) links.push(link);
      ai ||= store.ai(row);
      count += store.count(row);
      lastSeen = Math.max(lastSeen, store.lastSeen(row));
      firstSeen = Math.min(firstSeen, store.firstSeen(row));
    }
    const subjects = texts.subjects(subjectKeys);
    const maxSeverity = store.severity(rows[0]!);
    const sequence = sequenceIds.length > 0;
    const { score, why } = rankIncident({ maxSeverity, ai, lastSeen, newest, count, subjects: subjects.length, sequence });
    return {
      lastSeenMs: lastSeen,
      incident: {
        score,
        why,
        subjects,
        actors: texts.values(actorKeys),
        findingIds,
        types: texts.listOf(types),
        maxSeverity,
        count,
        firstSeen: new Date(firstSeen).toISOString(),
        lastSeen: new Date(lastSeen).toISOString(),
        ai,
        accounts: texts.listOf(accounts),
        regions: texts.listOf(regions),
        sequences: [...new Set([...sequenceIds, ...links])],
        rank: 0,
      },
    };
  }
}
