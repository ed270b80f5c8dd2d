/**
 * The responder's role and its generated managed policies: the action permissions (packed into at most
 * MAX_ACTION_POLICIES documents), the platform policy and their attachments, plus the policy file object the
 * platform policy grants. Created with the Responder as parent, so names and URNs are those of the Responder's own.
 */
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { compilePolicy } from '../../src/policy/compiled-policy.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { packPolicyDocuments, platformStatements, selfProtectionStatements } from '../iam/generate-policy.js';
import type { PolicyDocument, PolicyStatement } from '../iam/generate-policy.js';
import { rolePermissionStatements } from '../iam/target-scope.js';
import { withTags } from './common.js';
import type { ResponderArgs } from './responder.js';
import type { ResponderIngress } from './responder-ingress.js';

/** Managed policies left for the action permissions (platform and the two self-protection halves take three of ten). */
export const MAX_ACTION_POLICIES = 7;

/** The self-protection Deny statements, split by what they protect (Sids from selfProtectionStatements). */
export const SELF_PROTECTION_GROUPS = [
  {
    id: 'compute',
    what: 'role, functions, event sources, queues, rule and logs',
    sids: ['DenyChangingOwnRoles', 'DenyChangingOwnPolicies', 'DenyChangingOwnFunctions', 'DenyChangingOwnEventSources', 'DenyChangingOwnQueues', 'DenyChangingOwnRule', 'DenyChangingOwnLogs'],
  },
  {
    id: 'data',
    what: 'journal, buckets, evidence, keys, topic, secrets and detector',
    sids: ['DenyChangingJournal', 'DenyChangingOwnBuckets', 'DenyEvidenceTampering', 'DenyChangingOwnKeys', 'DenyChangingOwnTopic', 'DenyChangingOwnSecrets', 'DenyChangingDetector', 'DenyCreatingDetectorLists'],
  },
] as const;

export interface ResponderRole {
  readonly role: aws.iam.Role;
  readonly actionPolicyDocuments: PolicyDocument[];
  readonly actionPolicies: aws.iam.Policy[];
  readonly platformPolicy: aws.iam.Policy;
  readonly policyObject?: aws.s3.BucketObjectv2;
  /** Every policy attachment: the functions are created after them. */
  readonly attachments: aws.iam.RolePolicyAttachment[];
  readonly secretArns: pulumi.Input<string>[];
  readonly keyArns: pulumi.Input<string>[];
}

