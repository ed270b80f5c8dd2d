/**
 * One exit-code convention for every command, so scripts and CI can tell "fix your input" from "the run failed":
 *
 * - 0: done, everything read and done;
 * - 1: the run failed: an AWS call, a step, a release, an incident whose plan is unfinished or undecided (running
 *   it again later can succeed);
 * - 2: bad input: a usage error (flag, argument), an invalid policy file, a finding that could not be read, an
 *   input limit, a destination that cannot be written, an incident id that does not exist, a request that does not
 *   apply to the incident (approving or denying when nothing waits, observe mode included; acting on a released
 *   incident): running it again can never succeed, so a script must not retry it as a failed run.
 *
 * Errors are printed as one `tourniquet: …` line (a policy file's problems one per line, with line numbers), never
 * as a stack trace; `TOURNIQUET_DEBUG=1` adds the stack of an unexpected error.
 */
import { PolicyError, TourniquetError, type ErrorCode } from '../errors.js';
import { stripControlCharacters } from '../safe-text.js';
import { formatPolicyIssue } from './policy-messages.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** TourniquetError codes that mean the input was wrong, not the run. */
export const BAD_INPUT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'usage',
  'policy.invalid',
  'finding.invalid',
  'not-found',
  'incident.observe',
  'incident.nothing-waiting',
  'incident.released',
]);

export function exitCodeFor(err: unknown): number {
  return err instanceof TourniquetError && BAD_INPUT_CODES.has(err.code) ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

/** Prints `err` for a person (no stack trace) and returns the exit code it calls for. */
export function reportError(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (err instanceof PolicyError) {
    // One line per problem, with its line number; a count only when there are several.
    for (const issue of err.issues) write(`${formatPolicyIssue(err.file, issue, 'tourniquet: policy error: ')}\n`);
    if (err.issues.length > 1) write(`tourniquet: ${stripControlCharacters(err.file)}: ${err.issues.length} errors in the policy file\n`);
  } else if (err instanceof TourniquetError) {
    write(`tourniquet: ${stripControlCharacters(err.message)}\n`);
  } else {
    // Not one of ours: still one line, with what it was; the stack only when asked for.
    const e = err instanceof Error ? err : new Error(String(err));
    write(`tourniquet: unexpected error: ${stripControlCharacters(`${e.name}: ${e.message}`)}\n`);
    if (process.env.TOURNIQUET_DEBUG === '1' && e.stack !== undefined) write(`${e.stack}\n`);
  }
  return exitCodeFor(err);
}
