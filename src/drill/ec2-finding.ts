/**
 * Synthetic GuardDuty-format findings for REAL instances: game days, the demo and tests build the finding from the
 * instance as described by EC2, in the exact camelCase wire shape of an EventBridge `detail` / export line.
 * A drill finding is marked in its title and `service.additionalInfo` so nobody mistakes it for a real one; it is
 * not a `sample` (samples never mutate), because a drill exists to exercise containment.
 */
import { createHash } from 'node:crypto';
import type { Instance } from '@aws-sdk/client-ec2';

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

export function buildEc2DrillFinding(instance: Instance, options: Ec2DrillOptions): Record<string, unknown> {
  const type = options.type ?? 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
  const detectorId = options.detectorId ?? 'd0c7d1e7d1e7d1e7d1e7d1e7d1e7d1e7';
  const instanceId = instance.InstanceId ?? 'i-unknown';
  // Stable id per (instance, type): a re-run of the drill is an update of the same finding, as in GuardDuty.
  const id = createHash('sha256').update(`${options.accountId}/${options.region}/${instanceId}/${type}`).digest('hex').slice(0, 32);
  const now = (options.now ?? new Date()).toISOString();
  const isDns = type.endsWith('!DNS');
  const domain = options.domain ?? 'pool.supportxmr.example';
  const remoteIp = options.remoteIp ?? '198.51.100.77';
  return {
    schemaVersion: '2.0',
    accountId: options.accountId,
    region: options.region,
    partition: options.region.startsWith('cn-') ? 'aws-cn' : options.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
    id,
    arn: `arn:aws:guardduty:${options.region}:${options.accountId}:detector/${detectorId}/finding/${id}`,
    type,
    severity: options.severity ?? 8,
    createdAt: now,
    updatedAt: now,
    title: `[DRILL] ${type} on ${instanceId}`,
    description: `Tourniquet drill: synthetic ${type} finding for the real instance ${instanceId}.`,
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
    service: {
      serviceName: 'guardduty',
      detectorId,
      archived: false,
      count: options.count ?? 1,
      eventFirstSeen: now,
      eventLastSeen: now,
      resourceRole: 'ACTOR',
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
              remoteIpDetails: { ipAddressV4: remoteIp, organization: { asn: '64500', asnOrg: 'EXAMPLE-HOSTING', isp: 'Example Hosting', org: 'Example Hosting' }, country: { countryName: 'Example' } },
            },
          },
      additionalInfo: { value: '{"tourniquetDrill":true}', type: 'default', tourniquetDrill: true },
      evidence: { threatIntelligenceDetails: [{ threatListName: 'TourniquetDrill', threatNames: [isDns ? domain : remoteIp] }] },
    },
  };
}
