import type { Command } from 'commander';
import { formatSource } from '../../errors.js';
import type { FindingParseError } from '../../errors.js';
import type { GuardDutyRecord, Subject } from '../../findings/model.js';
import { readFindings } from '../../findings/read-input.js';
import { EXIT_BAD_INPUT, EXIT_OK } from '../exit-codes.js';
import { addInputLimitOptions, inputLimitsFromFlags, noFindings, type InputLimitFlags } from '../finding-input.js';
import { formatTable, terminalSafe } from '../format-table.js';
import type { ReportExit } from './index.js';

interface Flags extends InputLimitFlags {
  readonly json?: boolean;
  readonly aiTagKey?: readonly string[];
}

/** Subjects shown per row before `+N more` (with LABEL_MAX this bounds the SUBJECTS column, so it is never cut). */
const SUBJECTS_SHOWN = 3;
/** Longest subject label; longer ones keep their start and end (ids and keys differ at both ends). */
const LABEL_MAX = 36;

/**
 * `tourniquet inspect <file|dir|->`: reads GuardDuty input the way the responder does and shows what was understood:
 * type, severity band, subjects, AI context and the sample flag per record; rejected records with the reason.
 * Exit 0 when every record was read, 2 when some were rejected or the input held nothing (say, a folder without
 * .json files).
 */
export function registerInspectCommand(program: Command, exit: ReportExit): void {
  addInputLimitOptions(
    program
      .command('inspect')
      .description('read GuardDuty findings and show what Tourniquet understood (no AWS calls)')
      .argument('<target>', 'a file (.json, .jsonl, .jsonl.gz), a folder, or - for stdin')
      .option('--json', 'print the normalized records and the rejected ones as JSON')
      .option(
        '--ai-tag-key <key...>',
        'tag keys that mark an AI workload, replacing the built-in list: key, prefix* or key=<regex> ' +
          '(give the target before this option)',
      ),
  ).action(async (target: string, flags: Flags) => {
      const batch = await readFindings(target, { limits: inputLimitsFromFlags(flags), ...(flags.aiTagKey ? { aiTagKeys: flags.aiTagKey } : {}) });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ records: batch.records, rejected: batch.rejected.map(rejectedJson) }, null, 2)}\n`);
      } else {
        for (const line of recordLines(batch.records)) process.stdout.write(`${line}\n`);
        for (const r of batch.rejected) process.stderr.write(`${rejectedLine(r)}\n`);
      }
      // Nothing at all in the input (e.g. a folder with no .json files) is not a success.
      const none = batch.records.length === 0 && batch.rejected.length === 0 ? noFindings(target, batch) : undefined;
      if (none?.line !== undefined) process.stderr.write(`${none.line}\n`);
      exit(batch.rejected.length > 0 || none !== undefined ? EXIT_BAD_INPUT : EXIT_OK);
    });
}

function rejectedJson(r: FindingParseError): Record<string, unknown> {
  return {
    source: r.source,
    location: formatSource(r.source),
    path: r.path,
    expected: r.expected,
    received: r.received,
    message: r.message,
  };
}

function rejectedLine(r: FindingParseError): string {
  return terminalSafe(`rejected ${formatSource(r.source)}: ${r.path}: expected ${r.expected}, received ${r.received}`);
}

/** Keeps the start and the end of a long label: `arn:aws:…:task/abc` style ids differ at both ends. */
function shorten(label: string): string {
  const chars = Array.from(label);
  if (chars.length <= LABEL_MAX) return label;
  const head = Math.ceil((LABEL_MAX - 1) / 2);
  const tail = LABEL_MAX - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** An ARN is shown by its resource name (the name field, else the part after the last `/` or `:`). */
function subjectLabel(s: Subject): string {
  let id = s.id;
  if (id.startsWith('arn:')) id = s.name ?? id.slice(Math.max(id.lastIndexOf('/'), id.lastIndexOf(':')) + 1);
  return `${s.kind}:${shorten(id)}${s.derived ? '*' : ''}`;
}

function subjectsCell(subjects: readonly Subject[]): string {
  if (subjects.length === 0) return '—';
  const shown = subjects.slice(0, SUBJECTS_SHOWN).map(subjectLabel).join(', ');
  return subjects.length > SUBJECTS_SHOWN ? `${shown} +${subjects.length - SUBJECTS_SHOWN} more` : shown;
}

/** The AI reason codes over all subjects, in first-seen order. */
function aiCell(subjects: readonly Subject[]): string {
  const codes: string[] = [];
  for (const s of subjects) for (const r of s.ai.reasons) if (!codes.includes(r.code)) codes.push(r.code);
  return codes.length ? `AI: ${codes.join(', ')}` : '—';
}

function sourceCell(r: GuardDutyRecord): string {
  const name = r.source.name;
  const base = name === '-' ? name : name.slice(name.lastIndexOf('/') + 1);
  return formatSource({ ...r.source, name: base });
}

function row(r: GuardDutyRecord): string[] {
  if (r.kind === 'finding') {
    return [
      r.type.raw,
      `${r.band} (${r.severity})`,
      subjectsCell(r.subjects),
      aiCell(r.subjects),
      r.sample ? 'SAMPLE' : '',
      sourceCell(r),
    ];
  }
  const threats = r.threats.length ? ` ${r.threats.join(', ')}` : '';
  return [
    `S3 malware scan ${r.scanStatus}/${r.scanResultStatus}${threats}`,
    '—',
    subjectsCell(r.subjects),
    aiCell(r.subjects),
    '',
    sourceCell(r),
  ];
}

function recordLines(records: readonly GuardDutyRecord[]): string[] {
  const lines = records.length
    ? formatTable(['TYPE', 'BAND', 'SUBJECTS', 'AI CONTEXT', 'SAMPLE', 'SOURCE'], records.map(row), { maxCellWidth: [120, 14, Infinity, 80, 6, 100] })
    : [];
  const findings = records.filter((r) => r.kind === 'finding').length;
  const scans = records.length - findings;
  if (records.some((r) => r.subjects.some((s) => s.derived))) {
    lines.push('* inferred from the finding (e.g. the instance behind an instance-role session), not stated in it');
  }
  // What was accepted but could not be used (an ENI without its id, a placeholder that made it a sample).
  for (const r of records) {
    if (r.kind !== 'finding' || r.notes === undefined) continue;
    for (const n of r.notes) lines.push(terminalSafe(`note ${formatSource(r.source)}: ${n}`));
  }
  lines.push(`${findings} finding(s), ${scans} scan result(s)`);
  return lines;
}
