/**
 * Edits of a GuardDuty threat list's text (TXT format, one IPv4 address or range per line), pure: checking the
 * address a responder wants to list, appending it, removing it again, finding the entry that covers it, and reading
 * the addresses out of a trusted list whatever its format. The S3 side is src/actions/threat-list-object.ts.
 *
 * Moved from infra/lists/append-threat-ip.ts (which re-exports it); the error codes are kept as they were.
 */
import { TourniquetError, describeValue, type ErrorCode } from '../errors.js';
import { GUARDDUTY_LIST_LIMITS, isPubliclyRoutable, parseIpEntry, rangeContains, validateIpListText } from './ip-list.js';
import type { ListEntry, ListLimits, ParsedRange } from './ip-list.js';

export const THREAT_IP_INVALID = 'infra.threat-ip-invalid' satisfies ErrorCode;

export interface AppendToTextResult {
  /** The new list content (unchanged when `added` is false). */
  readonly content: string;
  readonly added: boolean;
  /** When not added: the entry that already covers the address. */
  readonly coveredBy?: string;
  readonly entries: number;
}

export interface AppendOptions {
  /** Label for messages, e.g. `s3://bucket/key`. */
  readonly source?: string;
  readonly limits?: ListLimits;
}

/**
 * The one public IPv4 address `ip` (no range, no `/32`), as a range for containment checks. Findings carry the
 * address, and a finding is attacker-influenced: a private, shared, loopback, documentation or otherwise reserved
 * address is refused (GuardDuty only matches public addresses, and listing an internal one would flag our own
 * traffic), and so is anything that is not a dotted-quad IPv4 address (GuardDuty IP lists take IPv4 only).
 */
export function parsePublicIpv4(ip: string, source = 'threat list'): ParsedRange & { readonly address: string } {
  const parsed = parseIpEntry(ip);
  if (!parsed.ok || ip.includes('/')) {
    throw new TourniquetError(
      THREAT_IP_INVALID,
      `cannot add to ${source}: one IPv4 address is expected (GuardDuty IP lists take IPv4 only), received ${describeValue(ip)}`,
    );
  }
  if (!isPubliclyRoutable(parsed.family, parsed.network, parsed.prefix)) {
    throw new TourniquetError(
      THREAT_IP_INVALID,
      `cannot add to ${source}: ${ip} is not a publicly routable address (private, shared, loopback, link-local, documentation, multicast or reserved)`,
    );
  }
  return { family: parsed.family, network: parsed.network, prefix: parsed.prefix, address: ip };
}

/** Whether `ip` is on the list: the entry (address or range) that covers it, and the list's size. A corrupted list throws. */
export function inspectList(existing: string, ip: string, options: AppendOptions = {}): { readonly covering?: ListEntry; readonly entries: number } {
  const source = options.source ?? 'threat list';
  const candidate = singleAddress(ip, source);
  const list = validateIpListText(existing, { kind: 'threat', source, limits: options.limits ?? GUARDDUTY_LIST_LIMITS.threat });
  const covering = list.entries.find((entry) => rangeContains(entry, candidate));
  return covering !== undefined ? { covering, entries: list.entries.length } : { entries: list.entries.length };
}

/**
 * Validates `ip` (one public IPv4 address, optionally written `/32`) and the existing list, and returns the list
 * with the address appended unless an entry already covers it.
 */
