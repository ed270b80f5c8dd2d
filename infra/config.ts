/**
 * Stack configuration (`pulumi config set tourniquet:<key> <value>`), validated with one schema so a typo or a bad
 * value fails before any resource is planned. Every key has a documented default; see Pulumi.example.yaml.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { TourniquetError } from '../src/errors.js';
import { byteSizeSchema } from '../src/findings/input-limits.js';
import { PLAYBOOKS } from '../src/playbooks/playbook-list.js';
import { playbookOptionsIssues } from '../src/playbooks/playbook-options.js';

export const PROJECT = 'tourniquet';

const accountId = z.string().regex(/^[0-9]{12}$/, 'a 12-digit AWS account id');
const arn = z.string().regex(/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:.+$/, 'an ARN');

export const configSchema = z
  .strictObject({
    /** Deploy only the member-account role (one stack per member account) instead of the central responder. */
    memberAccountMode: z.boolean().default(false),

    // --- Detector ------------------------------------------------------------------------------------------
    /** Use this detector instead of creating one (GuardDuty is often on already, or run by a delegated admin). */
    existingDetectorId: z.string().regex(/^[A-Za-z0-9]{1,300}$/, 'a GuardDuty detector id').optional(),
    /**
     * With `existingDetectorId`: `reference` (default) only uses the id: nothing about the detector is changed and
     * destroying the stack leaves it alone. `manage` imports it (retained on destroy) so frequency and features
     * below apply.
     */
    existingDetectorMode: z.enum(['reference', 'manage']).default('reference'),
    /** How often updated findings are re-published; FIFTEEN_MINUTES so later occurrences reach the responder soon. */
    findingPublishingFrequency: z.enum(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS']).default('FIFTEEN_MINUTES'),
    /**
     * Protection plans. Each is set explicitly ENABLED or DISABLED (CreateDetector enables every optional plan except
     * Runtime Monitoring when none is given). Runtime Monitoring is off by default: it deploys the GuardDuty agent.
     */
    features: z
      .strictObject({
        S3_DATA_EVENTS: z.boolean().default(true),
        EKS_AUDIT_LOGS: z.boolean().default(true),
        EBS_MALWARE_PROTECTION: z.boolean().default(true),
        RDS_LOGIN_EVENTS: z.boolean().default(true),
        LAMBDA_NETWORK_LOGS: z.boolean().default(true),
        RUNTIME_MONITORING: z.boolean().default(false),
        AI_PROTECTION: z.boolean().default(true),
      })
      .prefault({}),
    /** Agent management for RUNTIME_MONITORING (ignored while it is disabled). */
    runtimeMonitoring: z
      .strictObject({
        eksAddonManagement: z.boolean().default(true),
        ecsFargateAgentManagement: z.boolean().default(true),
        ec2AgentManagement: z.boolean().default(true),
      })
      .prefault({}),

    // --- Threat lists --------------------------------------------------------------------------------------
    /** Create the threat lists (needs the GuardDuty administrator account; turn off in a member of an organisation). */
    manageThreatLists: z.boolean().default(true),
    /** Create the trusted IP list (only one may exist per account and Region). */
    manageTrustedIpList: z.boolean().default(true),
    /** Paths relative to infra/. */
    threatIntelListFile: z.string().min(1).default('lists/threat-intel.txt'),
    trustedIpListFile: z.string().min(1).default('lists/trusted-ips.txt'),

    // --- Findings export -----------------------------------------------------------------------------------
    /** Folder for GuardDuty's export inside the findings bucket; '' exports to `AWSLogs/<account>/GuardDuty/…`. */
    findingsExportPrefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*)?$/, 'a folder name without leading or trailing "/"')
      .default(''),
    findingsTransitionDays: z.number().int().min(1).default(90),
    findingsExpirationDays: z.number().int().min(2).default(365),

    // --- Responder -----------------------------------------------------------------------------------------
    /** Mode the responder starts in (TOURNIQUET_MODE): observe plans and journals only. */
    mode: z.enum(['observe', 'approve', 'contain']).default('observe'),
    /**
     * EventBridge severity threshold (GuardDuty severity ≥ this reaches the queue). 4 = Medium and above. AI-related
     * types and the types the policy acts on pass below it (src/policy/finding-intake.ts).
     */
    severityThreshold: z.number().min(1).max(10).default(4),
    /** Restrict the rule to these finding-type prefixes (e.g. "CryptoCurrency:"); empty = every type. */
    findingTypePrefixes: z.array(z.string().min(1)).default([]),
    /** Also accept synthetic findings from `tourniquet drill` (EventBridge source `tourniquet.drill`). */
    drillEvents: z.boolean().default(false),
    /** Queue encryption: SQS-managed SSE, or a customer-managed KMS key (key policy admits EventBridge and S3). */
    queueEncryption: z.enum(['SQS_MANAGED', 'KMS']).default('SQS_MANAGED'),
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    batchSize: z.number().int().min(1).max(10_000).default(10),
    maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
    /** Event source mapping maximum concurrency (2–1000). */
    maxConcurrency: z.number().int().min(2).max(1000).default(5),
    lambdaMemoryMb: z.number().int().min(128).max(10_240).default(1024),
    lambdaTimeoutSeconds: z.number().int().min(10).max(900).default(120),
    approvalTimeoutSeconds: z.number().int().min(3).max(900).default(30),
    /** Longest export line and most bytes an export object may unpack to: `32MiB`, `2GiB` or bytes. Unset: 16 MiB, 1 GiB. */
    maxLineBytes: z.union([z.number(), z.string()]).transform(String).pipe(byteSizeSchema('maxLineBytes')).optional(),
    maxDecompressedBytes: z.union([z.number(), z.string()]).transform(String).pipe(byteSizeSchema('maxDecompressedBytes')).optional(),
    /** Reserved concurrency of the public approval function (unset: none; accounts with a 10 limit cannot reserve). */
    approvalReservedConcurrency: z.number().int().min(1).optional(),
    logRetentionDays: z.number().int().min(1).default(90),
    /** EventBridge target retry policy. */
    eventMaxAgeSeconds: z.number().int().min(60).max(86_400).default(86_400),
    eventMaxRetryAttempts: z.number().int().min(0).max(185).default(185),
    /** Regions the responder acts in (expands `${Region}` in action permissions); default: the stack's Region. */
    targetRegions: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'a Region name')).default([]),
    /**
     * Tourniquet policy file (YAML, relative to infra/, e.g. ../examples/tourniquet.yaml): validated at deploy time,
     * uploaded to the findings bucket and passed as TOURNIQUET_POLICY. Unset: the built-in policy.
     */
    policyFile: z.string().min(1).optional(),
    /**
     * Options per playbook (`{"ec2-instance": {"isolationSettleSeconds": 5}}`), validated against each playbook's
     * schema at deploy time and passed as TOURNIQUET_PLAYBOOK_OPTIONS. Rules' `options:` override them key by key.
     */
    playbookOptions: z.record(z.string(), z.unknown()).default({}),
    /**
     * Create a CloudWatch log group and a role Bedrock assumes to write it, and give them to the responder as the
     * default destination of Bedrock model invocation logs (used when a finding's check finds logging off).
     */
    bedrockInvocationLogging: z.boolean().default(false),
    /** Prebuilt Lambda bundle folder (relative to infra/); unset: bundle src/lambda with esbuild at deploy time. */
    lambdaBundleDir: z.string().min(1).optional(),

    // --- Evidence and journal ------------------------------------------------------------------------------
    evidenceObjectLockMode: z.enum(['GOVERNANCE', 'COMPLIANCE']).default('GOVERNANCE'),
    evidenceRetentionDays: z.number().int().min(1).max(36_500).default(365),
    /** DynamoDB deletion protection and no force-destroy on buckets. Turn off only for throwaway stacks. */
    protectData: z.boolean().default(true),

    // --- Notifications -------------------------------------------------------------------------------------
    notificationEmails: z.array(z.email()).default([]),
    /** Create the Slack webhook secret (value set out of band, or from the secret config `slackWebhookUrl`). */
    slackWebhook: z.boolean().default(true),

    // --- Accounts and principals ---------------------------------------------------------------------------
    /** Member accounts whose role the responder may assume (empty: any account's role of that name in the org). */
    memberAccountIds: z.array(accountId).default([]),
    memberRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name').default('TourniquetResponder'),
    /** Optional sts:ExternalId required by the member roles. */
    memberExternalId: z.string().min(2).max(1224).optional(),
    /** AWS Organization id; narrows sts:AssumeRole to roles in it (aws:ResourceOrgID). */
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id (o-…)').optional(),
    /** Break-glass and other principals the responder must never change (explicit Deny). */
    protectedPrincipalArns: z.array(arn).default([]),

    // --- Member mode ---------------------------------------------------------------------------------------
    /** Member mode: the central responder's role ARN (output `responderRoleArn` of the central stack). */
    responderRoleArn: arn.optional(),

    /** Tags on every resource that takes tags. */
    tags: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((c, ctx) => {
    if (c.memberAccountMode && c.responderRoleArn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['responderRoleArn'], message: 'required when memberAccountMode is true' });
    }
    if (c.batchSize > 10 && c.maxBatchingWindowSeconds < 1) {
      ctx.addIssue({ code: 'custom', path: ['maxBatchingWindowSeconds'], message: 'must be at least 1 when batchSize is above 10 (SQS rule)' });
    }
    for (const issue of playbookOptionsIssues(c.playbookOptions, PLAYBOOKS)) {
      ctx.addIssue({ code: 'custom', path: ['playbookOptions', ...issue.path.split('.')], message: issue.message });
    }
    const ec2Options = c.playbookOptions['ec2-instance'];
    if (c.manageThreatLists && ec2Options !== null && typeof ec2Options === 'object' && 'blocklist' in ec2Options) {
      ctx.addIssue({
        code: 'custom',
        path: ['playbookOptions', 'ec2-instance', 'blocklist'],
        message: 'set by the program from the managed threat list while manageThreatLists is true; remove it here',
      });
    }
    if (c.findingsExpirationDays <= c.findingsTransitionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['findingsExpirationDays'],
        message: `must be greater than findingsTransitionDays (${c.findingsTransitionDays})`,
      });
    }
  });

