/**
 * The GuardDuty detector: created (enabled, findings re-published every 15 minutes by default, each protection plan
 * set explicitly), or adopted by id. Adoption `reference` touches nothing; `manage` imports the detector, keeps it
 * on `pulumi destroy` (retainOnDelete) and applies frequency and features.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { TourniquetConfig } from '../config.js';
import { detectorArnFor, withTags } from './common.js';
import type { ArnContext, Tags } from './common.js';

export const DETECTOR_FEATURES = [
  'S3_DATA_EVENTS',
  'EKS_AUDIT_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'RUNTIME_MONITORING',
  'AI_PROTECTION',
] as const;
export type DetectorFeatureName = (typeof DETECTOR_FEATURES)[number];

export interface GuardDutyDetectorArgs {
  readonly ctx: ArnContext;
  readonly existingDetectorId?: string;
  readonly existingDetectorMode: 'reference' | 'manage';
  readonly findingPublishingFrequency: TourniquetConfig['findingPublishingFrequency'];
  readonly features: Readonly<Record<DetectorFeatureName, boolean>>;
  readonly runtimeMonitoring: TourniquetConfig['runtimeMonitoring'];
  readonly tags: Tags;
}

export class GuardDutyDetector extends pulumi.ComponentResource {
  readonly detectorId: pulumi.Output<string>;
  readonly detectorArn: pulumi.Output<string>;
  /** The detector resource, when this stack manages it. */
  readonly detector?: aws.guardduty.Detector;
  readonly features: aws.guardduty.DetectorFeature[] = [];

  constructor(name: string, args: GuardDutyDetectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:GuardDutyDetector', name, {}, opts);

    if (args.existingDetectorId !== undefined && args.existingDetectorMode === 'reference') {
      this.detectorId = pulumi.output(args.existingDetectorId);
      this.detectorArn = pulumi.output(detectorArnFor(args.ctx, args.existingDetectorId));
    } else {
      const adopted = args.existingDetectorId !== undefined;
      this.detector = new aws.guardduty.Detector(
        `${name}-detector`,
        { enable: true, findingPublishingFrequency: args.findingPublishingFrequency, tags: withTags(args.tags) },
        {
          parent: this,
          // Adopted detectors stay when the stack goes: GuardDuty outlives Tourniquet.
          ...(adopted ? { import: args.existingDetectorId, retainOnDelete: true } : {}),
        },
      );
      this.detectorId = this.detector.id;
      this.detectorArn = this.detector.arn;
      for (const feature of DETECTOR_FEATURES) {
        const enabled = args.features[feature];
        const additional =
          feature === 'RUNTIME_MONITORING' && enabled
            ? [
                { name: 'EKS_ADDON_MANAGEMENT', status: status(args.runtimeMonitoring.eksAddonManagement) },
                { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: status(args.runtimeMonitoring.ecsFargateAgentManagement) },
                { name: 'EC2_AGENT_MANAGEMENT', status: status(args.runtimeMonitoring.ec2AgentManagement) },
              ]
            : undefined;
        this.features.push(
          new aws.guardduty.DetectorFeature(
            `${name}-${feature.toLowerCase().replaceAll('_', '-')}`,
            {
              detectorId: this.detector.id,
              name: feature,
              status: status(enabled),
              ...(additional !== undefined ? { additionalConfigurations: additional } : {}),
            },
            { parent: this },
          ),
        );
      }
    }
    this.registerOutputs({ detectorId: this.detectorId, detectorArn: this.detectorArn });
  }
}

function status(enabled: boolean): 'ENABLED' | 'DISABLED' {
  return enabled ? 'ENABLED' : 'DISABLED';
}
