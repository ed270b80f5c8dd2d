/**
 * The clients of one Region of the incident's account: the incident's own clients for its Region, else the
 * factory's `inRegion` (same credentials, recorder, retries and rate limiter). Undefined when they cannot be had, so a
 * step says which Regions it could not reach instead of acting in the wrong one.
 */
import type { AwsClientLookup } from '../aws/clients.js';
import type { BoundActionContext } from './action.js';

export function clientsIn(ctx: BoundActionContext, region: string): AwsClientLookup | undefined {
  if (region === ctx.clients.region) return ctx.aws;
  return ctx.clients.inRegion?.(region);
}
