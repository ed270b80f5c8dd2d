/**
 * The responder's data key: encrypts the journal table, the notification topic and the secrets. Besides the account
 * root, CloudWatch may use it so alarms can publish to the encrypted topic.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { accountRootAdminStatement, policyJson, withTags } from './common.js';
import type { ArnContext, Tags } from './common.js';

export interface ResponderKeyArgs {
  readonly ctx: ArnContext;
  readonly tags: Tags;
}

export class ResponderKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: ResponderKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:ResponderKey', name, {}, opts);
    this.key = new aws.kms.Key(
      `${name}`,
      {
        description: 'Tourniquet: journal, notifications and secrets',
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyJson([
          accountRootAdminStatement(args.ctx),
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': args.ctx.accountId } },
          },
        ]),
        tags: withTags(args.tags),
      },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    new aws.kms.Alias(`${name}-alias`, { namePrefix: 'alias/tourniquet-data-', targetKeyId: this.key.keyId }, { parent: this });
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
