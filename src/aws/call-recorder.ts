/**
 * A middleware that records every AWS call a client makes as a CallRecord: service, operation, input (secrets
 * redacted, bytes summarized), request id, HTTP status, error, duration. It sits at the `initialize` step, outside
 * the retry loop, so one logical call (with its retries) gives one record.
 */
import type { CallListener, CallRecord } from './clients.js';

interface Metadata {
  readonly requestId?: string;
  readonly extendedRequestId?: string;
  readonly httpStatusCode?: number;
}

type AnyHandler = (args: { input: object }) => Promise<{ output: { $metadata?: Metadata } }>;

interface RecordableClient {
  middlewareStack: {
    add(
      middleware: (next: AnyHandler, context: { commandName?: string; clientName?: string }) => AnyHandler,
      options: { step: 'initialize'; name: string; priority: 'high'; override: boolean },
    ): void;
  };
}

export const CALL_RECORDER_NAME = 'tourniquetCallRecorder';

/**
 * Adds the recorder to `client`. `listeners` is read at call time, so listeners added later see later calls.
 * A listener that throws never turns a completed AWS call into a failure: the problem is emitted as a process warning.
 */
export function attachCallRecorder(client: RecordableClient, service: string, listeners: () => readonly CallListener[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = Date.now();
      const base = {
        service,
        operation: operationName(context.commandName),
        startedAt: new Date(started).toISOString(),
        input: summarizeInput(args.input),
      };
      try {
        const result = await next(args);
        const meta = result.output.$metadata;
        emit(listeners(), {
          ...base,
          durationMs: Date.now() - started,
          ...(meta?.requestId !== undefined ? { requestId: meta.requestId } : {}),
          ...(meta?.httpStatusCode !== undefined ? { httpStatusCode: meta.httpStatusCode } : {}),
        });
        return result;
      } catch (err) {
        const e = (typeof err === 'object' && err !== null ? err : {}) as {
          name?: unknown;
          message?: unknown;
          $metadata?: Metadata;
        };
        emit(listeners(), {
          ...base,
          durationMs: Date.now() - started,
          ...(e.$metadata?.requestId !== undefined ? { requestId: e.$metadata.requestId } : {}),
          ...(e.$metadata?.httpStatusCode !== undefined ? { httpStatusCode: e.$metadata.httpStatusCode } : {}),
          error: typeof e.name === 'string' ? e.name : 'Error',
          errorMessage: typeof e.message === 'string' ? e.message : String(err),
        });
        throw err;
      }
    },
    { step: 'initialize', name: CALL_RECORDER_NAME, priority: 'high', override: true },
  );
}

function operationName(commandName: string | undefined): string {
  if (commandName === undefined) return 'Unknown';
  return commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
}

function emit(listeners: readonly CallListener[], record: CallRecord): void {
  for (const listener of listeners) {
    try {
      listener(record);
    } catch (err) {
      process.emitWarning(`a CallRecord listener failed: ${err instanceof Error ? err.message : String(err)}`, 'TourniquetWarning');
    }
  }
}

// Field names whose values are secrets (passwords, secret keys, session tokens, Lambda environment variables).
const SECRET_KEY = /secret|password|sessiontoken|privatekey|plaintext|^variables$/i;
const MAX_STRING = 10_000;
const MAX_DEPTH = 10;

/** A JSON-safe copy of a command input for the record: secrets redacted, bytes and streams summarized. */
export function summarizeInput(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return { $bytes: value.byteLength };
  if (typeof value !== 'object') return `[${typeof value}]`;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => summarizeInput(v, depth + 1));
  if (typeof (value as { pipe?: unknown }).pipe === 'function' || typeof (value as { getReader?: unknown }).getReader === 'function') {
    return '[stream]';
  }
  // Object.fromEntries defines own properties, so a key such as `__proto__` stays data.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : summarizeInput(v, depth + 1)]),
  );
}
