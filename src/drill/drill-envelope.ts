/**
 * The GuardDuty wire shape every drill finding shares: ids, times, the drill marks (title prefix and
 * `additionalInfo.tourniquetDrill`), a detector, and the kind-specific `resource` and `service.action`. The id is
 * stable per (account, Region, resource, type), so running a drill again is an update of the same finding, as in
 * GuardDuty. A drill is not a `sample` (samples never mutate): it exists to exercise containment.
 */
import { createHash } from 'node:crypto';

export interface DrillEnvelopeOptions {
  readonly accountId: string;
  readonly region: string;
  readonly type: string;
  readonly severity: number;
  /** What the finding is about, for the title and the stable id (`i-0abc…`, `user/alice`, `bucket/key` …). */
  readonly resourceLabel: string;
  readonly resource: Record<string, unknown>;
  readonly action?: Record<string, unknown>;
  readonly resourceRole?: 'ACTOR' | 'TARGET';
  readonly featureName?: string;
  readonly now?: Date;
  readonly count?: number;
  readonly detectorId?: string;
}

export const DRILL_DETECTOR_ID = 'd0c7d1e7d1e7d1e7d1e7d1e7d1e7d1e7';

export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** An outside address in a documentation range (RFC 5737), with the organization fields GuardDuty fills in. */
export function drillRemoteIp(ip = '198.51.100.77'): Record<string, unknown> {
  return { ipAddressV4: ip, organization: { asn: '64500', asnOrg: 'EXAMPLE-HOSTING', isp: 'Example Hosting', org: 'Example Hosting' }, country: { countryName: 'Example' } };
}

export function drillEnvelope(o: DrillEnvelopeOptions): Record<string, unknown> {
  const detectorId = o.detectorId ?? DRILL_DETECTOR_ID;
  const id = createHash('sha256').update(`${o.accountId}/${o.region}/${o.resourceLabel}/${o.type}`).digest('hex').slice(0, 32);
  const now = (o.now ?? new Date()).toISOString();
  const partition = partitionOf(o.region);
  return {
    schemaVersion: '2.0',
    accountId: o.accountId,
    region: o.region,
    partition,
    id,
    arn: `arn:${partition}:guardduty:${o.region}:${o.accountId}:detector/${detectorId}/finding/${id}`,
    type: o.type,
    severity: o.severity,
    createdAt: now,
    updatedAt: now,
    title: `[DRILL] ${o.type} on ${o.resourceLabel}`,
    description: `Tourniquet drill: synthetic ${o.type} finding for the real resource ${o.resourceLabel}.`,
    resource: o.resource,
    service: {
      serviceName: 'guardduty',
      detectorId,
      archived: false,
      count: o.count ?? 1,
      eventFirstSeen: now,
      eventLastSeen: now,
      resourceRole: o.resourceRole ?? 'ACTOR',
      ...(o.featureName !== undefined ? { featureName: o.featureName } : {}),
      action: o.action ?? {},
      additionalInfo: { value: '{"tourniquetDrill":true}', type: 'default', tourniquetDrill: true },
    },
  };
}
