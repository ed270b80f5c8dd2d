/**
 * Synthetic GuardDuty-format findings for REAL instances: game days, the demo and tests build the finding from the
 * instance as described by EC2, in the exact camelCase wire shape of an EventBridge `detail` / export line.
 * A drill finding is marked in its title and `service.additionalInfo` so nobody mistakes it for a real one; it is
 * not a `sample` (samples never mutate), because a drill exists to exercise containment.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { drillEnvelope, drillRemoteIp } from './drill-envelope.js';
import type { DrillResource } from './drill-kind.js';

export interface Ec2DrillOptions {
  readonly accountId: string;
  readonly region: string;
  /** Default `CryptoCurrency:EC2/BitcoinTool.B!DNS` (GPU crypto-mining). */
  readonly type?: string;
  readonly severity?: number;
  readonly detectorId?: string;
  /** Mining pool domain (DNS finding) or C2 IP. */
  readonly domain?: string;
  readonly remoteIp?: string;
  readonly now?: Date;
  /** Occurrence count; bump it and `now` to simulate a newer occurrence of the same finding. */
  readonly count?: number;
}

/** The `resource` and `service.action` of a drill finding for a real instance. */
export function ec2DrillResource(instance: Instance, type: string, options: { domain?: string; remoteIp?: string } = {}): DrillResource {
  const instanceId = instance.InstanceId ?? 'i-unknown';
  const isDns = type.endsWith('!DNS');
  const domain = options.domain ?? 'pool.supportxmr.example';
  return {
    label: instanceId,
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId,
        instanceType: instance.InstanceType ?? null,
        instanceState: instance.State?.Name ?? null,
        imageId: instance.ImageId ?? null,
        availabilityZone: instance.Placement?.AvailabilityZone ?? null,
        launchTime: instance.LaunchTime ? new Date(instance.LaunchTime).toISOString() : null,
        platform: instance.Platform ?? null,
        iamInstanceProfile: instance.IamInstanceProfile ? { arn: instance.IamInstanceProfile.Arn ?? null, id: instance.IamInstanceProfile.Id ?? null } : null,
        networkInterfaces: (instance.NetworkInterfaces ?? []).map((n) => ({
          networkInterfaceId: n.NetworkInterfaceId,
          subnetId: n.SubnetId ?? null,
          vpcId: n.VpcId ?? null,
          privateIpAddress: n.PrivateIpAddress ?? null,
          privateDnsName: n.PrivateDnsName ?? null,
          publicIp: n.Association?.PublicIp ?? null,
          publicDnsName: n.Association?.PublicDnsName ?? null,
          ipv6Addresses: (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address).filter(Boolean),
          privateIpAddresses: (n.PrivateIpAddresses ?? []).map((p) => ({ privateIpAddress: p.PrivateIpAddress, privateDnsName: p.PrivateDnsName ?? null })),
          securityGroups: (n.Groups ?? []).map((g) => ({ groupId: g.GroupId, groupName: g.GroupName ?? null })),
        })),
        tags: (instance.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value })),
        productCodes: [],
      },
    },
    action: isDns
      ? { actionType: 'DNS_REQUEST', dnsRequestAction: { domain, protocol: 'UDP', blocked: false } }
      : {
          actionType: 'NETWORK_CONNECTION',
          networkConnectionAction: {
            connectionDirection: 'OUTBOUND',
            protocol: 'TCP',
            blocked: false,
            localPortDetails: { port: 49152, portName: 'Unknown' },
            remotePortDetails: { port: 3333, portName: 'Unknown' },
            remoteIpDetails: drillRemoteIp(options.remoteIp),
          },
        },
    resourceRole: 'ACTOR',
  };
}

export function buildEc2DrillFinding(instance: Instance, options: Ec2DrillOptions): Record<string, unknown> {
  const type = options.type ?? 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
  const r = ec2DrillResource(instance, type, { ...(options.domain ? { domain: options.domain } : {}), ...(options.remoteIp ? { remoteIp: options.remoteIp } : {}) });
  const finding = drillEnvelope({
    accountId: options.accountId,
    region: options.region,
    type,
    severity: options.severity ?? 8,
    resourceLabel: r.label,
    resource: r.resource,
    ...(r.action ? { action: r.action } : {}),
    resourceRole: 'ACTOR',
    ...(options.now ? { now: options.now } : {}),
    ...(options.count !== undefined ? { count: options.count } : {}),
    ...(options.detectorId ? { detectorId: options.detectorId } : {}),
  });
  const service = finding['service'] as Record<string, unknown>;
  const isDns = type.endsWith('!DNS');
  service['evidence'] = { threatIntelligenceDetails: [{ threatListName: 'TourniquetDrill', threatNames: [isDns ? (options.domain ?? 'pool.supportxmr.example') : (options.remoteIp ?? '198.51.100.77')] }] };
  return finding;
}