export function appendIpToListText(existing: string, ip: string, options: AppendOptions = {}): AppendToTextResult {
  const source = options.source ?? 'threat list';
  const token = ip.trim();
  const parsed = parseIpEntry(token);
  if (!parsed.ok) {
    throw new TourniquetError(THREAT_IP_INVALID, `cannot add to ${source}: ${parsed.reason}, received ${describeValue(ip)}`);
  }
  if (parsed.prefix !== 32) {
    // A range from a finding would let one attacker-influenced value flag many unrelated addresses.
    throw new TourniquetError(THREAT_IP_INVALID, `cannot add to ${source}: a single address is expected, received ${describeValue(ip)}`);
  }
  const limits = options.limits ?? GUARDDUTY_LIST_LIMITS.threat;
  const list = validateIpListText(existing, { kind: 'threat', source, limits });
  const candidate = { family: parsed.family, network: parsed.network, prefix: parsed.prefix };
  const covering = list.entries.find((entry) => rangeContains(entry, candidate));
  if (covering !== undefined) {
    return { content: list.content, added: false, coveredBy: covering.value, entries: list.entries.length };
  }
  if (!isPubliclyRoutable(parsed.family, parsed.network, parsed.prefix)) {
    throw new TourniquetError(
      THREAT_IP_INVALID,
      `cannot add to ${source}: ${token} is not a publicly routable address (GuardDuty only matches public addresses)`,
    );
  }
  if (list.entries.length + 1 > limits.maxEntries) {
    throw new TourniquetError(
      'infra.list-invalid',
      `cannot add to ${source}: the threat list already holds ${list.entries.length} entries; GuardDuty accepts at most ${limits.maxEntries}`,
    );
  }
  const bareAddress = token.endsWith('/32') ? token.slice(0, -3) : token;
  const content = `${list.content}${bareAddress}\n`;
  return { content, added: true, entries: list.entries.length + 1 };
}

export interface RemoveFromTextResult {
  /** The new list content (normalized even when nothing was removed). */
  readonly content: string;
  readonly removed: boolean;
  readonly entries: number;
}

/**
 * Removes the single-address entry for `ip` (`a.b.c.d` or `a.b.c.d/32`). A range that covers the address is never
 * touched: it was not put there for this address.
 */
export function removeIpFromListText(existing: string, ip: string, options: AppendOptions = {}): RemoveFromTextResult {
  const source = options.source ?? 'threat list';
  const candidate = singleAddress(ip, source);
  const list = validateIpListText(existing, { kind: 'threat', source, limits: options.limits ?? GUARDDUTY_LIST_LIMITS.threat });
  const kept = list.entries.filter((e) => !(e.prefix === 32 && e.family === candidate.family && e.network === candidate.network));
  if (kept.length === list.entries.length) return { content: list.content, removed: false, entries: list.entries.length };
  const content = kept.length === 0 ? '' : `${kept.map((e) => e.value).join('\n')}\n`;
  return { content, removed: true, entries: kept.length };
}

const IPV4_TOKEN = /(?<![0-9.])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?![0-9.])/g;

/**
 * Every IPv4 address or CIDR range written anywhere in `text`. Used on trusted lists, which may be in any format
 * GuardDuty accepts (TXT, STIX, OTX CSV, …): reading every token is deliberately generous, so an address a person
 * trusts is never missed because of the file's format. Tokens that are not valid addresses or ranges are ignored.
 */
export function ipv4RangesIn(text: string): ParsedRange[] {
  const out: ParsedRange[] = [];
  for (const match of text.matchAll(IPV4_TOKEN)) {
    const token = match[2] === undefined ? match[1]! : `${match[1]!}/${match[2]}`;
    const parsed = parseIpEntry(token);
    if (parsed.ok) out.push({ family: parsed.family, network: parsed.network, prefix: parsed.prefix });
    else if (match[2] !== undefined) {
      // A range with host bits set (e.g. 10.1.2.3/8) still says "this network is trusted": keep its network.
      const bare = parseIpEntry(match[1]!);
      const prefix = Number(match[2]);
      if (bare.ok && prefix <= 32) {
        const hostMask = (1n << BigInt(32 - prefix)) - 1n;
        out.push({ family: 4, network: bare.network & ~hostMask, prefix });
      }
    }
  }
  return out;
}

function singleAddress(ip: string, source: string): ParsedRange {
  const parsed = parseIpEntry(ip.trim());
  if (!parsed.ok || parsed.prefix !== 32) {
    throw new TourniquetError(THREAT_IP_INVALID, `${source}: one IPv4 address is expected, received ${describeValue(ip)}`);
  }
  return { family: parsed.family, network: parsed.network, prefix: parsed.prefix };
}
