/**
 * The Tourniquet stack, as a factory: `createTourniquetStack()` builds every component and returns the stack
 * outputs. infra/index.ts (the Pulumi entry) calls it; tests call it after `pulumi.runtime.setMocks`.
 *
 * Central stack (default): detector → findings export (key, bucket, destination) → threat lists → evidence store →
 * data key → journal → notifications → responder. Member stack (`memberAccountMode: true`): only the role the
 * central responder assumes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type { IamPermission } from '../src/actions/action.js';
import { actionPermissions } from '../src/actions/registry.js';
import { LIVE_TAG_PERMISSIONS } from '../src/engine/live-tags.js';
import { TourniquetError } from '../src/errors.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { buildLambdaBundle, formatBundleReport, INFRA_DIR, LAMBDA_ENTRIES } from './build-bundle.js';
import { loadTourniquetConfig, slackWebhookUrlSecret } from './config.js';
import type { TourniquetConfig } from './config.js';
import { BedrockInvocationLogging } from './components/bedrock-invocation-logging.js';
import { lookupArnContext } from './components/common.js';
import type { ArnContext } from './components/common.js';
import { GuardDutyDetector } from './components/detector.js';
import { EvidenceStore } from './components/evidence-store.js';
import { FindingsExport } from './components/findings-export.js';
import { JournalTable } from './components/journal-table.js';
import { MemberAccountRole } from './components/member-account-role.js';
import { Notifications } from './components/notifications.js';
import { Responder } from './components/responder.js';
import { ResponderKey } from './components/responder-key.js';
import { RESPONDER_BLOCKLIST_KEY, ThreatLists } from './components/threat-lists.js';
import { readIpListFile } from './lists/validate-list.js';
import type { ValidatedList } from './lists/validate-list.js';

export interface StackOptions {
  /** Validated configuration (default: read from the stack's `tourniquet:*` config). */
  readonly config?: TourniquetConfig;
  /** Account, Region and partition (default: getCallerIdentity / getRegion / getPartition). */
  readonly ctx?: ArnContext;
  /** Lambda bundle folder (default: `lambdaBundleDir` config, else bundled now with esbuild). */
  readonly bundleDir?: string;
  /** The actions' permissions (default: src/actions/registry.ts `actionPermissions()` and the engine's live tag reads). */
  readonly actionPermissions?: readonly IamPermission[];
  /** Slack webhook URL secret (default: the `tourniquet:slackWebhookUrl` secret config, if set). */
  readonly slackWebhookUrl?: pulumi.Output<string>;
  /** Folder list-file paths are relative to (default: infra/). */
  readonly infraDir?: string;
}

export type StackOutputs = Record<string, pulumi.Input<unknown>>;

