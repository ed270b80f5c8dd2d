import { terminalSafeJson } from './safe-text.js';

/**
 * Every machine-readable error code, in one list (documented in docs/errors.md; a unit test keeps the two in step).
 * A code is stable: scripts and tests match on it, so add new ones and never reuse or rename one.
 */
export const ERROR_CODES = [
  // Bad input (the CLI exits 2): see BAD_INPUT_CODES in src/cli/exit-codes.ts.
  'usage',
  'policy.invalid',
  'finding.invalid',
  'not-found',
  // The run.
  'aws.call',
  'aws.account',
  'aws.region',
  'aws.role-name',
  'aws.assume-role',
  'aws.caller-identity',
  'step.failed',
  'step.lease-lost',
  'plan.invalid',
  'playbook.options',
  'action.definition',
  'action.duplicate',
  'conflict',
  'environment',
  'incident.unfinished',
  'incident.observe',
  'incident.undecided',
  'incident.released',
  'incident.nothing-waiting',
  'message.unreadable',
  'export.lines-failed',
  'catalogue.invalid',
  'approval.invalid',
  'notify.slack',
  'lambda.config',
  'blocklist.claims-invalid',
  'blocklist.trusted-list-unreadable',
  'journal.table-wait',
  'journal.table-layout',
  'journal.limit',
  'journal.window',
  'journal.value',
  'journal.corrupt',
  'journal.too-large',
  'evidence.s3-uri',
  'evidence.case-id',
  'evidence.content',
  'evidence.write',
  'evidence.object-lock',
  'evidence.contention',
  'evidence.manifest-damaged',
  // Deploying (infra/) and the IP lists it uploads.
  'infra.config-invalid',
  'infra.policy-missing',
  'infra.bundle-missing',
  'infra.bundle-missing-entry',
  'infra.bundle-failed',
  'infra.iam-invalid',
  'infra.iam-too-large',
  'infra.list-missing',
  'infra.list-invalid',
  'infra.threat-ip-invalid',
] as const;

/** A machine-readable error code: one of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error hierarchy of Tourniquet. Every error says what was wrong and the value received, and keeps `cause`.
 * Received values are rendered through `describeValue` so attacker-controlled strings are shown, never evaluated,
 * and long ones are cut.
 */
