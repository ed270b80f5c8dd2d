/**
 * Read-ahead (src/engine/read-ahead.ts): when a plan's run starts, the reads a later step's capture needs (the
 * session deny's: a policy of its name on the instance's role) are made alongside the first steps, into the run's
 * shared reads; only for steps this run would run, and read-only. aws-sdk-client-mock on real SDK clients; the real
 * deny action.
 */
import { DescribeIamInstanceProfileAssociationsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getAction } from '../../../src/actions/registry.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Mode, PlanStep } from '../../../src/contracts/plan.js';
import { startReadAhead } from '../../../src/engine/read-ahead.js';
import { RunSharedReads } from '../../../src/engine/shared-reads.js';
import type { StepRecord, StepStatus } from '../../../src/journal/journal.js';
import { instanceSubject } from '../actions/action-fixtures.js';
import { held } from '../../support/held-read.js';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
afterEach(() => {
  ec2.reset();
  iam.reset();
});

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/gpu-nodes`;

function clients(): AwsClients {
  const cfg = { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
  return { accountId: ACCOUNT, region: REGION, aws: (ClientClass) => new ClientClass(cfg) };
}

const deny: PlanStep = { id: 'deny-instance-session', action: 'iam.deny-instance-session', input: {}, dependsOn: [], effect: 'contain', reversible: true, description: 'deny' };
const record = (status: StepStatus, more: Partial<StepRecord> = {}): StepRecord => ({ incidentId: 'inc', stepId: deny.id, action: deny.action, status, attempts: 0, updatedAt: '2026-12-03T00:00:00.000Z', ...more });

function answer(): void {
  ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [{ InstanceId: 'i-1', State: 'associated', IamInstanceProfile: { Arn: PROFILE, Id: 'AIPA1' } }] });
  iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'gpu-nodes', Roles: [{ RoleName: 'gpu-role', RoleId: 'AROA1', Arn: `arn:aws:iam::${ACCOUNT}:role/gpu-role`, Path: '/', CreateDate: new Date() }] } as never });
  iam.on(GetRolePolicyCommand).rejects(Object.assign(new Error('not found'), { name: 'NoSuchEntity', $metadata: { httpStatusCode: 404 } }));
}

async function readAhead(status: StepStatus, mode: Mode, more: Partial<StepRecord> = {}): Promise<RunSharedReads> {
  const reads = new RunSharedReads();
  startReadAhead({
    steps: [deny],
    records: new Map([[deny.id, record(status, more)]]),
    mode,
    overrides: {},
    subject: instanceSubject({ instanceId: 'i-1' }),
    reads,
    clients: () => Promise.resolve(clients()),
    getAction,
  });
  // Started, not awaited by the run: let the mocked answers arrive.
  await new Promise((r) => setTimeout(r, 50));
  return reads;
}

describe('startReadAhead', () => {
  it("reads the session deny's pre-image (no policy of its name yet) through the live association, reads only", async () => {
    answer();
    const reads = await readAhead('planned', 'contain');
    expect(iam.commandCalls(GetRolePolicyCommand)[0]!.args[0].input).toEqual({ RoleName: 'gpu-role', PolicyName: 'tourniquet-deny-i-1' });
    expect(await held(reads, 'iam:GetRolePolicy:gpu-role:tourniquet-deny-i-1')).toBeNull();
    const names = [...ec2.calls(), ...iam.calls()].map((c) => (c.args[0] as object).constructor.name);
    expect(names.every((n) => n.startsWith('Get') || n.startsWith('Describe'))).toBe(true);
  });

  it('reads nothing for a step this run will not run: waiting for approval, observed, or with its pre-image journaled', async () => {
    answer();
    await readAhead('planned', 'approve');
    await readAhead('planned', 'observe');
    await readAhead('awaiting-approval', 'contain');
    await readAhead('planned', 'contain', { preImage: { instanceId: 'i-1', role: null } });
    await readAhead('done', 'contain');
    expect([...ec2.calls(), ...iam.calls()]).toHaveLength(0);
  });

  it('a read that fails is not kept, and nothing is thrown: the step reads again and meets the error itself', async () => {
    answer();
    iam.on(GetRolePolicyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const reads = await readAhead('planned', 'contain');
    expect(iam.commandCalls(GetRolePolicyCommand)).toHaveLength(1);
    expect(await held(reads, 'iam:GetRolePolicy:gpu-role:tourniquet-deny-i-1')).toBeUndefined();
  });
});