export type TourniquetConfig = z.output<typeof configSchema>;
export type RawTourniquetConfig = z.input<typeof configSchema>;

/** Keys whose values are plain strings in Pulumi config (everything else is JSON: numbers, booleans, objects). */
const STRING_KEYS: ReadonlySet<string> = new Set([
  'existingDetectorId',
  'existingDetectorMode',
  'findingPublishingFrequency',
  'threatIntelListFile',
  'trustedIpListFile',
  'findingsExportPrefix',
  'mode',
  'queueEncryption',
  'lambdaBundleDir',
  'policyFile',
  'evidenceObjectLockMode',
  'memberRoleName',
  'memberExternalId',
  'organizationId',
  'responderRoleArn',
]);

/** Secret keys read with getSecret, never through the schema (their value must stay an Output secret). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['slackWebhookUrl']);

/** Validates raw configuration. Throws one TourniquetError listing every problem with its `tourniquet:` key. */
export function parseTourniquetConfig(raw: Record<string, unknown>): TourniquetConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const where = path === '' ? '' : `${path}.`;
      return issue.keys.map((k) => `  ${PROJECT}:${where}${k}: unknown key (see infra/Pulumi.example.yaml for the keys)`);
    }
    return [`  ${path === '' ? '(config)' : `${PROJECT}:${path}`}: ${issue.message}`];
  });
  throw new TourniquetError('infra.config-invalid', `invalid stack configuration:\n${lines.join('\n')}`);
}

/** Reads every `tourniquet:*` key of the current stack and validates it. */
export function loadTourniquetConfig(): TourniquetConfig {
  const raw: Record<string, unknown> = {};
  const all = pulumi.runtime.allConfig();
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const key = fullKey.slice(PROJECT.length + 1);
    if (SECRET_KEYS.has(key)) continue;
    raw[key] = STRING_KEYS.has(key) ? value : decodeJson(value);
  }
  return parseTourniquetConfig(raw);
}

/** The Slack webhook URL when given as a secret config value (`pulumi config set --secret tourniquet:slackWebhookUrl`). */
export function slackWebhookUrlSecret(): pulumi.Output<string> | undefined {
  return new pulumi.Config(PROJECT).getSecret('slackWebhookUrl');
}

function decodeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Not JSON: keep the text; the schema then reports the expected type.
    return value;
  }
}
