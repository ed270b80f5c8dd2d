/**
 * The kind-specific facts of every subject kind, as the parsers in `subjects/` build them: `SubjectDetails[K]` is the
 * type of `subject.details` for kind K, so a playbook that narrows on `subject.kind` reads its details without a cast.
 * Optional facts are absent (undefined) when the finding does not carry them. Pure types, no imports of parsers.
 */
type Opt<T> = T | undefined;

export interface NetworkInterfaceRef {
  /** Optional in the API model; real findings of 2017 have none. */
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly securityGroups: ReadonlyArray<{ readonly groupId?: string; readonly groupName?: string }>;
  readonly publicIp?: string;
  readonly privateIpAddress?: string;
  readonly ipv6Addresses: readonly string[];
}

/** Facts of an EC2 instance (the containment playbook relies on them). */
export interface Ec2InstanceDetails {
  readonly instanceId: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  readonly instanceState?: string;
  readonly availabilityZone?: string;
  /** `roleArns`: the profile's roles, resolved by the engine before deciding (GuardDuty reports the profile only). */
  readonly iamInstanceProfile?: { readonly arn?: string; readonly id?: string; readonly roleArns?: readonly string[] };
  readonly networkInterfaces: readonly NetworkInterfaceRef[];
  readonly launchTime?: string;
  readonly platform?: string;
}


/** A container of a Kubernetes workload or an ECS task, summarized. */
export interface ContainerSummary {
  readonly name?: string | undefined;
  readonly id?: string | undefined;
  readonly image?: string | undefined;
  readonly privileged?: boolean | undefined;
}

export interface AccessKeyDetails {
  readonly accessKeyId: string;
  readonly principalId?: Opt<string>;
  readonly userName?: Opt<string>;
  readonly userType?: Opt<string>;
  /** ASIA… keys are STS session credentials: they cannot be deactivated, only their role's sessions revoked. */
  readonly temporary: boolean;
}

export interface IamUserDetails {
  readonly userName?: Opt<string>;
  readonly principalId?: Opt<string>;
  readonly accessKeyId?: Opt<string>;
}

export interface IamRoleSessionDetails {
  readonly roleName?: Opt<string>;
  readonly roleId?: Opt<string>;
  readonly sessionName?: Opt<string>;
  readonly principalId?: Opt<string>;
  readonly accessKeyId?: Opt<string>;
}

export interface RootDetails {
  readonly principalId?: Opt<string>;
  readonly accessKeyId?: Opt<string>;
}

export type FederatedUserDetails = IamUserDetails;

export interface S3BucketDetails {
  readonly bucketName: string;
  readonly type?: Opt<string>;
  readonly createdAt?: Opt<string>;
  readonly ownerId?: Opt<string>;
  readonly effectivePermission?: Opt<string>;
  readonly publicReadAccess?: Opt<string>;
  readonly publicWriteAccess?: Opt<string>;
  readonly encryptionType?: Opt<string>;
  readonly kmsMasterKeyArn?: Opt<string>;
}

export interface S3ObjectDetails {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: Opt<string>;
  readonly eTag?: Opt<string>;
  readonly hash?: Opt<string>;
}

export interface MalwareScanObjectDetails {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: Opt<string>;
  readonly eTag?: Opt<string>;
  readonly scanStatus: string;
  readonly scanResultStatus: string;
  readonly threats: readonly string[];
}

export interface EksClusterDetails {
  readonly clusterName: string;
  readonly vpcId?: Opt<string>;
  readonly status?: Opt<string>;
  readonly createdAt?: Opt<string>;
  readonly ec2InstanceUids?: Opt<readonly string[]>;
}

export interface K8sWorkloadDetails {
  readonly cluster?: Opt<string>;
  readonly namespace?: Opt<string>;
  readonly workloadName?: Opt<string>;
  readonly workloadType?: Opt<string>;
  readonly uid?: Opt<string>;
  readonly serviceAccountName?: Opt<string>;
  readonly hostNetwork?: Opt<boolean>;
  readonly hostPID?: Opt<boolean>;
  readonly hostIPC?: Opt<boolean>;
  readonly privileged?: Opt<boolean>;
  readonly containers?: Opt<readonly ContainerSummary[]>;
  readonly containerUids?: Opt<readonly string[]>;
}

export interface K8sUserDetails {
  readonly cluster?: Opt<string>;
  readonly username: string;
  readonly uid?: Opt<string>;
  readonly groups?: Opt<readonly string[]>;
  readonly sessionName?: Opt<readonly string[]>;
  readonly impersonatedUser?: Opt<string>;
}

