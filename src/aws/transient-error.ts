/**
 * Whether an AWS call failure is worth retrying: throttling, server-side (5xx) faults and network trouble.
 * Everything else (validation, access denied, not found, conditional failures) is permanent.
 */
import { AwsCallError } from '../errors.js';

const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  // throttling, across services
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'TransactionInProgressException',
  'PriorRequestNotComplete',
  // server-side
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceUnavailableError',
  'RequestTimeout',
  'RequestTimeoutException',
  // network / SDK
  'TimeoutError',
  'NetworkingError',
]);

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function isTransientAwsError(err: unknown): boolean {
  return check(err, 0);
}

function check(err: unknown, depth: number): boolean {
  if (err === null || typeof err !== 'object' || depth > 5) return false;
  if (err instanceof AwsCallError) return err.transient;
  const e = err as ErrorLike;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && (TRANSIENT_CODES.has(e.code) || TRANSIENT_NAMES.has(e.code))) return true;
  if (e.$fault === 'server') return true;
  // The SDK marks throttling and some transient client-side failures as retryable.
  if (e.$retryable !== undefined && e.$retryable !== null && e.$retryable !== false) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return true;
  return check(e.cause, depth + 1);
}
