/**
 * Seeds a small GPU inference fleet in an (emulated) account, for the demo, drills and integration tests:
 * a VPC with two subnets, an instance role and profile, a launch template of p-family instances, an Auto Scaling
 * group behind an ALB target group, and a second ENI on the first instance (multi-ENI isolation).
 * Works against any endpoint; meant for moto_server or a sandbox account, never production.
 */
import {
  AssociateIamInstanceProfileCommand,
  AttachNetworkInterfaceCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeImagesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';

export interface SeededFleet {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly appSecurityGroupId: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly instanceProfileArn: string;
  readonly autoScalingGroupName: string;
  readonly targetGroupArn: string;
  readonly instanceIds: readonly string[];
  /** The instance the drill finding targets (carries a second ENI). */
  readonly targetInstanceId: string;
  readonly secondaryEniId: string;
}

export interface SeedClients {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly iam: IAMClient;
}

export interface SeedOptions {
  readonly name?: string;
  readonly instanceType?: string;
  readonly size?: number;
}

export async function seedGpuFleet(c: SeedClients, options: SeedOptions = {}): Promise<SeededFleet> {
  const name = options.name ?? 'llm-inference';
  const size = options.size ?? 2;
  const tags = (resourceType: 'vpc' | 'subnet' | 'security-group' | 'network-interface') => [
    { ResourceType: resourceType, Tags: [{ Key: 'Name', Value: name }, { Key: 'team', Value: 'ml-platform' }] },
  ];
  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16', TagSpecifications: tags('vpc') }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const [i, az] of ['a', 'b'].entries()) {
    const s = await c.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: `us-east-1${az}`, TagSpecifications: tags('subnet') }),
    );
    subnetIds.push(s.Subnet!.SubnetId!);
  }
  const sg = await c.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `${name}-app`, Description: 'inference service', VpcId: vpcId, TagSpecifications: tags('security-group') }),
  );
  const appSecurityGroupId = sg.GroupId!;

  const roleName = `${name}-node`;
  const role = await c.iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const profile = await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: roleName }));
  await c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: roleName, RoleName: roleName }));

  const images = await c.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
  const lt = await c.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${name}-lt`,
      LaunchTemplateData: {
        ImageId: imageId,
        InstanceType: (options.instanceType ?? 'p4d.24xlarge') as never,
        IamInstanceProfile: { Arn: profile.InstanceProfile!.Arn! },
        MetadataOptions: { HttpTokens: 'optional' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'ml-platform' }, { Key: 'workload', Value: 'llm-inference' }] }],
      },
    }),
  );
  const lb = await c.elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: subnetIds, SecurityGroups: [appSecurityGroupId] }));
  void lb;
  const tg = await c.elbv2.send(new CreateTargetGroupCommand({ Name: `${name}-tg`, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'instance' }));
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const autoScalingGroupName = `${name}-asg`;
  await c.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: autoScalingGroupName,
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
      MinSize: size,
      MaxSize: size + 2,
      DesiredCapacity: size,
      VPCZoneIdentifier: subnetIds.join(','),
      TargetGroupARNs: [targetGroupArn],
      HealthCheckType: 'ELB',
    }),
  );
  const group = await c.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroupName] }));
  const instanceIds = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId!).sort();
  // Some emulators do not apply the launch template's profile: associate it where it is missing.
  const running = await c.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: instanceIds }] }));
  const associated = new Set((running.IamInstanceProfileAssociations ?? []).map((a) => a.InstanceId));
  for (const id of instanceIds.filter((i) => !associated.has(i))) {
    await c.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Arn: profile.InstanceProfile!.Arn! } }));
  }
  // The app group is set on each primary ENI rather than at launch: moto reports an ENI's groups as its own plus
  // the launch groups, which would make a per-ENI isolation look incomplete. On AWS both ways are equivalent.
  const launched = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  for (const inst of launched.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
    const primary = inst.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
    if (primary?.NetworkInterfaceId) {
      await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId, Groups: [appSecurityGroupId] }));
    }
  }
  const targetInstanceId = instanceIds[0]!;
  const described = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [targetInstanceId] }));
  const subnetId = described.Reservations?.[0]?.Instances?.[0]?.SubnetId ?? subnetIds[0]!;
  const eni = await c.ec2.send(
    new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [appSecurityGroupId], Description: 'model-sync', TagSpecifications: tags('network-interface') }),
  );
  const secondaryEniId = eni.NetworkInterface!.NetworkInterfaceId!;
  await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: targetInstanceId, NetworkInterfaceId: secondaryEniId, DeviceIndex: 1 }));
  return {
    vpcId,
    subnetIds,
    appSecurityGroupId,
    roleName,
    roleArn: role.Role!.Arn!,
    instanceProfileArn: profile.InstanceProfile!.Arn!,
    autoScalingGroupName,
    targetGroupArn,
    instanceIds,
    targetInstanceId,
    secondaryEniId,
  };
}