export function createRole(
  name: string,
  args: ResponderArgs,
  component: pulumi.ComponentResource,
  ingress: ResponderIngress,
  logs: { readonly respond: aws.cloudwatch.LogGroup; readonly approval: aws.cloudwatch.LogGroup },
): ResponderRole {
  const { ctx, config } = args;
  const parent = { parent: component };
  const tags = withTags(args.tags);
  const respondLogs = logs.respond;
  const approvalLogs = logs.approval;

  // --- Role and generated policies -------------------------------------------------------------------------
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      namePrefix: 'tourniquet-responder-',
      description: 'Tourniquet responder Lambda (permissions generated from the actions)',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    },
    parent,
  );

  const actionPolicyDocuments =
    args.actionPermissions.length === 0
      ? []
      : // The home Region is always a target: the platform's own GuardDuty calls happen there.
        packPolicyDocuments(rolePermissionStatements(args.actionPermissions, { partition: ctx.partition, regions: [...new Set([...args.regions, ctx.region])], accounts: [ctx.accountId] }), {
          label: 'responder action permissions',
          maxPolicies: MAX_ACTION_POLICIES,
        });
  const actionPolicies = actionPolicyDocuments.map(
    (doc, index) =>
      new aws.iam.Policy(
        `${name}-actions-${index + 1}`,
        {
          namePrefix: `tourniquet-actions-${index + 1}-`,
          description: `Tourniquet: permissions the containment actions declare (${index + 1}/${actionPolicyDocuments.length})`,
          policy: JSON.stringify(doc),
          tags,
        },
        parent,
      ),
  );

  let policyObject: aws.s3.BucketObjectv2 | undefined;
  if (args.policyFile !== undefined) {
    // Uploaded compiled (the normalized policy as JSON, src/policy/compiled-policy.ts): the Lambda reads it without
    // the YAML parser. The content hash in the key changes TOURNIQUET_POLICY, so a new policy reaches every new cold start.
    const compiled = compilePolicy(parsePolicy(args.policyFile.text, args.policyFile.source));
    const hash = createHash('sha256').update(compiled).digest('hex').slice(0, 16);
    policyObject = new aws.s3.BucketObjectv2(
      `${name}-policy-file`,
      {
        bucket: args.findings.bucketName,
        key: `config/tourniquet-policy-${hash}.json`,
        content: compiled,
        contentType: 'application/json',
        serverSideEncryption: 'aws:kms',
        kmsKeyId: args.findings.keyArn,
        tags,
      },
      parent,
    );
  }

  const secretArns = [args.notifications.approvalSecretArn, ...(args.notifications.slackSecretArn ? [args.notifications.slackSecretArn] : [])];
  const keyArns = [args.findings.keyArn, args.evidence.keyArn, args.dataKeyArn, ...(ingress.queueKey ? [ingress.queueKey.arn] : [])];
  const platformPolicy = new aws.iam.Policy(
    `${name}-platform`,
    {
      namePrefix: 'tourniquet-platform-',
      description: 'Tourniquet: queue, journal, evidence, keys, notifications, secrets, logs, member roles',
      policy: pulumi
        .output({
          queueArn: ingress.queue.arn,
          tableArn: args.journal.tableArn,
          evidenceBucketArn: args.evidence.bucketArn,
          findingsBucketArn: args.findings.bucketArn,
          findingsKeyArn: args.findings.keyArn,
          evidenceKeyArn: args.evidence.keyArn,
          dataKeyArn: args.dataKeyArn,
          queueKeyArn: ingress.queueKey?.arn,
          detectorArn: args.detectorArn,
          topicArn: args.notifications.topicArn,
          secretArns,
          logGroupArns: [respondLogs.arn, approvalLogs.arn],
          blocklistBucket: args.blocklist?.bucketName,
          policyBucket: policyObject?.bucket,
          policyKey: policyObject?.key,
          blocklistSetArn: args.blocklist?.setArn,
        })
        .apply((v) =>
          singleDocument(
            platformStatements({
              region: ctx.region,
              queueArns: [v.queueArn],
              tableArn: v.tableArn,
              evidenceBucketArn: v.evidenceBucketArn,
              findingsBucketArn: v.findingsBucketArn,
              findingsExportObjectsPrefix: args.findings.exportObjectsPrefix,
              blocklistObjectArns:
                v.blocklistBucket !== undefined && args.blocklist !== undefined
                  ? [`arn:${ctx.partition}:s3:::${v.blocklistBucket}/${args.blocklist.key}`]
                  : [],
              threatIntelSetArns: v.blocklistSetArn !== undefined ? [v.blocklistSetArn] : [],
              policyObjectArns:
                v.policyBucket !== undefined && v.policyKey !== undefined ? [`arn:${ctx.partition}:s3:::${v.policyBucket}/${v.policyKey}`] : [],
              detectorArn: v.detectorArn,
              findingsKeyArn: v.findingsKeyArn,
              evidenceKeyArn: v.evidenceKeyArn,
              dataKeyArn: v.dataKeyArn,
              ...(v.queueKeyArn !== undefined ? { queueKeyArn: v.queueKeyArn } : {}),
              topicArn: v.topicArn,
              secretArns: v.secretArns,
              logGroupArns: v.logGroupArns,
              memberRoleArns: args.memberRoleArns,
              ...(config.organizationId !== undefined ? { organizationId: config.organizationId } : {}),
            }),
            'platform',
          ),
        ),
      tags,
    },
    parent,
  );
  const attachments = [...actionPolicies, platformPolicy].map(
    (policy, index) => new aws.iam.RolePolicyAttachment(`${name}-attach-${index + 1}`, { role: role.name, policyArn: policy.arn }, parent),
  );

  return {
    role,
    actionPolicyDocuments,
    actionPolicies,
    platformPolicy,
    ...(policyObject !== undefined ? { policyObject } : {}),
    attachments,
    secretArns,
    keyArns,
  };
}


