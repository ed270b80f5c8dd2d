/**
 * One client per SDK client class, created on first lookup: the open `aws(EC2Client)` lookup behind AwsClients.
 * `prepare` runs once per new client (call recorder, rate limiter), so every way of building clients attaches the
 * same middleware.
 */
import type { AwsClientClass, AwsClientLookup, SdkClient } from './clients.js';

export function clientCache(create: <C extends SdkClient>(ClientClass: AwsClientClass<C>) => C): AwsClientLookup {
  const clients = new Map<AwsClientClass, SdkClient>();
  return <C extends SdkClient>(ClientClass: AwsClientClass<C>): C => {
    let client = clients.get(ClientClass) as C | undefined;
    if (client === undefined) {
      client = create(ClientClass);
      clients.set(ClientClass, client);
    }
    return client;
  };
}

/** The service name used in CallRecords and IAM (`ec2`, `elasticloadbalancing`, `iam` …): the client's signing name. */
export function serviceNameOf(client: SdkClient): string {
  const config = client.config as { defaultSigningName?: unknown; serviceId?: unknown };
  if (typeof config.defaultSigningName === 'string' && config.defaultSigningName !== '') return config.defaultSigningName;
  return typeof config.serviceId === 'string' ? config.serviceId.replace(/\s+/g, '').toLowerCase() : 'unknown';
}
