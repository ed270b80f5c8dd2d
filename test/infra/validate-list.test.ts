import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TourniquetError } from '../../src/errors.js';
import {
  GUARDDUTY_LIST_LIMITS,
  ipv6ToBigInt,
  isPubliclyRoutable,
  parseIpEntry,
  readIpListFile,
  validateIpListText,
} from '../../infra/lists/validate-list.js';
import { errorOf as thrownBy } from '../support/errors.js';

const INFRA = join(import.meta.dirname, '..', '..', 'infra');

const errorOf = (fn: () => unknown): TourniquetError => thrownBy(fn, TourniquetError);

describe('validateIpListText', () => {
  it('strips comments and blank lines and uploads one entry per line', () => {
    const list = validateIpListText('# header\n\n8.8.8.8\n1.1.1.0/24   # trailing comment\r\n', { kind: 'threat', source: 't.txt' });
    expect(list.content).toBe('8.8.8.8\n1.1.1.0/24\n');
    expect(list.entries.map((e) => [e.line, e.value, e.prefix])).toEqual([
      [3, '8.8.8.8', 32],
      [4, '1.1.1.0/24', 24],
    ]);
    expect(list.warnings).toEqual([]);
  });

  it('names the file and every bad line with the value received', () => {
    const error = errorOf(() =>
      validateIpListText('8.8.8.8\n8.8.8.256\nnot-an-ip\n1.2.3.4/33\n10.0.0.1/24\n1.2.3.4 5.6.7.8\n', { kind: 'trusted', source: 'trusted-ips.txt' }),
    );
    expect(error.code).toBe('infra.list-invalid');
    expect(error.message).toContain('trusted-ips.txt: 5 invalid line(s)');
    expect(error.message).toContain('line 2: not an IPv4/IPv6 address or CIDR range, received string "8.8.8.256"');
    expect(error.message).toContain('line 3:');
    expect(error.message).toContain('line 4: CIDR prefix must be 0–32');
    expect(error.message).toContain('line 5: host bits are set in a /24 range (did you mean 10.0.0.0/24?)');
    expect(error.message).toContain('line 6: one entry per line expected');
    expect(error.message).not.toContain('line 1:');
  });

  it('refuses IPv6 for GuardDuty IP lists unless allowed', () => {
    const error = errorOf(() => validateIpListText('2001:4860:4860::8888\n', { kind: 'threat', source: 'x' }));
    expect(error.message).toContain('line 1: IPv6 is not accepted');
    const list = validateIpListText('2001:4860:4860::8888\n2606:4700::/32\n', { kind: 'threat', source: 'x', allowIpv6: true });
    expect(list.entries.map((e) => e.family)).toEqual([6, 6]);
  });

  it('refuses ranges broader than /8 (one line would flood or blind detection)', () => {
    expect(errorOf(() => validateIpListText('0.0.0.0/0\n', { kind: 'trusted', source: 'x' })).message).toContain('line 1: range broader than /8');
    expect(validateIpListText('11.0.0.0/8\n', { kind: 'trusted', source: 'x' }).entries).toHaveLength(1);
  });

  it('drops duplicates (same range, however written) with a warning naming both lines', () => {
    const list = validateIpListText('8.8.8.8\n8.8.8.8/32\n8.8.8.8\n', { kind: 'threat', source: 'x' });
    expect(list.content).toBe('8.8.8.8\n');
    expect(list.warnings[0]).toContain('2 duplicate(s) dropped: line 2 repeats line 1, line 3 repeats line 1');
  });

  it('warns about entries GuardDuty can never match (private, documentation, reserved ranges)', () => {
    const list = validateIpListText('10.1.2.3\n8.8.8.8\n192.0.2.10\n100.64.0.0/10\n', { kind: 'threat', source: 'x' });
    expect(list.entries.map((e) => e.publiclyRoutable)).toEqual([false, true, false, false]);
    expect(list.warnings.join()).toContain('3 entries are not publicly routable');
    expect(list.warnings.join()).toContain('line(s) 1, 3, 4');
  });

  it('enforces the entry limit per kind (2,000 trusted, 250,000 threat)', () => {
    expect(GUARDDUTY_LIST_LIMITS.trusted.maxEntries).toBe(2000);
    expect(GUARDDUTY_LIST_LIMITS.threat.maxEntries).toBe(250_000);
    const lines = Array.from({ length: 2001 }, (_, i) => `11.${Math.floor(i / 256)}.${i % 256}.1`).join('\n');
    const error = errorOf(() => validateIpListText(lines, { kind: 'trusted', source: 'trusted-ips.txt' }));
    expect(error.message).toBe('trusted-ips.txt: 2001 entries in the trusted IP list; GuardDuty accepts at most 2000');
    expect(validateIpListText(lines, { kind: 'threat', source: 'x' }).entries).toHaveLength(2001);
  });

  it('enforces the size limit on the uploaded content', () => {
    const error = errorOf(() =>
      validateIpListText('8.8.8.8\n8.8.4.4\n', { kind: 'threat', source: 'x', limits: { maxEntries: 10, maxBytes: 10 } }),
    );
    expect(error.message).toBe('x: the threat IP list is 16 bytes; GuardDuty accepts at most 10');
  });

  it('lists at most 20 problems and says how many more', () => {
    const text = Array.from({ length: 25 }, () => 'bad').join('\n');
    const error = errorOf(() => validateIpListText(text, { kind: 'threat', source: 'x' }));
    expect(error.message).toContain('25 invalid line(s)');
    expect(error.message).toContain('line 20:');
    expect(error.message).not.toContain('line 21:');
    expect(error.message).toContain('… and 5 more');
  });
});

describe('address arithmetic', () => {
  it('expands compressed and IPv4-embedded IPv6 addresses', () => {
    expect(ipv6ToBigInt('::1')).toBe(1n);
    expect(ipv6ToBigInt('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(ipv6ToBigInt('2001:db8::')).toBe(0x20010db8n << 96n);
  });

  it('classifies routability by overlap with non-public ranges', () => {
    const v4 = (s: string): [bigint, number] => {
      const p = parseIpEntry(s);
      if (!p.ok) throw new Error(p.reason);
      return [p.network, p.prefix];
    };
    expect(isPubliclyRoutable(4, ...v4('8.8.8.8'))).toBe(true);
    expect(isPubliclyRoutable(4, ...v4('172.20.0.1'))).toBe(false);
    // A /8 that contains a private range is not wholly public.
    expect(isPubliclyRoutable(4, ...v4('10.0.0.0/8'))).toBe(false);
  });
});

describe('repository list files', () => {
  it('both shipped lists validate; their uploaded content is entries only', async () => {
    for (const [file, kind] of [
      ['lists/threat-intel.txt', 'threat'],
      ['lists/trusted-ips.txt', 'trusted'],
    ] as const) {
      const list = await readIpListFile(join(INFRA, file), { kind, source: file });
      expect(list.entries.length).toBeGreaterThan(0);
      const raw = await readFile(join(INFRA, file), 'utf8');
      expect(raw).toContain('#');
      for (const line of list.content.trimEnd().split('\n')) expect(parseIpEntry(line).ok).toBe(true);
    }
  });

  it('a missing file fails with its path', async () => {
    await expect(readIpListFile(join(INFRA, 'lists', 'nope.txt'), { kind: 'threat' })).rejects.toThrow(/cannot read the threat IP list .*nope\.txt/);
  });
});
