/**
 * Triage's output is written as the incidents are built (a ranking read from the summary columns, `TriageRanking`)
 * instead of from a result held whole. The text must not change: on a generated export (the bench's generator, 2,000
 * findings) the table, Markdown and JSON are byte for byte what the held-whole implementation printed (its SHA-256,
 * recorded from the CLI before the change), and what `JSON.stringify` of the whole result gives today.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../../../bench/support/generate-export.js';
import { formatTable, formatTableRows } from '../../../src/cli/format-table.js';
import { jsonChunks } from '../../../src/cli/json-chunks.js';
import { triageJsonChunks, triageMarkdownLines, triageTableLines, withNewlines, writeText } from '../../../src/cli/triage-output.js';
import { triageBatches } from '../../../src/investigate/triage-input.js';
import { Triage, type TriageFilters } from '../../../src/investigate/triage.js';
import { PassThrough } from 'node:stream';

const dir = mkdtempSync(join(tmpdir(), 'triage-output-'));
const file = join(dir, 'export.jsonl.gz');

async function triaged(filters: TriageFilters = {}): Promise<Triage> {
  const t = new Triage(filters);
  for await (const batch of triageBatches(file)) for (const item of batch) t.add(item);
  return t;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const text = (chunks: Iterable<string>): string => [...chunks].join('');

beforeAll(async () => {
  // The same export as `bench:ingest --quick`'s tenth: seed 2.
  await writeExport(file, { findings: 2_000, seed: 2 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * SHA-256 of `tourniquet triage <export> [flags] [--json | --markdown | --top 5 | --markdown --top 7]` stdout before
 * the output was streamed (commit ce81f12). A change here is a change in what users see: ranking, grouping or format.
 */
const BEFORE = {
  plain: {
    json: '78cba248650ffafee26a6d93a79e64f5a7f09be3a758e4fd56e7786662392e82',
    table: '06e6dcc362a88917ea41dc134509e7017ef2b8353f92b7ac874c25df6d5c7794',
    markdown: '81d895d73bc7f7f561166aa0dbc9eae7d2591bdb469344f136badc827be5eaca',
    tableTop5: '52981f15ed4f256dc69e39fdaaddce6507f73bb268ca40525e0b9c7872274a36',
    markdownTop7: 'db85934993ce92b556c9f5b86df1f82e96f2c900063f19457eef22312e9c429b',
  },
  // --include-samples --include-archived --ai
  ai: {
    json: 'feb4d5b025215e1294844dce2892a969ef77ad0b90b129f5d745342df6449920',
    table: '80adfcfbc3756d777f20b609e23ce818b36c082f958fe180d0afd619194d2d23',
    markdown: '6b05288af1f80838b0863ba82291d07fff071c2b7bc46653a6afbd7958646172',
    tableTop5: 'd0efbcdf8f844c6687fe58f3b02b6ddc0d21172aa6308e2573f4d9094faff0e5',
    markdownTop7: '7862d88670d651e8d3e87fc6a814e2286e5e410eb6b2273103710fa906190fab',
  },
};

