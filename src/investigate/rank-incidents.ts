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

export function rankIncident(i: RankInput): Ranked {
  const why: string[] = [];
  let score = 0;
  const severity = round1(i.maxSeverity * 10);
  score += severity;
  why.push(`severity ${i.maxSeverity} +${severity}`);
  if (i.ai) {
    score += 15;
    why.push('AI workload +15');
  }
  const hours = Math.max(0, (i.newest - i.lastSeen) / HOUR);
  const recency = round1(10 * Math.max(0, 1 - hours / RECENCY_HOURS));
  if (recency > 0) {
    score += recency;
    why.push(`last seen ${hours < 1 ? 'within the hour' : `${Math.round(hours)} h`} before the newest activity +${recency}`);
  }
  const repeats = round1(Math.min(10, 3 * Math.log10(Math.max(1, i.count))));
  if (repeats > 0) {
    score += repeats;
    why.push(`seen ${i.count} times +${repeats}`);
  }
  if (i.subjects > 1) {
    const spread = Math.min(10, 2 * (i.subjects - 1));
    score += spread;
    why.push(`${i.subjects} resources +${spread}`);
  }
  if (i.sequence) {
    score += 10;
    why.push('attack sequence +10');
  }
  return { score: round1(score), why };
}
