/**
 * The ranked incidents of a triage, built when they are read. Ranking reads the summary store's columns: per group
 * its score, highest severity, last activity and leading finding (numbers in typed arrays), never an incident object.
 * An incident (finding-id strings, ISO times, subjects, lists) is built only as it is read, in rank order, so an
 * output that writes them as it goes holds the columns and one page of incidents, not tens of thousands of them
 * (61,244 incidents for 200,000 findings held 71.6 MB of heap).
 */
import type { RowGroups } from './group-incidents.js';
import { IncidentTexts, NONE } from './incident-texts.js';
import type { InternTable } from './intern-table.js';
import { rankIncident, scoreIncident } from './rank-incidents.js';
import type { SummaryStore } from './summary-store.js';
import type { TriageIncident, TriageRejected, TriageStats } from './triage.js';

type Building = { -readonly [K in keyof TriageIncident]: TriageIncident[K] };

/** Adds `pool[start]` … `pool[start + n - 1]` to `set` (read in place: no view of the pool per row). */
function addKeys(set: Set<number>, pool: Int32Array, start: number, n: number): void {
  for (let k = start; k < start + n; k++) set.add(pool[k]!);
}

export class TriageRanking {
  /** Group numbers in rank order. */
  private readonly order: Int32Array;
  private readonly texts: IncidentTexts;

  constructor(
    private readonly store: SummaryStore,
    table: InternTable,
    private readonly groups: RowGroups,
    /** Epoch ms of the newest activity kept: recency is measured against it. */
    private readonly newest: number,
    readonly rejected: readonly TriageRejected[],
    readonly stats: TriageStats,
  ) {
    this.texts = new IncidentTexts(table);
    this.order = this.rank();
  }

  /** The number of incidents. */
  get size(): number {
    return this.groups.count;
  }

  /** The incidents ranked `from + 1` … `to` (0-based, `to` excluded), each built when reached. */
  *incidents(from = 0, to = this.size): Generator<TriageIncident, void, undefined> {
    const { starts, rows } = this.groups;
    for (let k = Math.max(0, from); k < Math.min(to, this.size); k++) {
      const g = this.order[k]!;
      yield this.incident(rows, starts[g]!, starts[g + 1]!, k + 1);
    }
  }

  /**
   * Score, highest severity, last activity and leading row of every group, from the columns; then the groups in rank
   * order: score, severity, recency, then the leading finding's id (compared as bytes, not decoded).
   */
  private rank(): Int32Array {
    const store = this.store;
    const { count, starts, rows } = this.groups;
    const score = new Float64Array(count);
    const severity = new Float64Array(count);
    const lastSeen = new Float64Array(count);
    const lead = new Int32Array(count);
    const subjects = new Set<number>();
    const pool = store.keyPool;
    for (let g = 0; g < count; g++) {
      const a = starts[g]!;
      const b = starts[g + 1]!;
      let first = rows[a]!;
      let maxSeverity = store.severity(first);
      let last = store.lastSeen(first);
      let ai = store.ai(first);
      let seen = store.count(first);
      let sequence = store.isSequence(first);
      let subjectCount = store.subjectCount(first);
      if (b - a > 1) {
        subjects.clear();
        addKeys(subjects, pool, store.keyStart(first), subjectCount);
        for (let i = a + 1; i < b; i++) {
          const row = rows[i]!;
          const sev = store.severity(row);
          const at = store.lastSeen(row);
          // The incident's first finding: highest severity, then the most recent, then the lowest id.
          if (sev > maxSeverity || (sev === maxSeverity && (at > last || (at === last && store.compareIds(row, first) < 0)))) first = row;
          maxSeverity = Math.max(maxSeverity, sev);
          last = Math.max(last, at);
          ai ||= store.ai(row);
          seen += store.count(row);
          sequence ||= store.isSequence(row);
          addKeys(subjects, pool, store.keyStart(row), store.subjectCount(row));
        }
        subjectCount = subjects.size;
      }
      score[g] = scoreIncident({ maxSeverity, ai, lastSeen: last, newest: this.newest, count: seen, subjects: subjectCount, sequence });
      severity[g] = maxSeverity;
      lastSeen[g] = last;
      lead[g] = first;
    }
    const order = new Int32Array(count);
    for (let g = 0; g < count; g++) order[g] = g;
    return order.sort((x, y) => score[y]! - score[x]! || severity[y]! - severity[x]! || lastSeen[y]! - lastSeen[x]! || store.compareIds(lead[x]!, lead[y]!));
  }

  /** The incident of the group `rows[from]` … `rows[to - 1]`, in its final shape (`rank` last, as the output has always had it). */
  private incident(groupRows: Int32Array, from: number, to: number, rank: number): TriageIncident {
    const store = this.store;
    const texts = this.texts;
    const newest = this.newest;
    // Most incidents are one finding: nothing to sort or de-duplicate (a row's own keys are distinct).
    if (to - from === 1) {
      const row = groupRows[from]!;
      const id = store.idOf(row);
      const start = store.keyStart(row);
      const subjectCount = store.subjectCount(row);
      const subjects = texts.subjectsAt(store.keyPool, start, subjectCount);
      const lastSeen = store.lastSeen(row);
      const maxSeverity = store.severity(row);
      const ai = store.ai(row);
      const count = store.count(row);
      const sequence = store.isSequence(row);
      const { score, why } = rankIncident({ maxSeverity, ai, lastSeen, newest, count, subjects: subjects.length, sequence });
      const one: Building = {
        score,
        why,
        subjects,
        actors: texts.valuesAt(store.keyPool, start + subjectCount, store.actorCount(row)),
        findingIds: [id],
        types: texts.one(store.type(row)),
        maxSeverity,
        count,
        firstSeen: new Date(store.firstSeen(row)).toISOString(),
        lastSeen: new Date(lastSeen).toISOString(),
        ai,
        accounts: texts.one(store.account(row)),
        regions: texts.one(store.region(row)),
        sequences: sequence ? [id] : store.linkCount(row) === 0 ? NONE : [...new Set(store.linksOf(row))],
        rank,
      };
      return one;
    }
    // Highest severity first, then the most recent, then by id (compared as bytes: one incident may hold tens of
    // thousands of findings, and a map of their decoded ids was megabytes more at the peak).
    const rows = groupRows.slice(from, to).sort((a, b) => store.severity(b) - store.severity(a) || store.lastSeen(b) - store.lastSeen(a) || store.compareIds(a, b));
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
    const pool = store.keyPool;
    for (const row of rows) {
      const start = store.keyStart(row);
      const subjectCount = store.subjectCount(row);
      addKeys(subjectKeys, pool, start, subjectCount);
      addKeys(actorKeys, pool, start + subjectCount, store.actorCount(row));
      types.add(store.type(row));
      accounts.add(store.account(row));
      regions.add(store.region(row));
      const id = store.idOf(row);
      findingIds.push(id);
      if (store.isSequence(row)) sequenceIds.push(id);
      else if (store.linkCount(row) > 0) for (const link of store.linksOf(row)) links.push(link);
      ai ||= store.ai(row);
      count += store.count(row);
      lastSeen = Math.max(lastSeen, store.lastSeen(row));
      firstSeen = Math.min(firstSeen, store.firstSeen(row));
    }
    const subjects = texts.subjects(subjectKeys);
    const maxSeverity = store.severity(rows[0]!);
    const sequence = sequenceIds.length > 0;
    const { score, why } = rankIncident({ maxSeverity, ai, lastSeen, newest, count, subjects: subjects.length, sequence });
    const many: Building = {
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
      rank,
    };
    return many;
  }
}
