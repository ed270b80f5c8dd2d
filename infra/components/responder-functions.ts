/**
 * The responder's functions: the approval function behind its public function URL (auth NONE: the HMAC-signed link
 * is the credential) and the respond function, both from the same bundle with the same environment. Created with the
 * Responder as parent, so names and URNs are those of the Responder's own resources.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { LAMBDA_ENV } from '../lambda-env.js';
import { withTags } from './common.js';
import type { ResponderArgs } from './responder.js';

export interface ResponderFunctions {
  readonly approvalFunction: aws.lambda.Function;
  readonly approvalUrl: aws.lambda.FunctionUrl;
  readonly respondFunction: aws.lambda.Function;
}

export interface FunctionDeps {
  readonly role: aws.iam.Role;
  /** The role's policy attachments: the functions are created after them. */
  readonly attachments: aws.iam.RolePolicyAttachment[];
  readonly policyObject?: aws.s3.BucketObjectv2;
  readonly respondLogs: aws.cloudwatch.LogGroup;
  readonly approvalLogs: aws.cloudwatch.LogGroup;
}

export function createFunctions(name: string, args: ResponderArgs, component: pulumi.ComponentResource, deps: FunctionDeps): ResponderFunctions {
  const { config } = args;
  const parent = { parent: component };
  const tags = withTags(args.tags);
  const { role, attachments, policyObject, respondLogs, approvalLogs } = deps;

  // --- Functions ------------------------------------------------------------------------------------------
  const code = new pulumi.asset.FileArchive(args.bundleDir);
  const commonEnv: Record<string, pulumi.Input<string>> = {
    [LAMBDA_ENV.mode]: config.mode,
    [LAMBDA_ENV.journalTable]: args.journal.tableName,
    [LAMBDA_ENV.evidenceBucket]: args.evidence.bucketName,
    [LAMBDA_ENV.evidenceKmsKeyId]: args.evidence.keyArn,
    [LAMBDA_ENV.objectLockMode]: args.evidence.objectLockMode,
    [LAMBDA_ENV.objectLockDays]: String(args.evidence.retentionDays),
    [LAMBDA_ENV.topicArn]: args.notifications.topicArn,
    [LAMBDA_ENV.approvalSecretArn]: args.notifications.approvalSecretArn,
    [LAMBDA_ENV.findingsBucket]: args.findings.bucketName,
    [LAMBDA_ENV.detectorId]: args.detectorId,
    [LAMBDA_ENV.memberRoleName]: config.memberRoleName,
    [LAMBDA_ENV.responderRoleArn]: role.arn,
    [LAMBDA_ENV.protectedPrincipals]: config.protectedPrincipalArns.join(','),
    [LAMBDA_ENV.severityThreshold]: String(config.severityThreshold),
    POWERTOOLS_SERVICE_NAME: 'tourniquet',
    POWERTOOLS_METRICS_NAMESPACE: 'Tourniquet',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if (args.notifications.slackSecretArn !== undefined) commonEnv[LAMBDA_ENV.slackWebhookSecretArn] = args.notifications.slackSecretArn;
  if (config.findingTypePrefixes.length > 0) commonEnv[LAMBDA_ENV.findingTypePrefixes] = config.findingTypePrefixes.join(',');
  if (config.memberExternalId !== undefined) commonEnv[LAMBDA_ENV.memberExternalId] = config.memberExternalId;
  if (config.maxLineBytes !== undefined) commonEnv[LAMBDA_ENV.maxLineBytes] = String(config.maxLineBytes);
  if (config.maxDecompressedBytes !== undefined) commonEnv[LAMBDA_ENV.maxDecompressedBytes] = String(config.maxDecompressedBytes);
  if (policyObject !== undefined) commonEnv[LAMBDA_ENV.policy] = pulumi.interpolate`s3://${policyObject.bucket}/${policyObject.key}`;
  if (Object.keys(config.playbookOptions).length > 0) commonEnv[LAMBDA_ENV.playbookOptions] = JSON.stringify(config.playbookOptions);
  if (args.bedrockInvocationLogging !== undefined) {
    commonEnv[LAMBDA_ENV.bedrockLogGroup] = args.bedrockInvocationLogging.logGroupName;
    commonEnv[LAMBDA_ENV.bedrockLoggingRoleArn] = args.bedrockInvocationLogging.roleArn;
  }
  if (args.blocklist !== undefined) {
    commonEnv[LAMBDA_ENV.blocklistBucket] = args.blocklist.bucketName;
    commonEnv[LAMBDA_ENV.blocklistKey] = args.blocklist.key;
    commonEnv[LAMBDA_ENV.blocklistSetId] = args.blocklist.setId;
  }
  const functionBase = {
    runtime: 'nodejs22.x',
    architectures: ['arm64'],
    code,
    role: role.arn,
    tags,
  };

  const approvalFunction = new aws.lambda.Function(
    `${name}-approval`,
    {
      ...functionBase,
      description: 'Tourniquet: approval links (HMAC-signed, expiring, single-use)',
      handler: 'approval-handler.handler',
      memorySize: 512,
      timeout: config.approvalTimeoutSeconds,
      ...(config.approvalReservedConcurrency !== undefined ? { reservedConcurrentExecutions: config.approvalReservedConcurrency } : {}),
      environment: { variables: commonEnv },
      loggingConfig: { logFormat: 'JSON', logGroup: approvalLogs.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
    },
    { parent: component, dependsOn: attachments },
  );
  // Auth NONE is deliberate: the HMAC-signed link is the credential (see module comment).
  const approvalUrl = new aws.lambda.FunctionUrl(
    `${name}-approval-url`,
    { functionName: approvalFunction.name, authorizationType: 'NONE', invokeMode: 'BUFFERED' },
    parent,
  );
  // Since October 2025 a public function URL needs both permissions.
  new aws.lambda.Permission(
    `${name}-approval-url-invoke-url`,
    { function: approvalFunction.name, action: 'lambda:InvokeFunctionUrl', principal: '*', functionUrlAuthType: 'NONE' },
    parent,
  );
  new aws.lambda.Permission(
    `${name}-approval-url-invoke`,
    { function: approvalFunction.name, action: 'lambda:InvokeFunction', principal: '*', invokedViaFunctionUrl: true },
    parent,
  );

  const respondFunction = new aws.lambda.Function(
    `${name}-respond`,
    {
      ...functionBase,
      description: 'Tourniquet: contain what GuardDuty reports (SQS batches of findings and export objects)',
      handler: 'respond-handler.handler',
      memorySize: config.lambdaMemoryMb,
      timeout: config.lambdaTimeoutSeconds,
      environment: { variables: { ...commonEnv, [LAMBDA_ENV.approvalUrl]: approvalUrl.functionUrl } },
      loggingConfig: { logFormat: 'JSON', logGroup: respondLogs.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
    },
    { parent: component, dependsOn: attachments },
  );

  return { approvalFunction, approvalUrl, respondFunction };
}
