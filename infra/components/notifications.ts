/**
 * Notifications and approval secrets:
 * - an SNS topic encrypted with the responder's data key, with email subscriptions from config (each address
 *   must confirm the subscription e-mail AWS sends);
 * - the Slack incoming-webhook URL in Secrets Manager: created without a value unless the secret config
 *   `tourniquet:slackWebhookUrl` is set; otherwise set it out of band
 *   (`aws secretsmanager put-secret-value --secret-id <slackWebhookSecretArn> --secret-string <url>`);
 * - the approval-link HMAC key in Secrets Manager: 32 random bytes generated with Node's crypto when the secret
 *   is first created, kept as a Pulumi secret; later deploys ignore the (new) random value, so links stay valid.
 *   Rotate by putting a new value out of band (the responder is denied PutSecretValue on its own secrets).
 */
import { randomBytes } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { withTags } from './common.js';
import type { Tags } from './common.js';

export interface NotificationsArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly emails: readonly string[];
  readonly slackWebhook: boolean;
  readonly slackWebhookUrl?: pulumi.Output<string>;
  /** Days a deleted secret can be restored (0 = delete immediately, for throwaway stacks). */
  readonly recoveryWindowInDays: number;
  readonly tags: Tags;
}

export class Notifications extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;
  readonly subscriptions: aws.sns.TopicSubscription[];
  readonly slackSecret?: aws.secretsmanager.Secret;
  readonly approvalSecret: aws.secretsmanager.Secret;
  readonly approvalSecretVersion: aws.secretsmanager.SecretVersion;

  constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:Notifications', name, {}, opts);
    const parent = { parent: this };
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { namePrefix: 'tourniquet-', displayName: 'Tourniquet', kmsMasterKeyId: args.kmsKeyArn, tags: withTags(args.tags) },
      parent,
    );
    this.topicArn = this.topic.arn;
    this.subscriptions = args.emails.map(
      (email, index) =>
        new aws.sns.TopicSubscription(`${name}-email-${index}`, { topic: this.topic.arn, protocol: 'email', endpoint: email }, parent),
    );

    if (args.slackWebhook) {
      this.slackSecret = new aws.secretsmanager.Secret(
        `${name}-slack-webhook`,
        {
          namePrefix: 'tourniquet/slack-webhook-',
          description: 'Tourniquet: Slack incoming webhook URL (set the value out of band)',
          kmsKeyId: args.kmsKeyArn,
          recoveryWindowInDays: args.recoveryWindowInDays,
          tags: withTags(args.tags),
        },
        parent,
      );
      if (args.slackWebhookUrl !== undefined) {
        new aws.secretsmanager.SecretVersion(
          `${name}-slack-webhook-value`,
          { secretId: this.slackSecret.id, secretString: args.slackWebhookUrl },
          parent,
        );
      }
    }

    this.approvalSecret = new aws.secretsmanager.Secret(
      `${name}-approval-hmac`,
      {
        namePrefix: 'tourniquet/approval-hmac-',
        description: 'Tourniquet: HMAC key that signs approval links',
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: args.recoveryWindowInDays,
        tags: withTags(args.tags),
      },
      parent,
    );
    this.approvalSecretVersion = new aws.secretsmanager.SecretVersion(
      `${name}-approval-hmac-value`,
      { secretId: this.approvalSecret.id, secretString: pulumi.secret(randomBytes(32).toString('base64url')) },
      { parent: this, ignoreChanges: ['secretString'] },
    );
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