describe('triage output written as incidents are built', () => {
  for (const [name, filters] of [
    ['plain', {}],
    ['ai', { includeSamples: true, includeArchived: true, ai: true }],
  ] as const) {
    it(`is byte-identical to the held-whole output on a generated export (${name})`, async () => {
      const r = (await triaged(filters)).ranked();
      const expected = BEFORE[name];
      expect(sha256(text(triageJsonChunks(r)))).toBe(expected.json);
      expect(sha256(text(withNewlines(triageTableLines(r))))).toBe(expected.table);
      expect(sha256(text(withNewlines(triageMarkdownLines(r))))).toBe(expected.markdown);
      expect(sha256(text(withNewlines(triageTableLines(r, 5))))).toBe(expected.tableTop5);
      expect(sha256(text(withNewlines(triageMarkdownLines(r, 7))))).toBe(expected.markdownTop7);
    }, 30_000);
  }

  it('the streamed JSON is JSON.stringify of the whole result, and the ranking reads as the whole result in any slice', async () => {
    const t = await triaged();
    const whole = t.result();
    const r = t.ranked();
    expect(text(triageJsonChunks(r))).toBe(`${JSON.stringify(whole, null, 2)}\n`);
    expect([...r.incidents(10, 25)]).toEqual(whole.incidents.slice(10, 25));
    // The order the columns gave: score, then severity, then recency, then the first finding id.
    const key = whole.incidents.map((i) => [-i.score, -i.maxSeverity, -Date.parse(i.lastSeen), i.findingIds[0]!] as const);
    for (let k = 1; k < key.length; k++) {
      const [a, b] = [key[k - 1]!, key[k]!];
      const cmp = a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
      expect(cmp, `incidents ranked ${k} and ${k + 1}`).toBeLessThan(0);
    }
    expect(whole.incidents.map((i) => i.rank)).toEqual(whole.incidents.map((_, k) => k + 1));
    // The generated export has one incident of hundreds of findings: its lists are written an element at a time.
    expect(Math.max(...whole.incidents.map((i) => i.findingIds.length))).toBeGreaterThan(256);
  }, 30_000);

  it('an empty triage prints the empty result', () => {
    const r = new Triage().ranked();
    expect(text(triageJsonChunks(r))).toBe(`${JSON.stringify(new Triage().result(), null, 2)}\n`);
    expect([...triageTableLines(r)]).toEqual(['0 incident(s) from 0 finding(s) (0 record(s); 0 earlier occurrence(s) replaced; 0 sample(s), 0 archived and 0 filtered out; 0 rejected)']);
  });

  it('writes everything through a stream that asks it to wait', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const got: Buffer[] = [];
    const chunks = Array.from({ length: 2_000 }, (_, k) => `line ${k}\n`);
    const writing = writeText(out, chunks);
    // Read slowly: the writer must wait for 'drain' rather than lose or reorder text.
    for await (const b of out as AsyncIterable<Buffer>) {
      got.push(b);
      if (Buffer.concat(got).length === chunks.join('').length) break;
    }
    await writing;
    expect(Buffer.concat(got).toString()).toBe(chunks.join(''));
  });
});

describe('jsonChunks', () => {
  const long = Array.from({ length: 300 }, (_, k) => `id-${k}`);
  const values: unknown[] = [
    null,
    3.5,
    'a "quoted"\nline\u2028',
    [],
    {},
    long,
    { a: long, b: [], c: {}, d: undefined, e: { f: long, g: [1, { h: long }] }, 'k"ey': 1 },
    [long, [], {}, undefined, () => 1, { x: long }],
    Array.from({ length: 300 }, (_, k) => ({ kind: 'Instance', id: `i-${k}`, nested: k % 2 === 0 ? [] : [k] })),
  ];
  for (const [k, v] of values.entries()) {
    it(`joins to JSON.stringify(value, null, 2) at any depth (value ${k})`, () => {
      expect(text(jsonChunks(v))).toBe(JSON.stringify(v, null, 2));
      expect(text(jsonChunks(v, '    '))).toBe(JSON.stringify(v, null, 2).replaceAll('\n', '\n    '));
    });
  }

  it('writes a long list in pieces, not one string', () => {
    expect([...jsonChunks({ ids: long })].length).toBeGreaterThan(300);
  });
});

describe('formatTableRows', () => {
  it('reads the rows twice (widths, then lines) and lays them out as formatTable does', () => {
    const rows = [
      ['Backdoor:EC2/C&CActivity.B', 'High (8)', 'x'.repeat(90)],
      ['X', '', 'ünïcödé \u001b[2J'],
    ];
    let calls = 0;
    const lines = [
      ...formatTableRows(['TYPE', 'BAND', 'NOTE'], () => {
        calls++;
        return rows;
      }, { maxCellWidth: [70, 10, 40] }),
    ];
    expect(lines).toEqual(formatTable(['TYPE', 'BAND', 'NOTE'], rows, { maxCellWidth: [70, 10, 40] }));
    expect(calls).toBe(2);
  });
});
