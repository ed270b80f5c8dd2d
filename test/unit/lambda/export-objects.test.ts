/** An S3 export's lines: one failing line does not stop the others; the message fails at the end, naming the line. */
import { describe, expect, it } from 'vitest';
import { ExportLinesFailedError, FindingParseError } from '../../../src/errors.js';
import type { GuardDutyRecord } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { respondToExportObjects, type ExportObjectSteps } from '../../../src/lambda/export-objects.js';
import type { ExportItem } from '../../../src/lambda/s3-export-stream.js';
import { finding } from '../findings/finding-fixtures.js';

const A = { bucket: 'b', key: 'a.jsonl.gz' };
const B = { bucket: 'b', key: 'b.jsonl.gz' };

function line(object: { bucket: string; key: string }, n: number): ExportItem {
  return { record: parseRecord(finding({ id: `f-${object.key}-${n}` }), { name: `s3://${object.bucket}/${object.key}`, line: n }) };
}
function badLine(n: number): ExportItem {
  return { error: new FindingParseError({ name: 's3://b/a.jsonl.gz', line: n }, '$', 'one JSON finding per line', 'unparseable JSON'), text: '{"trunc' };
}

/** Steps whose engine fails on the findings listed; records what ran. */
function steps(lines: Map<string, ExportItem[] | Error>, failOn: ReadonlySet<string>, extra: Partial<ExportObjectSteps> = {}) {
  const responded: string[] = [];
  const quarantined: string[] = [];
  const s: ExportObjectSteps = {
    async *stream(object) {
      const items = lines.get(object.key)!;
      if (items instanceof Error) throw items;
      for (const item of items) {
        yield item;
      }
    },
    respond(record: GuardDutyRecord) {
      if (record.kind === 'finding' && failOn.has(record.id)) return Promise.reject(new Error(`engine failed on ${record.id}`));
      responded.push(record.kind === 'finding' ? record.id : 'scan');
      return Promise.resolve();
    },
    quarantine(id) {
      quarantined.push(id);
      return Promise.resolve();
    },
    ...extra,
  };
  return { s, responded, quarantined };
}

describe('respondToExportObjects', () => {
  it('handles every line; a line the engine fails on is reported at the end, by object and line', async () => {
    const { s, responded, quarantined } = steps(
      new Map([
        ['a.jsonl.gz', [line(A, 1), line(A, 2), badLine(3), line(A, 4)]],
        ['b.jsonl.gz', [line(B, 1)]],
      ]),
      new Set(['f-a.jsonl.gz-2']),
    );
    const err = await respondToExportObjects('m-7', [A, B], s).catch((e: unknown) => e);
    expect(responded).toEqual(['f-a.jsonl.gz-1', 'f-a.jsonl.gz-4', 'f-b.jsonl.gz-1']);
    expect(quarantined).toEqual(['m-7-line-3']);
    expect(err).toBeInstanceOf(ExportLinesFailedError);
    const failed = err as ExportLinesFailedError;
    expect(failed.failures.map((f) => f.source)).toEqual([{ name: 's3://b/a.jsonl.gz', line: 2 }]);
    expect(failed.handled).toBe(4);
    expect(failed.message).toBe('1 record(s) of the export failed (s3://b/a.jsonl.gz:2), 4 handled; first error: engine failed on f-a.jsonl.gz-2');
    expect((failed.cause as Error).message).toBe('engine failed on f-a.jsonl.gz-2');
  });

  it('resolves when every line was handled or quarantined', async () => {
    const { s, responded } = steps(new Map([['a.jsonl.gz', [line(A, 1), badLine(2)]]]), new Set());
    await expect(respondToExportObjects('m-1', [A], s)).resolves.toBeUndefined();
    expect(responded).toEqual(['f-a.jsonl.gz-1']);
  });

  it('an object that cannot be read does not stop the next object', async () => {
    const { s, responded } = steps(
      new Map<string, ExportItem[] | Error>([
        ['a.jsonl.gz', new Error('NoSuchKey')],
        ['b.jsonl.gz', [line(B, 1)]],
      ]),
      new Set(),
    );
    const err = (await respondToExportObjects('m-1', [A, B], s).catch((e: unknown) => e)) as ExportLinesFailedError;
    expect(responded).toEqual(['f-b.jsonl.gz-1']);
    expect(err.failures.map((f) => f.source)).toEqual([{ name: 's3://b/a.jsonl.gz' }]);
  });

  it('a quarantine that fails is a failure too (the line is not lost: the message is retried)', async () => {
    const onFailure: unknown[] = [];
    const { s } = steps(new Map([['a.jsonl.gz', [badLine(1), line(A, 2)]]]), new Set(), {
      quarantine: () => Promise.reject(new Error('AccessDenied')),
      onFailure: (source) => void onFailure.push(source),
    });
    const err = (await respondToExportObjects('m-1', [A], s).catch((e: unknown) => e)) as ExportLinesFailedError;
    expect(err).toBeInstanceOf(ExportLinesFailedError);
    expect(err.handled).toBe(1);
    expect(onFailure).toEqual([{ name: 's3://b/a.jsonl.gz', line: 1 }]);
  });
});
