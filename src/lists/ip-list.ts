/**
 * GuardDuty IP lists (ThreatIntelSet = threat list, IPSet = trusted list): parsing, validation and address
 * arithmetic, pure. The Pulumi program validates the repository lists with it before uploading them (so a bad line
 * fails `pulumi up` with the file and line named instead of leaving the list in GuardDuty's `ERROR` status), and the
 * `guardduty.block-remote-ip` action validates the responder blocklist and the address it appends. Moved here from
 * infra/lists/validate-list.ts (which re-exports it) so src never imports from infra; the error codes
 * (`infra.list-invalid`) are kept as they were, being stable codes.
 *
 * Format uploaded (GuardDuty `TXT`): one IPv4 address or CIDR range per line. The files in the repository may also
 * hold blank lines and `#` comments (whole-line or trailing); they are stripped from the uploaded content because
 * the TXT format does not document comments.
 *
 * Limits (GuardDuty quotas, per list; not adjustable): trusted IP list ≤ 2,000 entries, threat IP list ≤ 250,000
 * entries, file ≤ 35 MB (docs.aws.amazon.com/guardduty/latest/ug/guardduty_limits.html and
 * guardduty_upload-lists.html). The legacy IP lists accept IPv4 only; IPv6 is accepted only with `allowIpv6`
 * (for entity lists). Tourniquet's own guardrail: no range broader than /8 (IPv4) or /16 (IPv6), because one such
 * line would flood (threat) or blind (trusted) detection.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { TourniquetError, describeValue } from '../errors.js';

export type ListKind = 'threat' | 'trusted';

export interface ListLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** 35 MB, read conservatively as 35 × 10^6 bytes. */
const MAX_LIST_BYTES = 35_000_000;

export const GUARDDUTY_LIST_LIMITS: Readonly<Record<ListKind, ListLimits>> = {
  threat: { maxEntries: 250_000, maxBytes: MAX_LIST_BYTES },
  trusted: { maxEntries: 2_000, maxBytes: MAX_LIST_BYTES },
};

/** Broadest prefix accepted per family (Tourniquet guardrail, not a GuardDuty limit). */
export const MIN_PREFIX = { 4: 8, 6: 16 } as const;

export interface ListEntry {
  /** 1-based line in the source file. */
  readonly line: number;
  /** As uploaded: the address or CIDR, IPv6 lower-cased. */
  readonly value: string;
  readonly family: 4 | 6;
  /** Prefix length (32 / 128 for a single address). */
  readonly prefix: number;
  /** First address of the range, as a number. */
  readonly network: bigint;
  /** Whether the range avoids every private, reserved and documentation range. */
  readonly publiclyRoutable: boolean;
}

export interface ValidatedList {
  readonly kind: ListKind;
  readonly source: string;
  readonly entries: readonly ListEntry[];
  /** The content to upload: one entry per line, `\n`-terminated (empty string for an empty list). */
  readonly content: string;
  readonly warnings: readonly string[];
}

export interface ValidateOptions {
  readonly kind: ListKind;
  /** File name or label used in messages. */
  readonly source: string;
  readonly allowIpv6?: boolean;
  /** Override the GuardDuty limits (tests). */
  readonly limits?: ListLimits;
}

export type ParsedEntry =
  | { readonly ok: true; readonly family: 4 | 6; readonly value: string; readonly prefix: number; readonly network: bigint }
  | { readonly ok: false; readonly reason: string };

const MAX_ISSUES_SHOWN = 20;

/** Parses one token (no comments, no whitespace) as an address or CIDR range. */
export function parseIpEntry(token: string, allowIpv6 = false): ParsedEntry {
  const slash = token.indexOf('/');
  const addr = slash === -1 ? token : token.slice(0, slash);
  const prefixText = slash === -1 ? undefined : token.slice(slash + 1);
  let family: 4 | 6;
  if (isIPv4(addr)) family = 4;
  else if (isIPv6(addr) && !addr.includes('%')) family = 6;
  else return { ok: false, reason: 'not an IPv4/IPv6 address or CIDR range' };
  if (family === 6 && !allowIpv6) {
    return { ok: false, reason: 'IPv6 is not accepted: GuardDuty IP lists (ThreatIntelSet/IPSet) take IPv4 only' };
  }
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      return { ok: false, reason: `CIDR prefix must be 0–${bits}` };
    }
    prefix = Number(prefixText);
  }
  if (prefix < MIN_PREFIX[family]) {
    return { ok: false, reason: `range broader than /${MIN_PREFIX[family]} is refused (it would flood or blind detection)` };
  }
  const address = family === 4 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((address & hostMask) !== 0n) {
    const network = address & ~hostMask;
    const suggestion = family === 4 ? bigIntToIpv4(network) : `${network.toString(16)} (hex)`;
    return { ok: false, reason: `host bits are set in a /${prefix} range (did you mean ${suggestion}/${prefix}?)` };
  }
  const value = family === 4 ? token : token.toLowerCase();
  return { ok: true, family, value, prefix, network: address };
}

