/**
 * The composition root of the engine: real actions, the AWS client factory (AWS_ENDPOINT_URL honoured,
 * cross-account AssumeRole), evidence (local folder or S3) and the journal. The CLI, the Lambda, the demo and the
 * scenario tests all build their responder here, so they run the same engine.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { AnyAction } from '../actions/action.js';
import { getLoadedAction } from '../playbooks/loaded-playbooks.js';
import type { AwsClients, CallListener } from '../aws/clients.js';
import { createClientFactory } from '../aws/client-factory.js';
import { isTransientAwsError } from '../aws/transient-error.js';
import { openEvidence } from '../evidence/open-evidence.js';
import type { Journal } from '../journal/journal.js';
import type { Notifier } from '../notify/notification.js';
import type { PlaybookOptionsSource } from '../playbooks/registry.js';
import type { Policy } from '../policy/policy.js';
import type { Mode } from '../contracts/plan.js';
import { CallCollector } from './call-collector.js';
import { Responder } from './responder.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RetryOptions } from './retry.js';

export type EvidenceTarget =
  | { readonly dir: string }
  | { readonly s3Uri: string; readonly s3Client?: S3Client; readonly kmsKeyId?: string; readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number } };

export interface CreateResponderOptions {
  readonly journal: Journal;
  readonly policy: Policy;
  readonly evidence: EvidenceTarget;
  /** Default: $AWS_ENDPOINT_URL, else real AWS. */
  readonly endpoint?: string;
  /** Role assumed in member accounts (default TourniquetResponder). */
  readonly roleName?: string;
  /** The responder's own account, when known (default: asked of STS once, sts:GetCallerIdentity). */
  readonly callerAccountId?: string;
  readonly notifier?: Notifier;
  readonly onNotifyError?: (err: unknown) => void;
  /** No decision may go above this mode (e.g. `observe` for a first rollout). */
  readonly modeCeiling?: Mode;
  readonly playbookOptions?: PlaybookOptionsSource;
  /** ARNs of the responder's own principals (never contained). */
  readonly responderPrincipalArns?: readonly string[];
  /** Sees every AWS call (besides the per-step attribution that goes into the evidence). */
  readonly onCall?: CallListener;
  readonly now?: () => Date;
  readonly runnerId?: string;
  readonly retry?: RetryOptions;
  readonly actor?: string;
  /** Replaces the action registry (fault injection in tests). */
  readonly getAction?: (name: string) => AnyAction;
  /** Wraps each incident's AWS clients (benchmarks add latency or emulate AWS throttling at the SDK level). */
  readonly wrapClients?: (clients: AwsClients) => AwsClients;
  /** The engine's own per-service rate limiter (default: AWS's documented rates, `DEFAULT_RATE_LIMITS`). */
  readonly rateLimiter?: RateLimiter;
}

export function createResponder(o: CreateResponderOptions): Responder {
  const calls = new CallCollector();
  const factory = createClientFactory({
    endpoint: o.endpoint,
    roleNameTemplate: o.roleName,
    ...(o.callerAccountId !== undefined ? { callerAccountId: o.callerAccountId } : {}),
    onCall: (call) => {
      calls.record(call);
      o.onCall?.(call);
    },
    // The engine retries whole steps with backoff and jitter and records every attempt: the SDK's own retries are off.
    maxAttempts: 1,
  });
  const evidence = o.evidence;
  return new Responder({
    journal: o.journal,
    policy: o.policy,
    clientsFor: async (account, region, incidentId) => {
      const clients = await factory.forIncident(account, region, incidentId);
      return o.wrapClients ? o.wrapClients(clients) : clients;
    },
    evidenceFor: (caseId) => openEvidence(caseId, 'dir' in evidence ? { dir: evidence.dir } : evidence),
    getAction: o.getAction ?? getLoadedAction,
    isTransient: isTransientAwsError,
    calls,
    notifier: o.notifier,
    onNotifyError: o.onNotifyError,
    modeCeiling: o.modeCeiling,
    now: o.now,
    runnerId: o.runnerId,
    responderPrincipalArns: o.responderPrincipalArns,
    playbookOptions: o.playbookOptions,
    retry: o.retry,
    actor: o.actor,
    rateLimiter: o.rateLimiter,
  });
}
