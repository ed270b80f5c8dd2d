/**
 * The default destination of Bedrock model invocation logs (config `tourniquet:bedrockInvocationLogging`): a
 * CloudWatch log group in the stack's Region and the role Bedrock assumes to write to it. The responder puts them in
 * the Region's logging configuration when it finds logging off (`bedrock.ensure-invocation-logging`); nothing here
 * turns logging on by itself.
 *
 * The role trusts `bedrock.amazonaws.com` only for this account's Bedrock in this Region (aws:SourceAccount,
 * aws:SourceArn), may write only log streams of this group, and is named `tourniquet-bedrock-logging-…`: the prefix
 * the responder's `iam:PassRole` (to Bedrock only) is limited to. Invocation logs hold prompts and completions —
 * possibly illegal material an attacker generated: keep readers of the group few.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { BEDROCK_LOGGING_ROLE_PREFIX } from '../../src/actions/bedrock-ensure-invocation-logging.js';
import { withTags } from './common.js';
import type { ArnContext, Tags } from './common.js';

export const BEDROCK_INVOCATION_LOG_GROUP = '/tourniquet/bedrock-model-invocations';

export interface BedrockInvocationLoggingArgs {
  readonly ctx: ArnContext;
  readonly retentionDays: number;
  readonly tags: Tags;
}

/** The logging role's trust policy: Bedrock, for this account and Region only. */
export function bedrockLoggingTrustPolicy(ctx: ArnContext): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'BedrockWritesInvocationLogs',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ctx.accountId },
          ArnLike: { 'aws:SourceArn': `arn:${ctx.partition}:bedrock:${ctx.region}:${ctx.accountId}:*` },
        },
      },
    ],
  });
}

export class BedrockInvocationLogging extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly logGroupName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: BedrockInvocationLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:BedrockInvocationLogging', name, {}, opts);
    const parent = { parent: this };
    const tags = withTags(args.tags);
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: BEDROCK_INVOCATION_LOG_GROUP, retentionInDays: args.retentionDays, tags }, parent);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        namePrefix: `${BEDROCK_LOGGING_ROLE_PREFIX}-`,
        description: 'Bedrock writes model invocation logs to the Tourniquet log group',
        assumeRolePolicy: bedrockLoggingTrustPolicy(args.ctx),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-write`,
      {
        role: this.role.name,
        policy: this.logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'WriteInvocationLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${arn.replace(/:\*$/, '')}:log-stream:*` }],
          }),
        ),
      },
      parent,
    );
    this.logGroupName = this.logGroup.name;
    this.roleArn = this.role.arn;
    this.registerOutputs({ logGroupName: this.logGroupName, roleArn: this.roleArn });
  }
}