export interface ContainerDetails {
  readonly containerId?: Opt<string>;
  readonly containerName?: Opt<string>;
  readonly image?: Opt<string>;
  readonly imagePrefix?: Opt<string>;
  readonly runtime?: Opt<string>;
  readonly privileged?: Opt<boolean>;
  readonly allowPrivilegeEscalation?: Opt<boolean>;
  readonly mountPaths?: Opt<readonly string[]>;
}

export interface EcsClusterDetails {
  readonly clusterName?: Opt<string>;
  readonly status?: Opt<string>;
  readonly runningTasksCount?: Opt<number>;
  readonly ec2InstanceUids?: Opt<readonly string[]>;
}

export interface EcsTaskDetails {
  readonly cluster?: Opt<string>;
  readonly definitionArn?: Opt<string>;
  readonly version?: Opt<string>;
  readonly launchType?: Opt<string>;
  readonly group?: Opt<string>;
  readonly startedBy?: Opt<string>;
  readonly createdAt?: Opt<string>;
  readonly startedAt?: Opt<string>;
  readonly containers?: Opt<readonly ContainerSummary[]>;
  readonly containerUids?: Opt<readonly string[]>;
}

export interface LambdaFunctionDetails {
  readonly functionName?: Opt<string>;
  readonly functionVersion?: Opt<string>;
  /** The execution role's ARN. */
  readonly role?: Opt<string>;
  readonly revisionId?: Opt<string>;
  readonly lastModifiedAt?: Opt<string>;
  readonly vpcId?: Opt<string>;
  readonly subnetIds?: Opt<readonly string[]>;
  readonly securityGroupIds: readonly string[];
}

/** A DB instance, or (`limitless: true`) an Aurora Limitless shard group. */
export interface RdsInstanceDetails {
  readonly limitless?: true;
  readonly dbInstanceIdentifier?: Opt<string>;
  readonly dbShardGroupIdentifier?: Opt<string>;
  readonly dbShardGroupResourceId?: Opt<string>;
  readonly dbClusterIdentifier?: Opt<string>;
  readonly dbiResourceId?: Opt<string>;
  readonly engine?: Opt<string>;
  readonly engineVersion?: Opt<string>;
  readonly dbUser?: Opt<Readonly<Record<string, string | undefined>>>;
}

export interface AttackSequenceDetails {
  readonly findingId: string;
  readonly sequenceUid?: Opt<string>;
  readonly description?: Opt<string>;
  readonly actors: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly signals: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly endpoints?: Opt<ReadonlyArray<Readonly<Record<string, unknown>>>>;
  readonly indicators?: Opt<ReadonlyArray<Readonly<Record<string, unknown>>>>;
  readonly additionalSequenceTypes?: Opt<readonly string[]>;
  readonly resources: ReadonlyArray<{
    readonly uid: string;
    readonly resourceType?: Opt<string>;
    readonly name?: Opt<string>;
    readonly accountId?: Opt<string>;
    readonly region?: Opt<string>;
  }>;
}

export interface BedrockModelDetails {
  readonly modelId: string;
}

/** A SageMaker notebook instance an API call of the finding acted on (`affectedResources`). */
export interface SageMakerNotebookDetails {
  readonly notebookInstanceName: string;
}

export interface EbsSnapshotDetails {
  readonly snapshotArn: string;
}

export interface Ec2ImageDetails {
  readonly imageArn: string;
}

export interface RecoveryPointDetails {
  readonly recoveryPointArn: string;
  readonly backupVaultName?: Opt<string>;
}

/** `SubjectDetails[K]`: the details of a subject of kind K. */
export interface SubjectDetails {
  readonly 'ec2-instance': Ec2InstanceDetails;
  readonly 'access-key': AccessKeyDetails;
  readonly 'iam-user': IamUserDetails;
  readonly 'iam-role-session': IamRoleSessionDetails;
  readonly root: RootDetails;
  readonly 'federated-user': FederatedUserDetails;
  readonly 's3-bucket': S3BucketDetails;
  readonly 's3-object': S3ObjectDetails;
  readonly 'eks-cluster': EksClusterDetails;
  readonly 'k8s-workload': K8sWorkloadDetails;
  readonly 'k8s-user': K8sUserDetails;
  readonly container: ContainerDetails;
  readonly 'ecs-cluster': EcsClusterDetails;
  readonly 'ecs-task': EcsTaskDetails;
  readonly 'lambda-function': LambdaFunctionDetails;
  readonly 'rds-instance': RdsInstanceDetails;
  readonly 'attack-sequence': AttackSequenceDetails;
  readonly 'bedrock-model': BedrockModelDetails;
  readonly 'sagemaker-notebook': SageMakerNotebookDetails;
  readonly 'malware-scan-object': MalwareScanObjectDetails;
  readonly 'ebs-snapshot': EbsSnapshotDetails;
  readonly 'ec2-image': Ec2ImageDetails;
  readonly 'recovery-point': RecoveryPointDetails;
}