/** Validates the text of a list file. Throws one TourniquetError naming every bad line (first 20). */
export function validateIpListText(text: string, options: ValidateOptions): ValidatedList {
  const limits = options.limits ?? GUARDDUTY_LIST_LIMITS[options.kind];
  const problems: string[] = [];
  const warnings: string[] = [];
  const entries: ListEntry[] = [];
  const firstSeen = new Map<string, number>();
  const duplicates: string[] = [];
  const nonPublic: number[] = [];

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const hash = raw.indexOf('#');
    const body = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (body === '') return;
    if (/\s/.test(body)) {
      problems.push(`line ${line}: one entry per line expected, received ${describeValue(body)}`);
      return;
    }
    const parsed = parseIpEntry(body, options.allowIpv6 ?? false);
    if (!parsed.ok) {
      problems.push(`line ${line}: ${parsed.reason}, received ${describeValue(body)}`);
      return;
    }
    const key = `${parsed.family}:${parsed.network.toString()}/${parsed.prefix}`;
    const seen = firstSeen.get(key);
    if (seen !== undefined) {
      duplicates.push(`line ${line} repeats line ${seen}`);
      return;
    }
    firstSeen.set(key, line);
    const publiclyRoutable = isPubliclyRoutable(parsed.family, parsed.network, parsed.prefix);
    if (!publiclyRoutable) nonPublic.push(line);
    entries.push({
      line,
      value: parsed.value,
      family: parsed.family,
      prefix: parsed.prefix,
      network: parsed.network,
      publiclyRoutable,
    });
  });

  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_ISSUES_SHOWN);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new TourniquetError(
      'infra.list-invalid',
      `${options.source}: ${problems.length} invalid line(s) in the ${options.kind} IP list\n  ${shown.join('\n  ')}${more}`,
    );
  }
  if (entries.length > limits.maxEntries) {
    throw new TourniquetError(
      'infra.list-invalid',
      `${options.source}: ${entries.length} entries in the ${options.kind} IP list; GuardDuty accepts at most ${limits.maxEntries}`,
    );
  }
  const content = entries.length === 0 ? '' : `${entries.map((e) => e.value).join('\n')}\n`;
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new TourniquetError(
      'infra.list-invalid',
      `${options.source}: the ${options.kind} IP list is ${bytes} bytes; GuardDuty accepts at most ${limits.maxBytes}`,
    );
  }
  if (duplicates.length > 0) {
    warnings.push(`${options.source}: ${duplicates.length} duplicate(s) dropped: ${summarize(duplicates)}`);
  }
  if (nonPublic.length > 0) {
    warnings.push(
      `${options.source}: ${nonPublic.length} entr${nonPublic.length === 1 ? 'y is' : 'ies are'} not publicly routable ` +
        `(GuardDuty only matches public addresses): line(s) ${summarize(nonPublic.map(String))}`,
    );
  }
  return { kind: options.kind, source: options.source, entries, content, warnings };
}

function summarize(items: readonly string[]): string {
  const shown = items.slice(0, 10).join(', ');
  return items.length > 10 ? `${shown}, … (${items.length} in all)` : shown;
}

// ---------------------------------------------------------------------------------------------------------------
// Address arithmetic

export function ipv4ToBigInt(addr: string): bigint {
  return addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

export function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join('.');
}

/** Expands an IPv6 address (possibly `::`-compressed, possibly with a trailing dotted IPv4) to a 128-bit number. */
export function ipv6ToBigInt(addr: string): bigint {
  let text = addr.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

interface Range {
  readonly network: bigint;
  readonly prefix: number;
}

function range(family: 4 | 6, cidr: string): Range {
  const [addr, prefix] = cidr.split('/') as [string, string];
  return { network: family === 4 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr), prefix: Number(prefix) };
}

/** Private, shared, loopback, link-local, documentation, benchmarking, multicast and reserved ranges (IANA). */
const NON_PUBLIC_V4: readonly Range[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
  '224.0.0.0/4', '240.0.0.0/4',
].map((c) => range(4, c));

const NON_PUBLIC_V6: readonly Range[] = [
  '::/127', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((c) => range(6, c));

/** True when the range [network, prefix] overlaps none of the non-public ranges. */
export function isPubliclyRoutable(family: 4 | 6, network: bigint, prefix: number): boolean {
  const bits = family === 4 ? 32 : 128;
  const table = family === 4 ? NON_PUBLIC_V4 : NON_PUBLIC_V6;
  return !table.some((r) => {
    const common = Math.min(prefix, r.prefix);
    const shift = BigInt(bits - common);
    return network >> shift === r.network >> shift;
  });
}

/** True when `inner` (a single address or range) lies inside `outer`. */
export function rangeContains(outer: ListEntry | ParsedRange, inner: ParsedRange): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return outer.network >> shift === inner.network >> shift;
}

export interface ParsedRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}
