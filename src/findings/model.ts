/**
 * The normalized model Tourniquet builds from any GuardDuty input. The wire object is kept untouched in `raw`
 * (contract: the raw JSON is always retained); everything else is derived from it.
 */
import type { SourceRef } from '../errors.js';
import type { SubjectDetails } from './subject-details.js';

/** A JSON value as received. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`. */
export interface FindingType {
  readonly raw: string;
  readonly threatPurpose: string;
  readonly resourceTypeAffected: string;
  /** e.g. `C&CActivity`, `BitcoinTool` (literal `&` kept). */
  readonly family: string;
  /** e.g. `B`, `Tcp`, `OutsideAWS`, `Custom`, `Reputation`; undefined when absent. */
  readonly mechanism?: string;
  /** e.g. `DNS`, `Snapshot`; undefined when absent. */
  readonly artifact?: string;
  /** True when the mechanism is `.Custom` (matched the user's own threat list). */
  readonly custom: boolean;
}

export type SeverityBand = 'Low' | 'Medium' | 'High' | 'Critical';

/** Who did it, as far as the finding says. Every field optional. */
export interface Actor {
  readonly remoteIp?: string;
  readonly asn?: string;
  readonly asnOrg?: string;
  readonly country?: string;
  readonly accessKeyId?: string;
  /** IAM principal id or ARN-like name (e.g. `AROA…:i-0abc`, user name). */
  readonly principal?: string;
  readonly userAgent?: string;
  /** Account of a remote caller (InsideAWS credential exfiltration). */
  readonly callerAccount?: string;
  readonly api?: string;
  readonly serviceName?: string;
  readonly domain?: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export type AiReasonCode =
  | 'accelerator-instance' // p*, g*, inf*, trn*, dl* … instance families
  | 'ai-tag' // one of the configured tag keys is present
  | 'sagemaker' // SageMaker involvement (API service, managed names/tags)
  | 'bedrock' // Bedrock involvement (API service)
  | 'model-details' // resource.modelDetails present
  | 'guardrail' // resource.bedrockGuardrailDetails present
  | 'ai-protection-type' // one of the AI Protection finding types
  | 'ml-artifact'; // ML software or artefacts named in the finding: framework/serving images, model files, Kubeflow, DL AMIs

export interface AiReason {
  readonly code: AiReasonCode;
  /** Human-readable evidence, e.g. `instance type p4d.24xlarge (family p4d)`. */
  readonly detail: string;
}

export interface AiContext {
  readonly isAi: boolean;
  readonly reasons: readonly AiReason[];
}

export type SubjectKind =
  | 'ec2-instance'
  | 'access-key'
  | 'iam-user'
  | 'iam-role-session'
  | 'root'
  | 'federated-user'
  | 's3-bucket'
  | 's3-object'
  | 'eks-cluster'
  | 'k8s-workload'
  | 'k8s-user'
  | 'container'
  | 'ecs-cluster'
  | 'ecs-task'
  | 'lambda-function'
  | 'rds-instance'
  | 'attack-sequence'
  | 'bedrock-model'
  | 'sagemaker-notebook'
  | 'malware-scan-object'
  // Malware Protection for Backup / EC2 scanned artefacts (`Execution:EC2/MaliciousFile!Snapshot|!AMI|!RecoveryPoint`).
  | 'ebs-snapshot'
  | 'ec2-image'
  | 'recovery-point';

export type { Ec2InstanceDetails, NetworkInterfaceRef, SubjectDetails } from './subject-details.js';

export interface SubjectBase<K extends SubjectKind, D> {
  readonly kind: K;
  /** The resource's id (instance id, access key id, bucket name, function ARN …). */
  readonly id: string;
  readonly arn?: string;
  readonly name?: string;
  readonly accountId: string;
  readonly region: string;
  readonly tags: readonly Tag[];
  readonly ai: AiContext;
  /** Role in the finding: TARGET (default) or ACTOR. */
  readonly role?: string;
  /**
   * True when the finding does not state this resource but the parser inferred it, e.g. the EC2 instance named by an
   * assumed-role session `AROA…:i-0abc…`. `derivedFrom` says from what (a JSON path).
   */
  readonly derived?: boolean;
  readonly derivedFrom?: string;
  readonly details: D;
}

/** The subject of kind K, its details typed: `SubjectOf<'access-key'>['details']` is `AccessKeyDetails`. */
export type SubjectOf<K extends SubjectKind> = SubjectBase<K, SubjectDetails[K]>;
export type Ec2InstanceSubject = SubjectOf<'ec2-instance'>;
/** Any other kind, each with its own details (see subject-details.ts). */
export type OtherSubject = { [K in Exclude<SubjectKind, 'ec2-instance'>]: SubjectOf<K> }[Exclude<SubjectKind, 'ec2-instance'>];
export type Subject = Ec2InstanceSubject | OtherSubject;

/** One GuardDuty finding, normalized. */
export interface Finding {
  readonly kind: 'finding';
  readonly source: SourceRef;
  readonly id: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly type: FindingType;
  readonly severity: number;
  readonly band: SeverityBand;
  readonly title?: string;
  readonly description?: string;
  /** ISO-8601 strings as on the wire. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly count: number;
  readonly sample: boolean;
  readonly archived: boolean;
  readonly resourceType: string;
  readonly actor?: Actor;
  readonly subjects: readonly Subject[];
  /**
   * The finding object exactly as received (the EventBridge `detail`, or one export line). Never mutated.
   * For PascalCase input (AWS CLI `get-findings`, SDK output) it is the camelCase mapping of what was received.
   */
  readonly raw: Json;
  /** The record as received when `raw` had to be mapped from it (PascalCase CLI/SDK output); otherwise absent. */
  readonly original?: Json;
  /** The EventBridge envelope id when the input was an event. */
  readonly eventId?: string;
  readonly detectorId?: string;
  /** `service.featureName`, e.g. `RuntimeMonitoring`, `Correlation`. */
  readonly featureName?: string;
  /** `service.resourceRole`: `TARGET` or `ACTOR`. */
  readonly resourceRole?: string;
  readonly associatedAttackSequenceArn?: string;
  /**
   * What the parser accepted but could not use (an optional field missing where a playbook would want it, a
   * placeholder value that made the finding a sample), each with its JSON path. Absent when there is nothing to say.
   */
  readonly notes?: readonly string[];
}

/** "GuardDuty Malware Protection Object Scan Result" event: not a finding, its own kind. */
export interface MalwareScanResult {
  readonly kind: 'malware-scan-result';
  readonly source: SourceRef;
  readonly accountId: string;
  readonly region: string;
  readonly time: string;
  readonly scanStatus: string;
  readonly scanResultStatus: string;
  readonly bucketName: string;
  readonly objectKey: string;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly threats: readonly string[];
  readonly subjects: readonly Subject[];
  readonly raw: Json;
  readonly eventId?: string;
}

export type GuardDutyRecord = Finding | MalwareScanResult;
