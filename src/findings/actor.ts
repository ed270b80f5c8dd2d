/**
 * The actor: who did it, as far as `service.action` and `resource.accessKeyDetails` say. The remote IP and its
 * ASN/org/country come from whichever action carries `remoteIpDetails` (AWS API call, network connection,
 * Kubernetes API call, RDS login attempt, first port probe).
 */
import type { Actor } from './model.js';
import type { JsonObject, RecordContext } from './record-context.js';
import { item, sub } from './json-path.js';

type MutableActor = { -readonly [K in keyof Actor]: Actor[K] };

const ACTIONS_WITH_REMOTE_IP = ['awsApiCallAction', 'networkConnectionAction', 'kubernetesApiCallAction', 'rdsLoginAttemptAction'] as const;

function remoteIp(ctx: RecordContext, d: JsonObject, path: string, actor: MutableActor): boolean {
  const ip = ctx.optObject(d, 'remoteIpDetails', path);
  if (ip === undefined) return false;
  const p = sub(path, 'remoteIpDetails');
  const addr = ctx.optString(ip, 'ipAddressV4', p) ?? ctx.optString(ip, 'ipAddressV6', p);
  if (addr !== undefined) actor.remoteIp = addr;
  const org = ctx.optObject(ip, 'organization', p);
  if (org !== undefined) {
    const asn = ctx.optStringish(org, 'asn', sub(p, 'organization'));
    if (asn !== undefined) actor.asn = asn;
    const asnOrg = ctx.optString(org, 'asnOrg', sub(p, 'organization')) ?? ctx.optString(org, 'org', sub(p, 'organization'));
    if (asnOrg !== undefined) actor.asnOrg = asnOrg;
  }
  const country = ctx.optObject(ip, 'country', p);
  if (country !== undefined) {
    const c = ctx.optString(country, 'countryCode', sub(p, 'country')) ?? ctx.optString(country, 'countryName', sub(p, 'country'));
    if (c !== undefined) actor.country = c;
  }
  return true;
}

export interface ActorFacts {
  readonly actor: Actor | undefined;
  /** `awsApiCallAction.serviceName`, for the AI reasons. */
  readonly apiServiceName: string | undefined;
}

export function readActor(ctx: RecordContext, action: JsonObject | undefined, accessKey: JsonObject | undefined): ActorFacts {
  const actor: MutableActor = {};
  let apiServiceName: string | undefined;
  if (action !== undefined) {
    const ap = '.service.action';
    for (const name of ACTIONS_WITH_REMOTE_IP) {
      const d = ctx.optObject(action, name, ap);
      if (d !== undefined && remoteIp(ctx, d, sub(ap, name), actor)) break;
    }
    if (actor.remoteIp === undefined) {
      const probe = ctx.optObject(action, 'portProbeAction', ap);
      const details = probe === undefined ? undefined : ctx.optArray(probe, 'portProbeDetails', sub(ap, 'portProbeAction'));
      if (details !== undefined && details.length > 0) {
        const first = ctx.element(details, 0, sub(sub(ap, 'portProbeAction'), 'portProbeDetails'));
        if (first !== undefined) remoteIp(ctx, first, item(sub(sub(ap, 'portProbeAction'), 'portProbeDetails'), 0), actor);
      }
    }
    const api = ctx.optObject(action, 'awsApiCallAction', ap);
    if (api !== undefined) {
      const p = sub(ap, 'awsApiCallAction');
      const name = ctx.optString(api, 'api', p);
      if (name !== undefined) actor.api = name;
      apiServiceName = ctx.optString(api, 'serviceName', p);
      if (apiServiceName !== undefined) actor.serviceName = apiServiceName;
      const ua = ctx.optString(api, 'userAgent', p);
      if (ua !== undefined) actor.userAgent = ua;
      const remoteAccount = ctx.optObject(api, 'remoteAccountDetails', p);
      const acct = remoteAccount === undefined ? undefined : ctx.optString(remoteAccount, 'accountId', sub(p, 'remoteAccountDetails'));
      if (acct !== undefined) actor.callerAccount = acct;
      const domain = ctx.optObject(api, 'domainDetails', p);
      const dn = domain === undefined ? undefined : ctx.optString(domain, 'domain', sub(p, 'domainDetails'));
      if (dn !== undefined) actor.domain = dn;
    }
    const k8s = ctx.optObject(action, 'kubernetesApiCallAction', ap);
    if (k8s !== undefined) {
      const p = sub(ap, 'kubernetesApiCallAction');
      const ua = ctx.optString(k8s, 'userAgent', p);
      if (ua !== undefined && actor.userAgent === undefined) actor.userAgent = ua;
      const verb = ctx.optString(k8s, 'verb', p);
      const uri = ctx.optString(k8s, 'requestUri', p);
      if (verb !== undefined && actor.api === undefined) actor.api = uri === undefined ? verb : `${verb} ${uri}`;
    }
    const dns = ctx.optObject(action, 'dnsRequestAction', ap);
    if (dns !== undefined) {
      const d = ctx.optString(dns, 'domain', sub(ap, 'dnsRequestAction'));
      if (d !== undefined) actor.domain = d;
    }
  }
  if (accessKey !== undefined) {
    const p = '.resource.accessKeyDetails';
    const keyId = ctx.optString(accessKey, 'accessKeyId', p);
    if (keyId !== undefined) actor.accessKeyId = keyId;
    const principal = ctx.optString(accessKey, 'principalId', p) ?? ctx.optString(accessKey, 'userName', p);
    if (principal !== undefined) actor.principal = principal;
  }
  for (const _ in actor) return { actor, apiServiceName };
  return { actor: undefined, apiServiceName };
}
