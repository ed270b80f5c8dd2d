/**
 * The findings of S3 export objects, one line at a time. A line that does not parse is quarantined; a line the
 * engine fails on (throttling, a journal error, a plan left unfinished) is recorded and the remaining lines still
 * run. At the end, if anything failed, `ExportLinesFailedError` fails the SQS message, so SQS delivers it again and
 * finally dead-letters it: on redelivery the lines already handled are duplicates in the journal (no-ops), and only
 * the failed ones do work again. Quarantining the failed line instead would turn a passing AWS fault into a finding
 * nobody contains.
 */
import { ExportLinesFailedError, type FindingParseError, type SourceRef } from '../errors.js';
import type { GuardDutyRecord } from '../findings/model.js';
import type { ExportItem } from './s3-export-stream.js';
import type { ExportObjectRef } from './sqs-message.js';

export interface ExportObjectSteps {
  /** The object's lines, parsed (see streamExportObject). */
  stream(object: ExportObjectRef): AsyncIterable<ExportItem>;
  /** Runs the engine for one record. */
  respond(record: GuardDutyRecord): Promise<void>;
  /** Keeps a line that does not parse, under `id`. */
  quarantine(id: string, error: FindingParseError, text: string): Promise<void>;
  /** Told about each failure as it happens (logs, metrics). */
  onFailure?(source: SourceRef, error: unknown): void;
}

/** Handles every line of every object; throws ExportLinesFailedError at the end when any line or object failed. */
export async function respondToExportObjects(messageId: string, objects: readonly ExportObjectRef[], steps: ExportObjectSteps): Promise<void> {
  const failures: Array<{ source: SourceRef; error: unknown }> = [];
  let handled = 0;
  const failed = (source: SourceRef, error: unknown): void => {
    failures.push({ source, error });
    steps.onFailure?.(source, error);
  };
  for (const object of objects) {
    const name = `s3://${object.bucket}/${object.key}`;
    let unnumbered = 0;
    try {
      for await (const item of steps.stream(object)) {
        if ('error' in item) {
          const source = item.error.source;
          try {
            await steps.quarantine(`${messageId}-line-${source.line ?? `x${++unnumbered}`}`, item.error, item.text);
            handled++;
          } catch (err) {
            failed(source, err);
          }
          continue;
        }
        try {
          await steps.respond(item.record);
          handled++;
        } catch (err) {
          failed(item.record.source, err);
        }
      }
    } catch (err) {
      // The object itself (GetObject, decompression, a connection reset): its remaining lines come on redelivery.
      failed({ name }, err);
    }
  }
  if (failures.length > 0) throw new ExportLinesFailedError(failures, handled);
}