export async function createTourniquetStack(options: StackOptions = {}): Promise<StackOutputs> {
  const config = options.config ?? loadTourniquetConfig();
  const ctx = options.ctx ?? (await lookupArnContext());
  // The actions' permissions, and the engine's live read of the exemption tag before each decision.
  const permissions = options.actionPermissions ?? [...actionPermissions(), ...LIVE_TAG_PERMISSIONS];
  const infraDir = options.infraDir ?? INFRA_DIR;
  const regions = config.targetRegions.length > 0 ? config.targetRegions : [ctx.region];
  const tags = config.tags;

  if (config.memberAccountMode) {
    const member = new MemberAccountRole('member-role', {
      ctx,
      roleName: config.memberRoleName,
      responderRoleArn: config.responderRoleArn ?? '',
      ...(config.memberExternalId !== undefined ? { externalId: config.memberExternalId } : {}),
      actionPermissions: permissions,
      regions,
      protectedPrincipalArns: config.protectedPrincipalArns,
      tags,
    });
    return { memberRoleArn: member.roleArn, memberRoleName: config.memberRoleName };
  }

  // Fail before planning anything when a list file is invalid or the bundle cannot be built.
  const lists = await readLists(config, infraDir);
  const bundleDir = await resolveBundleDir(config, options.bundleDir, infraDir);
  const policyFile = await readPolicyFile(config, infraDir);

  const detector = new GuardDutyDetector('detector', {
    ctx,
    ...(config.existingDetectorId !== undefined ? { existingDetectorId: config.existingDetectorId } : {}),
    existingDetectorMode: config.existingDetectorMode,
    findingPublishingFrequency: config.findingPublishingFrequency,
    features: config.features,
    runtimeMonitoring: config.runtimeMonitoring,
    tags,
  });

  const findings = new FindingsExport('findings', {
    ctx,
    detectorId: detector.detectorId,
    detectorArn: detector.detectorArn,
    exportPrefix: config.findingsExportPrefix,
    transitionDays: config.findingsTransitionDays,
    expirationDays: config.findingsExpirationDays,
    allowListReads: config.manageThreatLists || config.manageTrustedIpList,
    forceDestroy: !config.protectData,
    tags,
  });

  const threatLists = new ThreatLists('threat-lists', {
    detectorId: detector.detectorId,
    bucketName: findings.bucketName,
    kmsKeyArn: findings.keyArn,
    ...(lists.threatIntel !== undefined ? { threatIntel: lists.threatIntel } : {}),
    ...(lists.trustedIps !== undefined ? { trustedIps: lists.trustedIps } : {}),
    responderBlocklist: config.manageThreatLists,
    dependsOn: [findings.bucket.policy, findings.bucket.encryption, findings.key],
    tags,
  });

  const evidence = new EvidenceStore('evidence', {
    ctx,
    objectLockMode: config.evidenceObjectLockMode,
    retentionDays: config.evidenceRetentionDays,
    forceDestroy: !config.protectData,
    tags,
  });

  const dataKey = new ResponderKey('data-key', { ctx, tags });
  const journal = new JournalTable('tourniquet-journal', { kmsKeyArn: dataKey.keyArn, deletionProtection: config.protectData, tags });
  const slackWebhookUrl = options.slackWebhookUrl ?? slackWebhookUrlSecret();
  const notifications = new Notifications('notifications', {
    kmsKeyArn: dataKey.keyArn,
    emails: config.notificationEmails,
    slackWebhook: config.slackWebhook,
    ...(slackWebhookUrl !== undefined ? { slackWebhookUrl } : {}),
    recoveryWindowInDays: config.protectData ? 30 : 0,
    tags,
  });

  const memberRoleArns =
    config.memberAccountIds.length > 0
      ? config.memberAccountIds.map((id) => `arn:${ctx.partition}:iam::${id}:role/${config.memberRoleName}`)
      : [`arn:${ctx.partition}:iam::*:role/${config.memberRoleName}`];

  const bedrockLogging = config.bedrockInvocationLogging
    ? new BedrockInvocationLogging('bedrock-invocation-logging', { ctx, retentionDays: config.logRetentionDays, tags })
    : undefined;
  const blocklistSet = threatLists.blocklistSet;
  const responder = new Responder('tourniquet', {
    ctx,
    config,
    bundleDir,
    detectorId: detector.detectorId,
    detectorArn: detector.detectorArn,
    findings: {
      bucketName: findings.bucketName,
      bucketArn: findings.bucketArn,
      keyArn: findings.keyArn,
      exportObjectsPrefix: findings.exportObjectsPrefix,
    },
    evidence: {
      bucketName: evidence.bucketName,
      bucketArn: evidence.bucketArn,
      keyArn: evidence.keyArn,
      objectLockMode: config.evidenceObjectLockMode,
      retentionDays: config.evidenceRetentionDays,
    },
    journal: { tableName: journal.tableName, tableArn: journal.tableArn },
    dataKeyArn: dataKey.keyArn,
    notifications: {
      topicArn: notifications.topicArn,
      ...(notifications.slackSecret !== undefined ? { slackSecretArn: notifications.slackSecret.arn } : {}),
      approvalSecretArn: notifications.approvalSecret.arn,
    },
    ...(blocklistSet !== undefined
      ? {
          blocklist: {
            bucketName: findings.bucketName,
            key: RESPONDER_BLOCKLIST_KEY,
            setId: blocklistSet.threatIntelSetId,
            setArn: blocklistSet.arn,
          },
        }
      : {}),
    ...(bedrockLogging !== undefined ? { bedrockInvocationLogging: { logGroupName: bedrockLogging.logGroupName, roleArn: bedrockLogging.roleArn } } : {}),
    ...(policyFile !== undefined ? { policyFile } : {}),
    actionPermissions: permissions,
    regions,
    memberRoleArns,
    tags,
  });

  return {
    mode: config.mode,
    detectorId: detector.detectorId,
    detectorArn: detector.detectorArn,
    findingsBucketName: findings.bucketName,
    findingsBucketArn: findings.bucketArn,
    findingsKmsKeyArn: findings.keyArn,
    findingsExportPrefix: findings.exportObjectsPrefix,
    threatIntelSetId: threatLists.threatIntelSet?.threatIntelSetId,
    responderBlocklistSetId: threatLists.blocklistSet?.threatIntelSetId,
    responderBlocklistKey: threatLists.blocklistObject !== undefined ? RESPONDER_BLOCKLIST_KEY : undefined,
    trustedIpSetId: threatLists.trustedSet?.ipSetId,
    responderQueueUrl: responder.queue.url,
    responderDlqUrl: responder.deadLetterQueue.url,
    eventsDlqUrl: responder.eventsDeadLetterQueue.url,
    findingsRuleArn: responder.rule.arn,
    journalTableName: journal.tableName,
    evidenceBucketName: evidence.bucketName,
    evidenceBucketArn: evidence.bucketArn,
    evidenceKmsKeyArn: evidence.keyArn,
    notificationsTopicArn: notifications.topicArn,
    slackWebhookSecretArn: notifications.slackSecret?.arn,
    approvalSecretArn: notifications.approvalSecret.arn,
    approvalUrl: responder.approvalUrl.functionUrl,
    responderFunctionName: responder.respondFunction.name,
    approvalFunctionName: responder.approvalFunction.name,
    responderRoleArn: responder.role.arn,
    responderPolicyUri: responder.policyObject !== undefined ? pulumi.interpolate`s3://${responder.policyObject.bucket}/${responder.policyObject.key}` : undefined,
  };
}

