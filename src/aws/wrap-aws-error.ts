/**
 * Turns an AWS SDK failure into an AwsCallError that names the call, keeps the original as `cause` and says whether a
 * retry may help. Errors that already are Tourniquet errors pass through unchanged.
 */
import { AwsCallError, TourniquetError } from '../errors.js';
import { isTransientAwsError } from './transient-error.js';

export function wrapAwsError(service: string, operation: string, err: unknown): TourniquetError {
  if (err instanceof TourniquetError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; message?: unknown };
  const awsCode =
    typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'UnknownError';
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  return new AwsCallError(service, operation, awsCode, isTransientAwsError(err), message, { cause: err });
}

/** The AWS error name (e.g. `ConditionalCheckFailedException`), or undefined for non-errors. */
export function awsErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
