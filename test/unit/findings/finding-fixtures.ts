/** Minimal, valid GuardDuty inputs built inline for tests (values invented). */

export type JsonObj = Record<string, unknown>;

export const ACCOUNT = '111122223333';

export function instanceDetails(overrides: JsonObj = {}): JsonObj {
  return {
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm5.large',
    instanceState: 'running',
    availabilityZone: 'us-east-1a',
    imageId: 'ami-0abc',
    iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web`, id: 'AIPAEXAMPLE' },
    networkInterfaces: [
      {
        networkInterfaceId: 'eni-0aaa',
        subnetId: 'subnet-0aaa',
        vpcId: 'vpc-0aaa',
        privateIpAddress: '10.0.0.5',
        publicIp: '203.0.113.5',
        ipv6Addresses: ['2001:db8::5'],
        securityGroups: [{ groupId: 'sg-0aaa', groupName: 'web' }],
      },
    ],
    tags: [{ key: 'Name', value: 'web-1' }],
    ...overrides,
  };
}

/** A camelCase finding (EventBridge `detail` / export line). */
export function finding(overrides: JsonObj = {}, resource: JsonObj = { resourceType: 'Instance', instanceDetails: instanceDetails() }): JsonObj {
  return {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: 'us-east-1',
    partition: 'aws',
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    arn: `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/d1/finding/a1b2c3d4e5f60718293a4b5c6d7e8f90`,
    type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    resource,
    service: {
      serviceName: 'guardduty',
      detectorId: 'd1',
      action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: 'pool.example.com', protocol: 'UDP', blocked: false } },
      resourceRole: 'TARGET',
      additionalInfo: { value: '{}', type: 'default' },
      eventFirstSeen: '2026-08-01T10:00:00.000Z',
      eventLastSeen: '2026-08-01T10:20:00.000Z',
      archived: false,
      count: 3,
    },
    severity: 8,
    createdAt: '2026-08-01T10:05:00.000Z',
    updatedAt: '2026-08-01T10:25:00.000Z',
    title: 'title',
    description: 'description',
    ...overrides,
  };
}

export function event(detail: JsonObj, detailType = 'GuardDuty Finding'): JsonObj {
  return {
    version: '0',
    id: 'cd2d702e-ab31-411b-9344-793ce56b1bc7',
    'detail-type': detailType,
    source: 'aws.guardduty',
    account: ACCOUNT,
    time: '2026-08-01T10:25:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export function accessKeyFinding(accessKeyDetails: JsonObj, overrides: JsonObj = {}, extraResource: JsonObj = {}): JsonObj {
  return finding(
    {
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      service: {
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'ListBuckets',
            serviceName: 's3.amazonaws.com',
            callerType: 'Remote IP',
            userAgent: 'aws-cli/2.15.0',
            remoteIpDetails: {
              ipAddressV4: '198.51.100.23',
              organization: { asn: '64496', asnOrg: 'EXAMPLE-ASN', isp: 'x', org: 'y' },
              country: { countryCode: 'RO', countryName: 'Romania' },
            },
          },
        },
        resourceRole: 'TARGET',
        count: 1,
      },
      ...overrides,
    },
    { resourceType: 'AccessKey', accessKeyDetails, ...extraResource },
  );
}

/** A PascalCase finding as `aws guardduty get-findings` prints it. */
export function cliFinding(): JsonObj {
  return {
    AccountId: ACCOUNT,
    Arn: `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/d1/finding/f1`,
    CreatedAt: '2026-08-01T10:05:00.000Z',
    Id: 'f1',
    Partition: 'aws',
    Region: 'us-east-1',
    Resource: {
      ResourceType: 'Instance',
      InstanceDetails: {
        InstanceId: 'i-0f1e2d3c4b5a69788',
        InstanceType: 'p4d.24xlarge',
        NetworkInterfaces: [
          {
            Ipv6Addresses: ['2001:db8::10'],
            NetworkInterfaceId: 'eni-0a11',
            PrivateIpAddress: '10.20.1.37',
            PublicIp: '203.0.113.10',
            SecurityGroups: [{ GroupId: 'sg-0a1b', GroupName: 'gpu' }],
            SubnetId: 'subnet-0aa1',
            VpcId: 'vpc-0123',
          },
        ],
        Tags: [{ Key: 'ai-workload', Value: 'training' }],
      },
    },
    SchemaVersion: '2.0',
    Service: {
      Action: {
        ActionType: 'AWS_API_CALL',
        AwsApiCallAction: { Api: 'InvokeModel', ServiceName: 'bedrock.amazonaws.com', AffectedResources: { 'AWS::S3::Bucket': 'b1' } },
        KubernetesApiCallAction: { SourceIps: ['10.0.0.1'] },
      },
      AdditionalInfo: { Value: '{"sample":true}', Type: 'default' },
      Archived: false,
      Count: 2,
      EventFirstSeen: '2026-08-01T10:00:00.000Z',
      EventLastSeen: '2026-08-01T10:20:00.000Z',
    },
    Severity: 8,
    Title: 'GPU instance mining',
    Type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    UpdatedAt: '2026-08-01T10:25:00.000Z',
  };
}
