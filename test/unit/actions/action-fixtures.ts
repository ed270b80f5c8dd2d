/**
 * Shared fixtures for the action unit tests: an ActionContext whose clients are real SDK clients (intercepted by
 * aws-sdk-client-mock), with the shared in-memory evidence writer; AWS-shaped service errors come from test/support.
 */
import type { ActionContext } from '../../../src/actions/action.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Ec2InstanceSubject, Subject } from '../../../src/findings/model.js';
import { memoryEvidence, type MemoryEvidence } from '../../support/memory-evidence.js';

export { awsError } from '../../support/errors.js';

export const INSTANCE_ID = 'i-0123456789abcdef0';
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const CASE_ID = 'inc-42';
export const NOW = new Date('2026-11-28T15:00:00.250Z');
export const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/ml/gpu-node`;

export function mockClients(): AwsClients {
  const cfg = { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
  return {
    accountId: ACCOUNT,
    region: REGION,
    // A new client per lookup, as before: aws-sdk-client-mock intercepts every instance of a class.
    aws: (ClientClass) => new ClientClass(cfg),
  };
}

export function instanceSubject(overrides: Partial<Ec2InstanceSubject['details']> = {}): Ec2InstanceSubject {
  return {
    kind: 'ec2-instance',
    id: INSTANCE_ID,
    accountId: ACCOUNT,
    region: REGION,
    tags: [],
    ai: { isAi: true, reasons: [] },
    details: { instanceId: INSTANCE_ID, networkInterfaces: [], ...overrides },
  };
}

export function makeCtx(overrides: { subject?: Subject; now?: Date } = {}): ActionContext & { evidence: MemoryEvidence } {
  return {
    clients: mockClients(),
    incidentId: CASE_ID,
    caseId: CASE_ID,
    subject: overrides.subject ?? instanceSubject(),
    evidence: memoryEvidence({ location: 'memory://unit', recordedAt: NOW }),
    now: () => overrides.now ?? NOW,
    actor: 'unit-test',
    stepId: 'step-under-test',
  };
}

/** The request that looks up INSTANCE_ID (DescribeInstances, DescribeIamInstanceProfileAssociations). */
export const INSTANCE_FILTER = { Filters: [{ Name: 'instance-id', Values: [INSTANCE_ID] }] };
/** The request that lists INSTANCE_ID's network interfaces (DescribeNetworkInterfaces). */
export const INSTANCE_ENIS_FILTER = { Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE_ID] }] };
