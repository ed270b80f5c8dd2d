/**
 * GuardDuty timestamps: top-level ones are ISO-8601 strings; nested `timestamp` members arrive as epoch seconds
 * (fractional) in events and exports, and as ISO strings in AWS CLI output. The model carries ISO strings.
 */

/** Above this an epoch number is taken as milliseconds (1e11 s is year 5138; 1e11 ms is 1973). */
const MS_THRESHOLD = 1e11;
/** Date's own limit (±8.64e15 ms). */
const MAX_MS = 8.64e15;

/** The same nested timestamps recur across findings (a bucket's or cluster's createdAt): a small cache pays. */
const cache = new Map<number, string>();
const CACHE_LIMIT = 2048;

/** ISO string for an epoch number (seconds, or milliseconds when clearly so); undefined when out of Date's range. */
export function epochToIso(epoch: number): string | undefined {
  const hit = cache.get(epoch);
  if (hit !== undefined) return hit;
  if (!Number.isFinite(epoch)) return undefined;
  const ms = Math.abs(epoch) >= MS_THRESHOLD ? epoch : epoch * 1000;
  if (Math.abs(ms) > MAX_MS) return undefined;
  const iso = new Date(Math.round(ms)).toISOString();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(epoch, iso);
  return iso;
}

/**
 * ISO-8601 date and time as GuardDuty and the AWS CLI write them: `2026-08-01T10:23:57Z`, `…57.123Z`,
 * `…57.123000+00:00`; a space for `T` (`"2025-02-25 20:40:06.765"`, as some log pipelines store them), a missing
 * seconds field or a missing zone (GuardDuty times are UTC) are accepted too. Anything else (`"yesterday"`, a bare
 * date, an impossible date) is refused: timestamps go into journal keys and the timeline.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d|60)(?:\.(\d{1,9}))?)?([Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;

/** GuardDuty's own form: kept as received (no Date round trip on the hot path). */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\d(?:\.\d{1,3})?Z$/;

const DIGIT_0 = 48;
const digit = (value: string, i: number): number => {
  const d = value.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : -1;
};
/** The two digits at `i` as a number, or -1. */
const twoDigits = (value: string, i: number): number => {
  const a = digit(value, i);
  const b = digit(value, i + 1);
  return a < 0 || b < 0 ? -1 : 10 * a + b;
};

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`): arithmetic, no Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Epoch milliseconds of `value` when it is in GuardDuty's own form and a valid date and time
 * (`2026-08-01T10:23:57.123Z`), else NaN: checked by character codes, with no regex and no Date. Every record carries
 * two or more, so this is the hot path; anything else (other forms, years before 100, whose calendar the slow path
 * takes from Date) goes through the full check.
 */
function canonicalEpochMs(value: string): number {
  if (!isCanonicalTimestamp(value)) return NaN;
  const n = value.length;
  const year = 100 * twoDigits(value, 0) + twoDigits(value, 2);
  let ms = 0;
  for (let i = 20, scale = 100; i < n - 1; i++, scale /= 10) ms += digit(value, i) * scale;
  const days = daysFromCivil(year, twoDigits(value, 5), twoDigits(value, 8));
  return days * 86_400_000 + twoDigits(value, 11) * 3_600_000 + twoDigits(value, 14) * 60_000 + twoDigits(value, 17) * 1000 + ms;
}

/**
 * True when `value` is in GuardDuty's own form and a valid date and time: the checks `canonicalEpochMs` makes before
 * computing the instant (validation reads several timestamps a record; only the summary needs their instants, and
 * reads them with `epochMsOfIso`).
 */
function isCanonicalTimestamp(value: string): boolean {
  const n = value.length;
  if (n !== 20 && (n < 22 || n > 24)) return false;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return false; // - - T
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58 || value.charCodeAt(n - 1) !== 90) return false; // : : Z
  const hi = twoDigits(value, 0);
  const lo = twoDigits(value, 2);
  if (hi < 0 || lo < 0) return false;
  const year = 100 * hi + lo;
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (n > 20) {
    if (value.charCodeAt(19) !== 46) return false; // .
    for (let i = 20; i < n - 1; i++) if (digit(value, i) < 0) return false;
  }
  return true;
}

/** Epoch milliseconds of a model timestamp (what `normalizeIsoTimestamp` returns): `Date.parse`, without its cost. */
export function epochMsOfIso(iso: string): number {
  const ms = canonicalEpochMs(iso);
  return Number.isNaN(ms) ? Date.parse(iso) : ms;
}

/**
 * The timestamp in the model's one form, ISO 8601 in UTC (`2025-02-25T20:40:06.765Z`), or undefined when `value` is
 * not a valid ISO-8601 date and time. Fractions beyond milliseconds are truncated; a leap second `:60` becomes the
 * next second.
 */
export function normalizeIsoTimestamp(value: string): string | undefined {
  if (isCanonicalTimestamp(value)) return value;
  const m = ISO_DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac, zone] = m as unknown as [string, string, string, string, string, string, string | undefined, string | undefined, string | undefined];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Day 0 of the next month is the last day of this one (leap years included).
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (CANONICAL.test(value)) return value;
  const leap = s === '60';
  const ms = frac === undefined ? '000' : frac.slice(0, 3).padEnd(3, '0');
  let offset = 'Z';
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2) : '00'}`;
  }
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${leap ? '59' : s}.${ms}${offset}`);
  if (!Number.isFinite(t)) return undefined;
  return new Date(t + (leap ? 1000 : 0)).toISOString();
}

/** True when `value` is an ISO-8601 date and time `normalizeIsoTimestamp` accepts. */
export function isIsoTimestamp(value: string): boolean {
  return normalizeIsoTimestamp(value) !== undefined;
}
