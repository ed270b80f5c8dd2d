import { describe, expect, it } from 'vitest';
import { TourniquetError } from '../../../src/errors.js';
import { bigIntToIpv4 } from '../../../src/lists/ip-list.js';
import { inspectList, ipv4RangesIn, parsePublicIpv4, removeIpFromListText } from '../../../src/lists/threat-list-text.js';

describe('parsePublicIpv4', () => {
  it('accepts one public IPv4 address', () => {
    expect(parsePublicIpv4('203.0.114.7')).toMatchObject({ address: '203.0.114.7', family: 4, prefix: 32 });
    expect(parsePublicIpv4('8.8.8.8').network).toBe(0x08080808n);
  });

  it.each(['10.0.0.1', '172.16.5.4', '192.168.0.1', '100.64.1.1', '127.0.0.1', '169.254.169.254', '0.0.0.0', '192.0.2.1', '198.51.100.1', '203.0.113.1', '224.0.0.1', '255.255.255.255', '198.18.0.1'])(
    'refuses the non-public address %s',
    (ip) => expect(() => parsePublicIpv4(ip)).toThrow(/not a publicly routable address/),
  );

  it.each(['2001:4860:4860::8888', '8.8.8.0/24', '8.8.8.8/32', ' 8.8.8.8', '08.8.8.8', '8.8.8', 'constructor', ''])('refuses %j', (ip) => {
    expect(() => parsePublicIpv4(ip)).toThrow(TourniquetError);
    expect(() => parsePublicIpv4(ip)).toThrow(/one IPv4 address is expected/);
  });
});

describe('removeIpFromListText', () => {
  it('removes the single-address entry (written with or without /32) and keeps the rest normalized', () => {
    expect(removeIpFromListText('# seed\n192.0.2.1\n203.0.114.7\n8.8.8.8\n', '203.0.114.7')).toEqual({ content: '192.0.2.1\n8.8.8.8\n', removed: true, entries: 2 });
    expect(removeIpFromListText('203.0.114.7/32\n', '203.0.114.7')).toEqual({ content: '', removed: true, entries: 0 });
  });

  it('never removes a range that covers the address', () => {
    expect(removeIpFromListText('203.0.114.0/24\n', '203.0.114.7')).toEqual({ content: '203.0.114.0/24\n', removed: false, entries: 1 });
  });

  it('refuses a corrupted list rather than rewriting it', () => {
    expect(() => removeIpFromListText('8.8.8.8\nnot-an-ip\n', '8.8.8.8', { source: 's3://b/k' })).toThrow(/s3:\/\/b\/k: 1 invalid line/);
  });
});

describe('inspectList', () => {
  it('finds the covering entry and counts the entries', () => {
    expect(inspectList('192.0.2.1\n203.0.114.0/24\n', '203.0.114.7')).toMatchObject({ entries: 2, covering: { value: '203.0.114.0/24' } });
    expect(inspectList('', '203.0.114.7')).toEqual({ entries: 0 });
  });
});

describe('ipv4RangesIn (trusted lists, any format)', () => {
  const shown = (text: string) => ipv4RangesIn(text).map((r) => `${bigIntToIpv4(r.network)}/${r.prefix}`);

  it('reads addresses and ranges from TXT, CSV and JSON alike', () => {
    expect(shown('# office\n198.51.99.0/24 # VPN\n8.8.8.8\n')).toEqual(['198.51.99.0/24', '8.8.8.8/32']);
    expect(shown('indicator,type\n203.0.114.7,IPv4\nexample.com,domain\n')).toEqual(['203.0.114.7/32']);
    expect(shown('{"pattern":"[ipv4-addr:value = \'1.2.3.4\']","spec_version":"2.1"}')).toEqual(['1.2.3.4/32']);
  });

  it('keeps broad ranges and ranges with host bits set (generous on purpose), and skips non-addresses', () => {
    expect(shown('10.1.2.3/8\n0.0.0.0/0\n')).toEqual(['10.0.0.0/8', '0.0.0.0/0']);
    expect(shown('999.1.1.1\n1.2.3.4.5\nversion 1.2.3\n')).toEqual([]);
  });
});
