/**
 * Text → records. A text is either one JSON document (event, finding, array, `{"Findings": [...]}`) or JSON Lines
 * (one value per line, as in GuardDuty's S3 export). JSON Lines is recognized from its first two non-empty lines: the
 * first opens with `{` and either closes on the same line or the next line opens a new `{`. A pretty-printed document
 * has neither; a one-line document reads the same either way.
 */
import { FindingParseError } from '../errors.js';
import type { SourceRef } from '../errors.js';
import { describeJsonError } from './json-error.js';
import type { GuardDutyRecord } from './model.js';
import type { ResolvedOptions } from './parse-options.js';
import { collectValue, type RecordSink } from './record-shapes.js';

/** Decides the format from the first two non-empty lines (trimmed); `second` undefined when there is only one. */
export function isJsonLines(first: string, second: string | undefined): boolean {
  if (second === undefined || !first.startsWith('{')) return false;
  return (first.length > 1 && first.endsWith('}')) || second.startsWith('{');
}

/** Parses one JSON document; a syntax error becomes a rejection at `$` naming the position. */
export function parseJsonDocument(text: string, source: SourceRef, options: ResolvedOptions, sink: RecordSink): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    sink(new FindingParseError(source, '$', 'valid JSON', describeJsonError(text, err), { cause: err }));
    return;
  }
  collectValue(value, source, options, sink);
}

/** Parses one JSON Lines line (1-based `line`); blank lines are skipped by the caller. */
export function parseJsonLine(text: string, source: SourceRef, line: number, options: ResolvedOptions, sink: RecordSink): void {
  // A literal, not a spread: this runs once per line of exports with millions of lines.
  parseJsonDocument(text, { name: source.name, line }, options, sink);
}

const BOM = '\uFEFF';

/** True when a line holds only whitespace (checks from the start; JSON lines fail on their first character). */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 0xfeff) return false;
  }
  return true;
}

/** The first two non-empty trimmed lines of a text. */
function headLines(text: string): [string | undefined, string | undefined] {
  const found: string[] = [];
  let start = 0;
  while (start <= text.length && found.length < 2) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const t = text.slice(start, end).trim();
    if (t.length > 0) found.push(t);
    start = end + 1;
  }
  return [found[0], found[1]];
}

/** Parses a whole text (document or JSON Lines) into `sink`. */
export function parseText(text: string, source: SourceRef, options: ResolvedOptions, sink: RecordSink): void {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  const [first, second] = headLines(body);
  if (first === undefined) {
    sink(new FindingParseError(source, '$', 'a JSON document or JSON Lines', 'empty input'));
    return;
  }
  if (!isJsonLines(first, second)) {
    parseJsonDocument(body, source, options, sink);
    return;
  }
  let start = 0;
  let line = 0;
  const n = body.length;
  while (start < n) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = n;
    line++;
    let lineText = body.slice(start, end);
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    if (!isBlank(lineText)) parseJsonLine(lineText, source, line, options, sink);
    start = end + 1;
  }
}

/** Collects a sink's output into records and rejections. */
export function batchSink(): { records: GuardDutyRecord[]; rejected: FindingParseError[]; sink: RecordSink } {
  const records: GuardDutyRecord[] = [];
  const rejected: FindingParseError[] = [];
  return {
    records,
    rejected,
    sink: (r) => {
      if (r instanceof FindingParseError) rejected.push(r);
      else records.push(r);
    },
  };
}
