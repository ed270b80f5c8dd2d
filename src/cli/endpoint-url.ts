/**
 * The AWS endpoint a command talks to: `--endpoint`, else `AWS_ENDPOINT_URL` (an empty variable is unset, as the SDK
 * reads it). A value that is not an http(s) URL (`localhost:5000` without its scheme, `http//x`) is a usage error
 * naming where it came from: the SDK took `localhost:5000` as scheme `localhost:` and every call failed as
 * `sts.GetCallerIdentity failed (NotFound): Unknown`, or `Invalid URL`, and commands that need no AWS took it silently.
 */
import { UsageError } from '../errors.js';

export function endpointUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, flagName = '--endpoint'): string | undefined {
  if (flag !== undefined) return checked(flag, flagName);
  const fromEnv = env.AWS_ENDPOINT_URL;
  return fromEnv === undefined || fromEnv === '' ? undefined : checked(fromEnv, 'AWS_ENDPOINT_URL');
}

function checked(value: string, from: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || !/^https?:\/\//i.test(value)) {
    throw new UsageError(`${from} must be an http:// or https:// URL such as http://localhost:5000, received ${JSON.stringify(value)}`);
  }
  return value;
}
