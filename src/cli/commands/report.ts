/**
 * `tourniquet report <incident> [--format html|markdown] [--out FILE]`: the incident report. HTML (default) is one
 * self-contained file, written next to the case's evidence when that is a local folder (else under
 * .tourniquet/reports/<incident>/), its path printed; Markdown goes to stdout unless --out is given; `--out -` is stdout.
 */
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_HTTP_TIMEOUTS } from '../../aws/http-timeouts.js';
import { withAwsAnswerCheck } from '../../aws/not-aws-answer.js';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { collectReportData } from '../../report/report-data.js';
import { renderHtml, REPORT_FILE } from '../../report/render-html.js';
import { renderMarkdown } from '../../report/render-markdown.js';
import { printLine } from '../print-safe.js';
import { addRuntimeOptions, DEFAULT_STATE_DIR, openRuntime, type RuntimeFlags } from '../runtime.js';
import { requireJournal } from '../require-journal.js';
import { writeReportFile } from '../write-report-file.js';
import type { ReportExit } from './index.js';

interface Flags extends RuntimeFlags {
  readonly format?: string;
  readonly out?: string;
}

/** Where the HTML report goes by default: the local case folder, else the state folder. */
export function defaultReportPath(incidentId: string, evidenceLocation: string | undefined): string {
  // A local case's location is `file://` + its absolute path, not URL-encoded.
  if (evidenceLocation?.startsWith('file://')) return join(evidenceLocation.slice('file://'.length), REPORT_FILE);
  return join(DEFAULT_STATE_DIR, 'reports', incidentId, REPORT_FILE);
}

export function registerReportCommand(program: Command, exit: ReportExit): void {
  addRuntimeOptions(
    program
      .command('report')
      .description('write the incident report: summary, decision, timeline chart, steps with pre-images, verified evidence, how to release')
      .argument('<incident>', 'incident id')
      .option('--format <format>', 'html (default: a self-contained file) or markdown (default: stdout)')
      .option('--out <file>', 'write the report to this file (- for stdout)'),
  ).action(async (incidentId: string, flags: Flags) => {
    const format = flags.format ?? 'html';
    if (format !== 'html' && format !== 'markdown') throw new UsageError(`--format must be html or markdown, received ${JSON.stringify(format)}`);
    await requireJournal(incidentId, flags);
    const runtime = await openRuntime(flags);
    try {
      const endpoint = flags.endpoint ?? process.env.AWS_ENDPOINT_URL;
      const data = await collectReportData(runtime.journal, incidentId, { s3Client: withAwsAnswerCheck(new S3Client({ requestHandler: AWS_HTTP_TIMEOUTS, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }), endpoint) });
      const text = format === 'html' ? renderHtml(data) : renderMarkdown(data);
      const out = flags.out ?? (format === 'html' ? defaultReportPath(incidentId, data.incident.evidenceLocation) : undefined);
      // `--out -` is standard output, as `-` is for the findings input (it wrote a file named "-").
      if (out === undefined || out === '-') process.stdout.write(text);
      else {
        await writeReportFile(out, text, flags.out !== undefined ? '--out' : undefined);
        printLine(`report written to ${out}`);
      }
      // The report is written either way; a chain that does not verify, or evidence that cannot be read, is a failure.
      exit(data.incident.evidenceLocation === undefined || ('report' in data.evidence && data.evidence.report.ok) ? 0 : 1);
    } finally {
      await runtime.close();
    }
  });
}
