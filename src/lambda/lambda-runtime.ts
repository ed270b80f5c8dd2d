/**
 * What a warm Lambda keeps between invocations: the journal client, the policy, the responder. Built once per
 * cold start from the validated environment.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createClientFactory } from '../aws/client-factory.js';
import type { AwsClientLookup } from '../aws/clients.js';
import { createResponder } from '../engine/create-responder.js';
import type { Responder } from '../engine/responder.js';
import type { Journal } from '../journal/journal.js';
import { openJournal } from '../journal/open-journal.js';
import { approvalUrl, signApproval } from '../notify/approval-link.js';
import type { IncidentNotification, Notifier } from '../notify/notification.js';
import { RoutingNotifier, type Route } from '../notify/routing-notifier.js';
import { SlackNotifier } from '../notify/slack-notifier.js';
import { lazySnsNotifier } from './lazy-sns-notifier.js';
import type { Policy } from '../policy/policy.js';
import { lambdaPlaybookOptions } from './lambda-playbook-options.js';
import { loadLambdaPolicy } from './lambda-policy.js';
import { lambdaIntake } from './lambda-intake.js';
import type { FindingIntake } from '../policy/finding-intake.js';
import type { LambdaConfig } from './lambda-config.js';

export interface LambdaRuntime {
  readonly config: LambdaConfig;
  readonly responder: Responder;
  readonly journal: Journal;
  readonly policy: Policy;
  readonly s3: S3Client;
  readonly secret: (arn: string) => Promise<string | undefined>;
  /** Which findings are handled (the findings rule's logic); absent: all. */
  readonly intake?: FindingIntake;
}

export async function buildLambdaRuntime(config: LambdaConfig, onNotifyError: (err: unknown) => void): Promise<LambdaRuntime> {
  // The Lambda's own account and Region (AWS_REGION), AWS_ENDPOINT_URL honoured: the factory's user agent and recorder.
  const aws = createClientFactory().own();
  const s3 = aws(S3Client);
  const cache = new Map<string, Promise<string | undefined>>();
  const secret = (arn: string): Promise<string | undefined> => {
    let p = cache.get(arn);
    if (!p) {
      // Secrets Manager is loaded on the first secret read (its own bundle chunk): most findings read none.
      p = import('@aws-sdk/client-secrets-manager')
        .then(({ GetSecretValueCommand, SecretsManagerClient }) => aws(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: arn })))
        .then(
          (r) => r.SecretString?.trim() || undefined,
          (err: unknown) => {
            // A secret created without a value (the Slack webhook until someone sets it) means "not configured".
            if (err instanceof Error && err.name === 'ResourceNotFoundException') return undefined;
            throw err;
          },
        );
      cache.set(arn, p);
      p.catch(() => cache.delete(arn)); // retry on the next invocation, but the caller still sees the error
    }
    return p;
  };
  // Independent: the options' playbooks load while the policy is read from S3.
  const [playbookOptions, policy] = await Promise.all([lambdaPlaybookOptions(config), loadLambdaPolicy(config.TOURNIQUET_POLICY, s3)]);
  // The table is the infrastructure's: never created (nor described) from here. A missing table fails the first
  // write of each message, which SQS then retries and dead-letters, instead of a table created without its settings.
  const journal = await openJournal({ tableName: config.TOURNIQUET_JOURNAL_TABLE, ensureTable: false, clients: aws });
  // The function runs as the responder role: its account is the caller's (no GetCallerIdentity, and no STS code
  // loaded unless a member account's role is assumed).
  const ownAccount = responderAccount(config.TOURNIQUET_RESPONDER_ROLE_ARN);
  const responder = createResponder({
    journal,
    policy,
    evidence: {
      s3Uri: `s3://${config.TOURNIQUET_EVIDENCE_BUCKET}/${config.TOURNIQUET_EVIDENCE_PREFIX}`,
      s3Client: s3,
      ...(config.TOURNIQUET_EVIDENCE_KMS_KEY_ID ? { kmsKeyId: config.TOURNIQUET_EVIDENCE_KMS_KEY_ID } : {}),
      ...(config.TOURNIQUET_OBJECT_LOCK_MODE && config.TOURNIQUET_OBJECT_LOCK_DAYS
        ? { objectLock: { mode: config.TOURNIQUET_OBJECT_LOCK_MODE, days: config.TOURNIQUET_OBJECT_LOCK_DAYS } }
        : {}),
    },
    roleName: config.TOURNIQUET_ROLE_NAME,
    ...(ownAccount !== undefined ? { callerAccountId: ownAccount } : {}),
    notifier: buildNotifier(config, secret, aws),
    onNotifyError,
    modeCeiling: config.TOURNIQUET_MODE,
    responderPrincipalArns: config.TOURNIQUET_RESPONDER_ROLE_ARN ? [config.TOURNIQUET_RESPONDER_ROLE_ARN] : [],
    actor: 'tourniquet-lambda',
    playbookOptions,
  });
  const intake = lambdaIntake(config, policy);
  return { config, responder, journal, policy, s3, secret, ...(intake !== undefined ? { intake } : {}) };
}

function buildNotifier(config: LambdaConfig, secret: (arn: string) => Promise<string | undefined>, aws: AwsClientLookup): Notifier | undefined {
  const routes: Route[] = [];
  const linksFor = async (n: IncidentNotification): Promise<Array<{ stepId: string; approveUrl: string; denyUrl: string }>> => {
    if (!config.TOURNIQUET_APPROVAL_URL || !config.TOURNIQUET_APPROVAL_SECRET_ARN || n.waiting.length === 0) return [];
    const key = await secret(config.TOURNIQUET_APPROVAL_SECRET_ARN);
    if (!key) return [];
    const expiresAt = Math.floor(Date.now() / 1000) + config.TOURNIQUET_APPROVAL_TTL_MINUTES * 60;
    return ['*', ...n.waiting].map((stepId) => ({
      stepId,
      approveUrl: approvalUrl(config.TOURNIQUET_APPROVAL_URL!, signApproval({ incidentId: n.incidentId, stepId, decision: 'approve', expiresAt }, key)),
      denyUrl: approvalUrl(config.TOURNIQUET_APPROVAL_URL!, signApproval({ incidentId: n.incidentId, stepId, decision: 'deny', expiresAt }, key)),
    }));
  };
  if (config.TOURNIQUET_TOPIC_ARN) {
    const lines = async (n: IncidentNotification): Promise<string[]> =>
      (await linksFor(n)).map((l) => `${l.stepId === '*' ? 'all containment steps' : l.stepId}: approve ${l.approveUrl}  deny ${l.denyUrl}`);
    const sns = lazySnsNotifier(aws, config.TOURNIQUET_TOPIC_ARN, lines);
    routes.push({ name: 'email', notifier: sns, minSeverity: config.TOURNIQUET_EMAIL_MIN_SEVERITY });
  }
  if (config.TOURNIQUET_SLACK_SECRET_ARN) {
    const arn = config.TOURNIQUET_SLACK_SECRET_ARN;
    const slack = new SlackNotifier(() => secret(arn), async (n) => ({ approvals: await linksFor(n) }));
    routes.push({ name: 'slack', notifier: slack, minSeverity: config.TOURNIQUET_SLACK_MIN_SEVERITY });
  }
  return routes.length ? new RoutingNotifier(routes) : undefined;
}

/** The account of the responder role's ARN (`arn:<partition>:iam::<account>:role/<name>`), if it is one. */
export function responderAccount(roleArn: string | undefined): string | undefined {
  return roleArn === undefined ? undefined : /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}