export class TourniquetError extends Error {
  override readonly name: string = 'TourniquetError';
  /** Stable machine-readable code, e.g. `finding.invalid`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Where a record came from: a file (and line for JSON Lines), stdin, an event, an S3 object. */
export interface SourceRef {
  /** File path, `-` for stdin, `s3://bucket/key`, or a label such as `sqs:<messageId>`. */
  readonly name: string;
  /** 1-based line for JSON Lines input. */
  readonly line?: number;
  /** 0-based index inside a JSON array or `Findings` list. */
  readonly index?: number;
}

export function formatSource(source: SourceRef): string {
  let s = source.name;
  if (source.line !== undefined) s += `:${source.line}`;
  if (source.index !== undefined) s += `[${source.index}]`;
  return s;
}

/** A GuardDuty input record that could not be read as a finding (or scan result). */
export class FindingParseError extends TourniquetError {
  override readonly name = 'FindingParseError';
  declare readonly code: 'finding.invalid';
  constructor(
    readonly source: SourceRef,
    /** JSON path of the offending value, e.g. `$.detail.resource.instanceDetails.networkInterfaces[0].securityGroups`. */
    readonly path: string,
    readonly expected: string,
    readonly received: string,
    options?: { cause?: unknown },
  ) {
    super(
      'finding.invalid',
      `${formatSource(source)}: ${path}: expected ${expected}, received ${received}`,
      options,
    );
  }
}

/** The policy file is not valid. `line` is 1-based when known. */
export class PolicyError extends TourniquetError {
  override readonly name = 'PolicyError';
  declare readonly code: 'policy.invalid';
  constructor(
    readonly file: string,
    readonly issues: ReadonlyArray<{ path: string; message: string; line?: number }>,
    options?: { cause?: unknown },
  ) {
    super(
      'policy.invalid',
      `${file}: ${issues.length} problem(s)\n` +
        issues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path}: ${i.message}`).join('\n'),
      options,
    );
  }
}

/** A command-line flag or argument is wrong. */
export class UsageError extends TourniquetError {
  override readonly name = 'UsageError';
  declare readonly code: 'usage';
  constructor(message: string) {
    super('usage', message);
  }
}

/** An AWS call failed. `transient` says whether retrying may help (throttling, 5xx, network). */
export class AwsCallError extends TourniquetError {
  override readonly name = 'AwsCallError';
  declare readonly code: 'aws.call';
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly awsCode: string,
    readonly transient: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('aws.call', `${service}.${operation} failed (${awsCode}${transient ? ', transient' : ''}): ${message}`, options);
  }
}

/** A step of a plan failed, or cannot run because of the state it found. */
export class StepError extends TourniquetError {
  override readonly name: string = 'StepError';
  declare readonly code: 'step.failed';
  constructor(
    readonly stepId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('step.failed', `step ${stepId}: ${message}`, options);
  }
}

/**
 * A step's holder was about to send a call that changes something after its lease ran out, or close enough to the
 * end that another responder may take the step over while the call is on its way (its renewals did not land: an
 * overloaded process or journal). The call is not sent; the step is given back for a holder with a live lease.
 */
export class LeaseLostError extends TourniquetError {
  override readonly name = 'LeaseLostError';
  declare readonly code: 'step.lease-lost';
  constructor(
    readonly stepId: string,
    readonly operation: string,
    message: string,
  ) {
    super('step.lease-lost', `step ${stepId}: ${operation} not sent: ${message}`);
  }
}

/** A playbook built an invalid plan (a step lowering its action's effect, an undeclared step): a bug in the playbook. */
export class PlanError extends TourniquetError {
  override readonly name = 'PlanError';
  declare readonly code: 'plan.invalid';
  constructor(
    readonly playbook: string,
    message: string,
  ) {
    super('plan.invalid', `playbook ${playbook}: ${message}`);
  }
}

/** A step's change was applied, but reading the state back shows it does not hold. */
export class VerificationError extends StepError {
  override readonly name = 'VerificationError';
}

/** A conditional write lost a race, or an incident/step is not in the state an operation needs. */
export class ConflictError extends TourniquetError {
  override readonly name = 'ConflictError';
  declare readonly code: 'conflict';
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** Something asked for does not exist (incident, step, approval). */
export class NotFoundError extends TourniquetError {
  override readonly name = 'NotFoundError';
  declare readonly code: 'not-found';
  constructor(what: string, id: string, detail?: string) {
    super('not-found', `${what} not found: ${describeValue(id)}${detail !== undefined ? ` (${detail})` : ''}`);
  }
}

/**
 * An incident's plan has not finished (a step is still running, or can run again: it was left by a responder that
 * stopped, or failed transiently). The Lambda reports its SQS record as failed, so the message is redelivered (and
 * the plan resumed) until it finishes, and finally dead-lettered: a stuck incident is never silent.
 */
export class IncidentUnfinishedError extends TourniquetError {
  override readonly name = 'IncidentUnfinishedError';
  declare readonly code: 'incident.unfinished';
  constructor(
    readonly incidents: ReadonlyArray<{ readonly incidentId: string; readonly reason: string }>,
  ) {
    super('incident.unfinished', `plan unfinished: ${incidents.map((i) => `incident ${i.incidentId} (${i.reason})`).join('; ')}`);
  }
}

/** A required local tool (e.g. moto_server) is missing or failed to start. */
export class EnvironmentError extends TourniquetError {
  override readonly name = 'EnvironmentError';
  declare readonly code: 'environment';
  constructor(message: string, options?: { cause?: unknown }) {
    super('environment', message, options);
  }
}

const MAX_SHOWN = 80;

/** Renders a received value for an error message: type plus a short, quoted, escaped excerpt. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (missing)';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}… (${value.length} chars)` : value;
    return `string ${terminalSafeJson(JSON.stringify(shown))}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return `object {${keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}${keys.length > 5 ? ', …' : ''}}`;
  }
  return typeof value;
}

/**
 * An SQS message that can never be processed as delivered (a `null` body, a malformed S3 notification, an S3 key
 * that is not valid URL encoding): a permanent error, quarantined at once with its reason rather than retried.
 */
export class UnreadableMessageError extends TourniquetError {
  override readonly name = 'UnreadableMessageError';
  declare readonly code: 'message.unreadable';
  constructor(
    readonly source: SourceRef,
    /** JSON path in the message body, e.g. `$.Records[0].s3.object.key`. */
    readonly path: string,
    readonly expected: string,
    readonly received: string,
    options?: { cause?: unknown },
  ) {
    super('message.unreadable', `${formatSource(source)}: ${path}: expected ${expected}, received ${received}`, options);
  }
}

/** Some findings of an S3 export object failed in the engine; the others were handled. The message is retried. */
export class ExportLinesFailedError extends TourniquetError {
  override readonly name = 'ExportLinesFailedError';
  declare readonly code: 'export.lines-failed';
  constructor(
    readonly failures: ReadonlyArray<{ readonly source: SourceRef; readonly error: unknown }>,
    readonly handled: number,
  ) {
    const first = failures[0];
    const where = failures.slice(0, 10).map((f) => formatSource(f.source)).join(', ');
    super(
      'export.lines-failed',
      `${failures.length} record(s) of the export failed (${where}${failures.length > 10 ? ', …' : ''}), ${handled} handled; ` +
        `first error: ${first?.error instanceof Error ? first.error.message : String(first?.error)}`,
      first === undefined ? undefined : { cause: first.error },
    );
  }
}