export interface SelfProtectionDeps {
  readonly role: aws.iam.Role;
  readonly respondFunction: aws.lambda.Function;
  readonly approvalFunction: aws.lambda.Function;
  readonly ingress: ResponderIngress;
  readonly keyArns: pulumi.Input<string>[];
  readonly secretArns: pulumi.Input<string>[];
  readonly respondLogs: aws.cloudwatch.LogGroup;
  readonly approvalLogs: aws.cloudwatch.LogGroup;
}

/** The explicit Deny on changing the responder's own resources, in the SELF_PROTECTION_GROUPS halves, attached to the role. */
export function createSelfProtection(
  name: string,
  args: ResponderArgs,
  component: pulumi.ComponentResource,
  deps: SelfProtectionDeps,
): { selfProtectionPolicies: aws.iam.Policy[]; selfProtectionAttachments: aws.iam.RolePolicyAttachment[] } {
  const { config } = args;
  const parent = { parent: component };
  const tags = withTags(args.tags);
  const { keyArns, secretArns, respondLogs, approvalLogs } = deps;

  const selfProtection = pulumi
    .output({
      roleArn: deps.role.arn,
      functionArns: [deps.respondFunction.arn, deps.approvalFunction.arn],
      queueArns: [deps.ingress.queue.arn, deps.ingress.deadLetterQueue.arn, deps.ingress.eventsDeadLetterQueue.arn],
      tableArn: args.journal.tableArn,
      findingsBucketArn: args.findings.bucketArn,
      evidenceBucketArn: args.evidence.bucketArn,
      keyArns,
      topicArn: args.notifications.topicArn,
      secretArns,
      ruleArn: deps.ingress.rule.arn,
      detectorArn: args.detectorArn,
      logGroupArns: [respondLogs.arn, approvalLogs.arn],
    })
    .apply((v) =>
      selfProtectionStatements({
        roleArns: [v.roleArn],
        protectedPrincipalArns: config.protectedPrincipalArns,
        functionArns: v.functionArns,
        queueArns: v.queueArns,
        tableArns: [v.tableArn],
        bucketArns: [v.findingsBucketArn, v.evidenceBucketArn],
        evidenceBucketArns: [v.evidenceBucketArn],
        keyArns: v.keyArns,
        topicArns: [v.topicArn],
        secretArns: v.secretArns,
        ruleArns: [v.ruleArn],
        detectorArns: [v.detectorArn],
        logGroupArns: v.logGroupArns,
      }),
    );
  // Two fixed halves (compute vs data), so each stays well inside the managed-policy size limit.
  const selfProtectionPolicies = SELF_PROTECTION_GROUPS.map(
    (group) =>
      new aws.iam.Policy(
        `${name}-self-protection-${group.id}`,
        {
          namePrefix: `tourniquet-self-protection-${group.id}-`,
          description: `Tourniquet: explicit Deny on changing the responder's own ${group.what}`,
          policy: selfProtection.apply((statements) =>
            singleDocument(
              statements.filter((s) => (group.sids as readonly string[]).includes(s.Sid ?? '')),
              `self-protection (${group.id})`,
            ),
          ),
          tags,
        },
        parent,
      ),
  );
  const selfProtectionAttachments = selfProtectionPolicies.map(
    (policy, index) =>
      new aws.iam.RolePolicyAttachment(`${name}-attach-self-protection-${index + 1}`, { role: deps.role.name, policyArn: policy.arn }, parent),
  );

  return { selfProtectionPolicies, selfProtectionAttachments };
}

/** One managed policy document (packPolicyDocuments throws a clear error when the statements outgrow it). */
export function singleDocument(statements: PolicyStatement[], label: string): string {
  const [doc] = packPolicyDocuments(statements, { label, maxPolicies: 1 });
  return JSON.stringify(doc ?? { Version: '2012-10-17', Statement: [] });
}
