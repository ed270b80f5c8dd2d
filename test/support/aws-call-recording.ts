/**
 * Records the AWS calls each action makes in the moto integration tests, through the project's call recorder
 * (src/aws/call-recorder.ts), and with `TOURNIQUET_RECORD_AWS_CALLS=1` writes them as fixtures
 * (test/infra/fixtures/aws-calls/<action>.json) for the IAM evaluator test (test/infra/iam-evaluator.test.ts), which
 * checks that the generated roles allow every one of them. Calls of the same operation with the same input shape
 * are recorded once.
 *
 *   TOURNIQUET_RECORD_AWS_CALLS=1 npx vitest run test/integration/actions-ec2.test.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EKSClient } from '@aws-sdk/client-eks';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { attachCallRecorder } from '../../src/aws/call-recorder.js';
import type { AwsClients, CallRecord } from '../../src/aws/clients.js';

export const RECORD_AWS_CALLS_ENV = 'TOURNIQUET_RECORD_AWS_CALLS';
export const AWS_CALL_FIXTURES_DIR = join(import.meta.dirname, '..', 'infra', 'fixtures', 'aws-calls');

/** One recorded call: the IAM service prefix, the API operation, the input as sent (secrets redacted). */
export interface RecordedCall {
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  /** The AWS error, when the call failed (IAM authorised it all the same). */
  readonly error?: string;
}

export interface AwsCallFixture {
  readonly action: string;
  /** Where the calls come from: a test file run against moto_server, or `listed` with the reason. */
  readonly source: string;
  readonly calls: RecordedCall[];
  /** Resources the action created, with the tags it created them with (id → tags): what later calls find on them. */
  readonly created: Record<string, Record<string, string>>;
}

const byAction = new Map<string, Map<string, RecordedCall>>();
const createdByAction = new Map<string, Record<string, Record<string, string>>>();

/** Ids a create call returned, for the operations Tourniquet creates tagged resources with. */
function createdIds(operation: string, output: Record<string, unknown>): string[] {
  const o = output as { GroupId?: string; NetworkAcl?: { NetworkAclId?: string }; Snapshots?: Array<{ SnapshotId?: string }>; SnapshotId?: string };
  if (operation === 'CreateSecurityGroupCommand') return o.GroupId !== undefined ? [o.GroupId] : [];
  if (operation === 'CreateNetworkAclCommand') return o.NetworkAcl?.NetworkAclId !== undefined ? [o.NetworkAcl.NetworkAclId] : [];
  if (operation === 'CreateSnapshotsCommand') return (o.Snapshots ?? []).flatMap((s) => (s.SnapshotId !== undefined ? [s.SnapshotId] : []));
  if (operation === 'CreateSnapshotCommand') return o.SnapshotId !== undefined ? [o.SnapshotId] : [];
  return [];
}

function requestTags(input: unknown): Record<string, string> {
  const specs = (input as { TagSpecifications?: Array<{ Tags?: Array<{ Key?: string; Value?: string }> }> }).TagSpecifications ?? [];
  return Object.fromEntries(specs.flatMap((s) => s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** Attaches the call recorder to every client of `clients`; each call is filed under `actionOf()` at call time. */
export function recordAwsCalls(clients: AwsClients, actionOf: () => string): void {
  const listener = (call: CallRecord): void => {
    const action = actionOf();
    if (action === '') return;
    const calls = byAction.get(action) ?? new Map<string, RecordedCall>();
    const key = `${call.service}:${call.operation}:${inputShape(call.input).join(',')}`;
    if (!calls.has(key)) {
      calls.set(key, { service: call.service, operation: call.operation, input: call.input, ...(call.error !== undefined ? { error: call.error } : {}) });
    }
    byAction.set(action, calls);
  };
  const services: Array<[string, () => { middlewareStack: unknown }]> = [
    ['ec2', () => clients.aws(EC2Client)],
    ['autoscaling', () => clients.aws(AutoScalingClient)],
    ['elasticloadbalancing', () => clients.aws(ElasticLoadBalancingV2Client)],
    ['iam', () => clients.aws(IAMClient)],
    ['s3', () => clients.aws(S3Client)],
    ['guardduty', () => clients.aws(GuardDutyClient)],
    ['bedrock', () => clients.aws(BedrockClient)],
    ['sagemaker', () => clients.aws(SageMakerClient)],
    ['sts', () => clients.aws(STSClient)],
    ['ecs', () => clients.aws(ECSClient)],
    ['eks', () => clients.aws(EKSClient)],
    ['lambda', () => clients.aws(LambdaClient)],
    ['rds', () => clients.aws(RDSClient)],
  ];
  for (const [service, client] of services) {
    attachCallRecorder(client() as never, service, () => [listener]);
    // The recorder keeps no outputs: the ids of created resources are taken here, with the tags they were created with.
    (client().middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
      (next: (a: { input: unknown }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
        async (args: { input: unknown }) => {
          const result = await next(args);
          const ids = createdIds(context.commandName ?? '', result.output);
          if (ids.length > 0 && actionOf() !== '') {
            const created = createdByAction.get(actionOf()) ?? {};
            for (const id of ids) created[id] = requestTags(args.input);
            createdByAction.set(actionOf(), created);
          }
          return result;
        },
      { step: 'initialize', name: 'tourniquetCreatedResources' },
    );
  }
}

/** With TOURNIQUET_RECORD_AWS_CALLS=1, writes one fixture per action recorded so far; returns the files written. */
export async function writeAwsCallFixtures(source: string): Promise<string[]> {
  if (process.env[RECORD_AWS_CALLS_ENV] !== '1') return [];
  await mkdir(AWS_CALL_FIXTURES_DIR, { recursive: true });
  const written: string[] = [];
  for (const [action, calls] of [...byAction].sort(([a], [b]) => a.localeCompare(b))) {
    const fixture: AwsCallFixture = { action, source, calls: [...calls.values()], created: createdByAction.get(action) ?? {} };
    const file = join(AWS_CALL_FIXTURES_DIR, `${action}.json`);
    await writeFile(file, `${JSON.stringify(fixture, null, 2)}\n`);
    written.push(file);
  }
  return written;
}

/** The key paths of an input (values left out), so two calls that differ only in ids count once. */
function inputShape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => inputShape(v, `${prefix}[]`)))].sort();
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([k, v]) => [`${prefix}.${k}`, ...inputShape(v, `${prefix}.${k}`)])
      .sort();
  }
  return [];
}
