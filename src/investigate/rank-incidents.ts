/**
 * The score of an incident and why: severity first (a High finding outranks any number of Low ones), then an AI
 * workload, recency, how often it was seen, how far it spread and whether GuardDuty correlated it into an attack
 * sequence. Recency is measured against the newest activity in the input, so the same export ranks the same way
 * whenever it is triaged.
 */
export interface RankInput {
  readonly maxSeverity: number;
  readonly ai: boolean;
  /** Epoch ms of the incident's last activity and of the newest activity in the input. */
  readonly lastSeen: number;
  readonly newest: number;
  readonly count: number;
  readonly subjects: number;
  readonly sequence: boolean;
}

export interface Ranked {
  readonly score: number;
  readonly why: readonly string[];
}

const HOUR = 3_600_000;
/** Recency counts for a week, then nothing. */
const RECENCY_HOURS = 168;

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * The reasons' texts repeat across incidents (a handful of severities, counts, spreads, hours): each is built once and
 * shared, since a large export ranks tens of thousands of incidents and keeps all their reasons. Bounded: a cache that
 * fills up is emptied.
 */
class TextCache {
  private readonly texts = new Map<number, string>();

  get(key: number): string | undefined {
    return this.texts.get(key);
  }

  /** Keeps `text` for `key` and returns it. */
  keep(key: number, text: string): string {
    if (this.texts.size >= 4096) this.texts.clear();
    this.texts.set(key, text);
    return text;
  }
}

const severityTexts = new TextCache();
const recencyTexts = new TextCache();
const repeatTexts = new TextCache();
const spreadTexts = new TextCache();

export function rankIncident(i: RankInput): Ranked {
  const why: string[] = [];
  return { score: scoreIncident(i, why), why };
}

/**
 * The score of `rankIncident`, and its reasons' texts pushed to `why` when given: ranking reads the score of every
 * incident, and only the incidents that are built need the texts (one computation for both, so they cannot differ).
 */
export function scoreIncident(i: RankInput, why?: string[]): number {
  let score = 0;
  const severity = round1(i.maxSeverity * 10);
  score += severity;
  // Severities are numbers from 0 to 10 (the parser checks), most with one decimal: keyed by the number itself.
  why?.push(severityTexts.get(i.maxSeverity) ?? severityTexts.keep(i.maxSeverity, `severity ${i.maxSeverity} +${severity}`));
  if (i.ai) {
    score += 15;
    why?.push('AI workload +15');
  }
  const hours = Math.max(0, (i.newest - i.lastSeen) / HOUR);
  const recency = round1(10 * Math.max(0, 1 - hours / RECENCY_HOURS));
  if (recency > 0) {
    score += recency;
    if (why !== undefined) {
      // The text depends on the hours shown (under 1, or rounded: at most 168) and the recency (0.1 … 10, one decimal).
      const shown = hours < 1 ? -1 : Math.round(hours);
      const key = (shown + 1) * 1000 + Math.round(recency * 10);
      why.push(recencyTexts.get(key) ?? recencyTexts.keep(key, `last seen ${hours < 1 ? 'within the hour' : `${shown} h`} before the newest activity +${recency}`));
    }
  }
  const repeats = round1(Math.min(10, 3 * Math.log10(Math.max(1, i.count))));
  if (repeats > 0) {
    score += repeats;
    why?.push(repeatTexts.get(i.count) ?? repeatTexts.keep(i.count, `seen ${i.count} times +${repeats}`));
  }
  if (i.subjects > 1) {
    const spread = Math.min(10, 2 * (i.subjects - 1));
    score += spread;
    why?.push(spreadTexts.get(i.subjects) ?? spreadTexts.keep(i.subjects, `${i.subjects} resources +${spread}`));
  }
  if (i.sequence) {
    score += 10;
    why?.push('attack sequence +10');
  }
  return round1(score);
}
