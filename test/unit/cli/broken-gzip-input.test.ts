/**
 * A .jsonl.gz whose gzip breaks partway, through the real command line (`inspect`, `triage`, `respond`): every
 * complete line before the break is read and handled, the break is one `rejected` line naming the line where reading
 * stopped, and the exit code says input was rejected. Smaller and larger than one gunzip chunk unpacked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT } from '../../../src/cli/exit-codes.js';
import { openJournal } from '../../../src/journal/open-journal.js';
import { brokenGzip, GZIP_BREAKS } from '../../support/broken-gzip.js';
import { runCli, type CliRun } from '../../support/run-cli.js';
import { finding, instanceDetails } from '../findings/finding-fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-broken-gzip-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify(finding({ id: `c${i}` })));
const CASES = GZIP_BREAKS.flatMap((how) => [
  { how, size: 'smaller than one gunzip chunk', lines: linesOf(40) },
  { how, size: 'larger than one gunzip chunk', lines: linesOf(400) },
]);

function fileOf(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** The `rejected` lines on stderr (the SDK may add a Node version warning of its own). */
const rejectedLines = (r: CliRun): string[] => r.err.split('\n').filter((l) => l.startsWith('rejected'));

describe('a .jsonl.gz that breaks partway, through the CLI', () => {
  it.each(CASES)('inspect --json: $how, $size: every line before the break, one rejection', async ({ how, lines }) => {
    const file = fileOf(`inspect-${how.replace(/\W/g, '-')}-${lines.length}.jsonl.gz`, brokenGzip(lines, how));
    const r = await runCli(['inspect', file, '--json']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    const out = JSON.parse(r.out) as { records: Array<{ id: string }>; rejected: Array<{ location: string; expected: string; received: string }> };
    expect(out.records.map((x) => x.id)).toEqual(lines.map((_, i) => `c${i}`));
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]).toMatchObject({ location: `${file}:${lines.length + 1}`, expected: 'a complete gzip stream' });
    expect(out.rejected[0]!.received).toMatch(new RegExp(`^Z_(DATA|BUF)_ERROR: .+ after ${lines.length} complete line\\(s\\)$`));
  });

  it('triage: the 40 findings of a small export with garbage appended are all triaged, the garbage rejected once', async () => {
    const file = fileOf('triage.jsonl.gz', brokenGzip(linesOf(40), 'garbage after a complete member'));
    const r = await runCli(['triage', file, '--json']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    const out = JSON.parse(r.out) as { stats: { records: number; findings: number; rejected: number } };
    expect(out.stats).toMatchObject({ records: 40, findings: 40, rejected: 1 });
  });

  it('respond: each finding before the break gets its incident (journal read back), the break is one rejected line', async () => {
    const instances = Array.from({ length: 6 }, (_, i) => `i-0${String(i + 1).repeat(16)}`);
    const lines = instances.map((instanceId, i) => JSON.stringify(finding({ id: `r${i}` }, { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceId }) })));
    const file = fileOf('respond.jsonl.gz', brokenGzip(lines, 'garbage after a complete member'));
    const journalPath = join(dir, 'respond-journal');
    const r = await runCli(['respond', file, '--journal-path', journalPath, '--evidence-dir', join(dir, 'respond-cases'), '--mode', 'observe']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(rejectedLines(r)).toEqual([`rejected: ${file}:7: $: expected a complete gzip stream, received Z_DATA_ERROR: incorrect header check after 6 complete line(s)`]);
    const journal = await openJournal({ path: journalPath });
    try {
      expect((await journal.listIncidents()).map((i) => i.subjectId).sort()).toEqual(instances);
    } finally {
      await journal.close();
    }
  });
});
