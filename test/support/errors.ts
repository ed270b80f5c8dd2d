/**
 * Errors for tests: AWS-shaped service exceptions to make a mocked command fail, and the error a call throws,
 * checked for its class.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'vitest';

/** An error shaped like an SDK v3 service exception (`name` = AWS error code, `$fault`, `$metadata`). */
export function awsError(code: string, httpStatusCode = 400, message = code): Error {
  return Object.assign(new Error(message), { name: code, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** An S3 service exception as the S3 client throws it (e.g. `PreconditionFailed`, 412). */
export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} happened` });
}

/** The error `fn` throws, which must be an instance of `type`; fails the test when it throws nothing or another kind. */
export function errorOf<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) return expect.fail(`expected a ${type.name}, but nothing was thrown`);
  expect(thrown).toBeInstanceOf(type);
  return thrown as E;
}