async function readLists(config: TourniquetConfig, infraDir: string): Promise<{ threatIntel?: ValidatedList; trustedIps?: ValidatedList }> {
  const resolvePath = (p: string): string => (isAbsolute(p) ? p : join(infraDir, p));
  const out: { threatIntel?: ValidatedList; trustedIps?: ValidatedList } = {};
  if (config.manageThreatLists) {
    out.threatIntel = await readIpListFile(resolvePath(config.threatIntelListFile), { kind: 'threat', source: config.threatIntelListFile });
  }
  if (config.manageTrustedIpList) {
    out.trustedIps = await readIpListFile(resolvePath(config.trustedIpListFile), { kind: 'trusted', source: config.trustedIpListFile });
  }
  for (const list of [out.threatIntel, out.trustedIps]) {
    if (list === undefined) continue;
    for (const warning of list.warnings) void pulumi.log.warn(warning);
    if (list.entries.length === 0) void pulumi.log.warn(`${list.source}: the list is empty; its GuardDuty set is not created`);
  }
  return out;
}

/** Reads and validates the policy file (PolicyError names the line), so a bad policy fails the deploy. */
async function readPolicyFile(config: TourniquetConfig, infraDir: string): Promise<{ text: string; source: string } | undefined> {
  if (config.policyFile === undefined) return undefined;
  const path = isAbsolute(config.policyFile) ? config.policyFile : join(infraDir, config.policyFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TourniquetError('infra.policy-missing', `cannot read the policy file ${config.policyFile} (${path})`, { cause });
  }
  parsePolicy(text, config.policyFile);
  return { text, source: config.policyFile };
}

async function resolveBundleDir(config: TourniquetConfig, given: string | undefined, infraDir: string): Promise<string> {
  if (given !== undefined) return given;
  if (config.lambdaBundleDir !== undefined) {
    const dir = isAbsolute(config.lambdaBundleDir) ? config.lambdaBundleDir : join(infraDir, config.lambdaBundleDir);
    const missing = Object.keys(LAMBDA_ENTRIES).filter((stem) => !existsSync(join(dir, `${stem}.mjs`)));
    if (missing.length > 0) {
      throw new TourniquetError(
        'infra.bundle-missing',
        `tourniquet:lambdaBundleDir ${config.lambdaBundleDir}: missing ${missing.map((m) => `${m}.mjs`).join(', ')} (build with: node --import tsx infra/build-bundle.ts)`,
      );
    }
    return dir;
  }
  try {
    const result = await buildLambdaBundle();
    void pulumi.log.info(formatBundleReport(result));
    return result.outdir;
  } catch (cause) {
    if (cause instanceof TourniquetError) throw cause;
    throw new TourniquetError('infra.bundle-failed', `cannot build the Lambda bundle: ${String(cause)}`, { cause });
  }
}
