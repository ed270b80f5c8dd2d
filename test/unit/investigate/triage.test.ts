/**
 * Triage over a generated export: duplicates across objects, a re-publication (same id, higher count, later
 * updatedAt), several accounts, one stolen key acting on two buckets, an attack sequence with its signal finding,
 * a sample and corrupt lines. The incidents, their grouping, counts and ranking are asserted exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { markdownCell, parseSince } from '../../../src/cli/commands/triage.js';
import { triageItems } from '../../../src/investigate/triage-input.js';
import { Triage, type TriageResult } from '../../../src/investigate/triage.js';
import { ACCOUNT, OTHER_ACCOUNT, writeExport } from '../../support/triage-export.js';
import { finding } from '../findings/finding-fixtures.js';

async function triage(target: string, filters = {}): Promise<TriageResult> {
  const t = new Triage(filters);
  for await (const item of triageItems(target)) t.add(item);
  return t.result();
}

describe('triage', () => {
  const dir = writeExport();

  it('keeps the latest occurrence of each finding and groups by subject, actor and attack sequence', async () => {
    const r = await triage(dir);
    expect(r.incidents.map((i) => ({ rank: i.rank, findingIds: i.findingIds, count: i.count, maxSeverity: i.maxSeverity, accounts: i.accounts }))).toEqual([
      { rank: 1, findingIds: ['seq1', 'c1'], count: 42, maxSeverity: 9, accounts: [ACCOUNT] },
      { rank: 2, findingIds: ['k1', 'k2'], count: 6, maxSeverity: 8, accounts: [ACCOUNT] },
      { rank: 3, findingIds: ['a1'], count: 7, maxSeverity: 8, accounts: [ACCOUNT] },
      { rank: 4, findingIds: ['b1'], count: 1, maxSeverity: 5, accounts: [OTHER_ACCOUNT] },
    ]);
    const key = r.incidents[1]!;
    // One stolen key on two buckets: one incident with both buckets, the key and its user.
    expect(key.subjects.map((s) => `${s.kind}:${s.id}`)).toEqual([
      's3-bucket:model-weights',
      'access-key:AKIAEXAMPLESTOLEN001',
      'iam-user:alice',
      's3-bucket:training-data',
    ]);
    expect(key.actors).toEqual(['access-key AKIAEXAMPLESTOLEN001', `principal ${ACCOUNT} AIDAEXAMPLEALICE`]);
    // The sequence and the finding it correlated (linked both ways: signal uid and associatedAttackSequenceArn).
    expect(r.incidents[0]!.subjects.map((s) => `${s.kind}:${s.id}`)).toEqual(['attack-sequence:seq-uid', 'ec2-instance:i-0ccc0000000000001']);
    expect(r.incidents[0]!.sequences).toEqual(['seq1']);
    expect(r.incidents[2]!.lastSeen).toBe('2026-08-01T12:00:00.000Z');
  });

  it('ranks with the reasons shown', async () => {
    const r = await triage(dir);
    // Newest activity in the input: the sequence's updatedAt, 12:30.
    expect(r.incidents.map((i) => [i.score, i.why])).toEqual([
      [116.9, ['severity 9 +90', 'last seen within the hour before the newest activity +10', 'seen 42 times +4.9', '2 resources +2', 'attack sequence +10']],
      [98.2, ['severity 8 +80', 'last seen 2 h before the newest activity +9.9', 'seen 6 times +2.3', '4 resources +6']],
      [92.5, ['severity 8 +80', 'last seen within the hour before the newest activity +10', 'seen 7 times +2.5']],
      // Last seen a week before the newest activity: no recency left.
      [50, ['severity 5 +50']],
    ]);
  });

  it('lists what it could not read with source, line and path, and counts the rest', async () => {
    const r = await triage(dir);
    expect(r.rejected).toEqual([
      { source: join(dir, '2026-08-01-a.jsonl.gz'), line: 3, path: '$', message: expect.stringContaining('received invalid JSON at line 1, column 2') as unknown as string },
      { source: join(dir, '2026-08-01-a.jsonl.gz'), line: 4, path: '$.type', message: expect.stringContaining('received number 42') as unknown as string },
    ]);
    expect(r.stats).toEqual({ records: 9, findings: 7, superseded: 2, rejected: 2, samples: 1, archived: 0, filtered: 0, scanResults: 0, incidents: 4 });
  });

  it('filters on the latest occurrence: severity, account, type, since', async () => {
    // c1 (severity 6) is filtered out, so the sequence stands alone.
    expect((await triage(dir, { minSeverity: 7 })).incidents.map((i) => i.findingIds)).toEqual([['seq1'], ['k1', 'k2'], ['a1']]);
    expect((await triage(dir, { accounts: [OTHER_ACCOUNT] })).incidents.map((i) => i.findingIds)).toEqual([['b1']]);
    expect((await triage(dir, { types: ['Exfiltration:S3/*'] })).incidents.map((i) => i.findingIds)).toEqual([['k1', 'k2']]);
    const since = await triage(dir, { since: Date.parse('2026-08-01T11:45:00Z') });
    expect(since.incidents.map((i) => i.findingIds)).toEqual([['seq1', 'c1'], ['a1']]);
    expect(since.stats.filtered).toBe(3);
    expect((await triage(dir, { ai: true })).incidents).toEqual([]);
  });

  it('the CLI prints JSON with incidents, rejected and stats, and exits 2 because records were rejected', async () => {
    const out = await runCli(['triage', dir, '--json']);
    expect(out.code).toBe(2);
    const json = JSON.parse(out.out) as TriageResult;
    expect(Object.keys(json)).toEqual(['incidents', 'rejected', 'stats']);
    expect(json.incidents.map((i) => i.rank)).toEqual([1, 2, 3, 4]);
    expect(out.err).toBe('');
  });

  it('the table and Markdown name every incident; no progress bar when stderr is not a terminal', async () => {
    const table = await runCli(['triage', dir]);
    expect(table.out).toContain('4 incident(s) from 7 finding(s)');
    expect(table.err).toContain('rejected');
    expect(table.err).not.toContain('\r');
    const md = await runCli(['triage', dir, '--markdown', '--min-severity', '7']);
    expect(md.out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| #'))).toHaveLength(3);
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const bad = await runCli(['triage', dir, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('tourniquet: --since must be an ISO 8601 date, a date and time, or a duration such as 24h or 7d, received "yesterday"');
  });
});

describe('triage of an export larger than the unpacked-size limit', () => {
  it('stops at the limit with one rejection naming the flag, and reads it whole once --max-decompressed-bytes is raised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-triage-limit-'));
    const file = join(dir, 'export.jsonl.gz');
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify(finding({ id: `f${String(i).padStart(31, '0')}` })));
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    try {
      const cut = await runCli(['triage', file, '--json', '--max-decompressed-bytes', '64KiB']);
      expect(cut.code).toBe(2);
      const partial = JSON.parse(cut.out) as TriageResult;
      expect(partial.rejected).toHaveLength(1);
      expect(partial.rejected[0]!.message).toContain('at most 64 KiB (raise with --max-decompressed-bytes');
      // Every line that fits within the limit is still read.
      const fit = Math.floor((64 * 1024) / (lines[0]!.length + 1));
      expect(partial.stats.records).toBe(fit);
      const whole = await runCli(['triage', file, '--json', '--max-decompressed-bytes', '1MiB']);
      expect(whole.code).toBe(0);
      expect((JSON.parse(whole.out) as TriageResult).stats).toMatchObject({ records: 200, findings: 200, rejected: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('triage pieces', () => {
  it('--since takes a duration back from now or an ISO time', () => {
    const now = new Date('2026-08-02T00:00:00Z');
    expect(parseSince('24h', now)).toBe(Date.parse('2026-08-01T00:00:00Z'));
    expect(parseSince('7d', now)).toBe(Date.parse('2026-07-26T00:00:00Z'));
    expect(parseSince('2026-08-01 10:00', now)).toBe(Date.parse('2026-08-01T10:00:00Z'));
  });

  it('--since takes a date alone as midnight UTC of that day (it was refused); an impossible day is still refused', () => {
    expect(parseSince('2026-12-01')).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(parseSince(' 2024-02-29 ')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(() => parseSince('2026-02-30')).toThrow('--since must be an ISO 8601 date, a date and time, or a duration such as 24h or 7d, received "2026-02-30"');
  });

  it('a Markdown cell cannot break the table or carry markup', () => {
    expect(markdownCell('a|b <script>x</script> `c` [l](u)')).toBe('a\\|b \\<script\\>x\\</script\\> \\`c\\` \\[l\\](u)');
  });
});
