import { describe, expect, it } from 'vitest';
import type { IamPermission } from '../../src/actions/action.js';
import { actionPermissions } from '../../src/actions/registry.js';
import {
  MANAGED_POLICY_MAX_CHARS,
  actionStatements,
  assertGrantableAction,
  expandResource,
  isReadOnlyAction,
  packPolicyDocuments,
  platformStatements,
  policySize,
  resourceAccountUnpinned,
  selfProtectionStatements,
  toSid,
} from '../../infra/iam/generate-policy.js';
import type { PolicyStatement } from '../../infra/iam/generate-policy.js';
import { SELF_PROTECTION_GROUPS } from '../../infra/components/responder.js';
import { statementViolations } from '../../infra/policies/iam-statements.js';
import { rolePermissionStatements } from '../../infra/iam/target-scope.js';

const ctx = { partition: 'aws', regions: ['us-east-1'], accounts: ['111122223333'] };

describe('placeholders', () => {
  it('expands ${Partition}; ${Region} becomes "*" whatever the Regions; ${Account} the account, "*" for several; keeps IAM policy variables', () => {
    const two = { ...ctx, regions: ['us-east-1', 'eu-west-1'] };
    expect(expandResource('arn:${Partition}:ec2:${Region}:${Account}:instance/*', two, 'w')).toEqual(['arn:aws:ec2:*:111122223333:instance/*']);
    expect(expandResource('arn:${Partition}:ec2:${Region}:${Account}:instance/*', { ...two, accounts: ['111122223333', '444455556666'] }, 'w')).toEqual([
      'arn:aws:ec2:*:*:instance/*',
    ]);
    expect(expandResource('arn:${Partition}:iam::${Account}:user/${aws:username}', ctx, 'w')).toEqual(['arn:aws:iam::111122223333:user/${aws:username}']);
  });

  it('rejects unknown placeholders, naming the permission', () => {
    expect(() => expandResource('arn:${Partition}:s3:::${Bucket}', ctx, 'read the bucket')).toThrow(/permission "read the bucket": unknown placeholder \$\{Bucket\}/);
  });
});

describe('actions', () => {
  it('never grants *, *:* or a whole service', () => {
    for (const bad of ['*', '*:*', 'ec2:*', 'Ec2:Describe', 'ec2']) expect(() => assertGrantableAction(bad, 'w')).toThrow(/service:Name/);
    expect(() => assertGrantableAction('ec2:Describe*', 'w')).not.toThrow();
  });

  it('classifies reads by verb', () => {
    expect(isReadOnlyAction('ec2:DescribeInstances')).toBe(true);
    expect(isReadOnlyAction('ec2:Describe*')).toBe(true);
    expect(isReadOnlyAction('iam:GetRole')).toBe(true);
    expect(isReadOnlyAction('iam:PutRolePolicy')).toBe(false);
    expect(isReadOnlyAction('kms:GenerateDataKey')).toBe(false);
    expect(isReadOnlyAction('s3:*')).toBe(false);
  });
});

describe('actionStatements', () => {
  it('narrows mutating actions on Resource "*" with aws:ResourceAccount and leaves reads alone', () => {
    const perms: IamPermission[] = [{ actions: ['ec2:DescribeInstances', 'ec2:CreateTags'], resources: ['*'], why: 'tag things' }];
    const statements = actionStatements(perms, ctx);
    expect(statements).toEqual([
      { Sid: 'TagThings', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] },
      { Sid: 'TagThings', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: ['*'], Condition: { StringEquals: { 'aws:ResourceAccount': '111122223333' } } },
    ]);
  });

  it('narrows S3 and wildcard-account ARNs, not ARNs that name the account (or snapshots, whose format has none)', () => {
    expect(resourceAccountUnpinned('arn:aws:s3:::*')).toBe(true);
    expect(resourceAccountUnpinned('arn:aws:iam::*:role/x')).toBe(true);
    expect(resourceAccountUnpinned('arn:aws:ec2:us-east-1:111122223333:instance/*')).toBe(false);
    expect(resourceAccountUnpinned('arn:aws:ec2:us-east-1::snapshot/*')).toBe(false);
    const [s] = actionStatements([{ actions: ['s3:PutBucketPublicAccessBlock'], resources: ['arn:${Partition}:s3:::*'], why: 'block' }], ctx);
    expect(s?.Condition).toEqual({ StringEquals: { 'aws:ResourceAccount': '111122223333' } });
  });

  it('keeps declared conditions and does not duplicate an existing aws:ResourceAccount', () => {
    const perms: IamPermission[] = [
      {
        actions: ['ec2:CreateTags'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:ResourceAccount': '999999999999', 'ec2:CreateAction': ['CreateSnapshot'] } },
        why: 'w',
      },
    ];
    expect(actionStatements(perms, ctx)[0]?.Condition).toEqual({
      StringEquals: { 'aws:ResourceAccount': '999999999999', 'ec2:CreateAction': ['CreateSnapshot'] },
    });
  });

  it('the registry\'s permissions generate statements that pass the CrossGuard IAM rules', () => {
    const statements = actionStatements(actionPermissions(), ctx);
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(s.Action).not.toContain('*');
      expect(statementViolations(s)).toEqual([]);
    }
    const docs = packPolicyDocuments(statements);
    for (const doc of docs) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    // Nothing lost in packing: every action of every permission is granted somewhere.
    const granted = new Set(docs.flatMap((d) => d.Statement.flatMap((s) => s.Action)));
    for (const p of actionPermissions()) for (const a of p.actions) expect(granted.has(a)).toBe(true);
  });
});

describe('packPolicyDocuments', () => {
  const statement = (i: number): PolicyStatement => ({ Sid: `S${i}`, Effect: 'Allow', Action: [`ec2:Action${i}`], Resource: [`arn:aws:ec2:us-east-1:1:instance/${'x'.repeat(200)}${i}`] });

  it('merges statements with the same resources and conditions', () => {
    const docs = packPolicyDocuments([
      { Sid: 'A', Effect: 'Allow', Action: ['ec2:B'], Resource: ['r'] },
      { Sid: 'B', Effect: 'Allow', Action: ['ec2:A', 'ec2:B'], Resource: ['r'] },
    ]);
    expect(docs).toEqual([{ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['ec2:A', 'ec2:B'], Resource: ['r'] }] }]);
  });

  it('splits across documents under the size limit and refuses to exceed the policy count', () => {
    const statements = Array.from({ length: 100 }, (_, i) => statement(i));
    const docs = packPolicyDocuments(statements);
    expect(docs.length).toBeGreaterThan(1);
    for (const doc of docs) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(docs.flatMap((d) => d.Statement)).toHaveLength(100);
    expect(() => packPolicyDocuments(statements, { maxPolicies: 2, label: 'actions' })).toThrow(/actions: the generated permissions need \d+ managed policies/);
  });

  it('splits a statement larger than one policy into pieces that fit; nothing is lost', () => {
    const actions = Array.from({ length: 300 }, (_, i) => `ec2:Action${String(i).padStart(3, '0')}`);
    const resources = Array.from({ length: 120 }, (_, i) => `arn:aws:ec2:*:111122223333:instance/i-${String(i).padStart(17, '0')}`);
    const docs = packPolicyDocuments([{ Sid: 'Big', Effect: 'Allow', Action: actions, Resource: resources }], { maxPolicies: 100 });
    expect(docs.length).toBeGreaterThan(1);
    for (const doc of docs) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    const pairs = new Set(docs.flatMap((d) => d.Statement.flatMap((st) => st.Action.flatMap((a) => st.Resource.map((r) => `${a} ${r}`)))));
    expect(pairs.size).toBe(actions.length * resources.length);
    const sids = docs.flatMap((d) => d.Statement.map((st) => st.Sid));
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('fills each policy before starting the next (first-fit decreasing)', () => {
    // Sizes 4,000 / 3,000 / 2,000 / 1,000 in this order: taken in order they need three policies, packed two.
    const sized = (sid: string, chars: number): PolicyStatement => {
      const base: PolicyStatement = { Sid: sid, Effect: 'Allow', Action: ['ec2:A'], Resource: [''] };
      return { ...base, Resource: [`arn:aws:ec2:*:1:instance/${'x'.repeat(chars - JSON.stringify(base).length - 24)}`] };
    };
    const docs = packPolicyDocuments([sized('A', 4000), sized('B', 3000), sized('C', 2000), sized('D', 1000)]);
    expect(docs.map((d) => d.Statement.map((st) => st.Sid))).toEqual([['A', 'C'], ['B', 'D']]);
  });

  it('makes Sids unique inside a document', () => {
    const docs = packPolicyDocuments([
      { Sid: 'Same', Effect: 'Allow', Action: ['ec2:A'], Resource: ['r1'] },
      { Sid: 'Same', Effect: 'Allow', Action: ['ec2:B'], Resource: ['r2'] },
    ]);
    expect(docs[0]!.Statement.map((s) => s.Sid)).toEqual(['Same', 'Same2']);
  });

  it('toSid keeps alphanumerics only', () => {
    expect(toSid("ec2-isolate: swap the instance's groups")).toBe('Ec2IsolateSwapTheInstanceSGroups');
  });
});

describe('target scope', () => {
  const perms: IamPermission[] = [
    { actions: ['ec2:DescribeInstances'], resources: ['*'], why: 'describe' },
    { actions: ['ec2:StopInstances'], resources: ['arn:${Partition}:ec2:${Region}:${Account}:instance/*'], why: 'stop' },
    { actions: ['iam:GetRole'], resources: ['arn:${Partition}:iam::${Account}:role/*'], why: 'read role' },
  ];

  it('one Deny keeps the regional services (not IAM) inside the target Regions', () => {
    const statements = rolePermissionStatements(perms, { ...ctx, regions: ['us-east-1', 'eu-west-1'] });
    expect(statements.filter((st) => st.Effect === 'Deny')).toEqual([
      {
        Sid: 'DenyOutsideTargetRegions',
        Effect: 'Deny',
        Action: ['ec2:*'],
        Resource: ['*'],
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
      },
    ]);
    expect(statements.filter((st) => st.Effect === 'Allow').flatMap((st) => st.Resource)).toEqual(
      expect.arrayContaining(['arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:iam::111122223333:role/*']),
    );
  });

  it('several accounts: ARNs carry "*" and one Deny names the accounts, for the actions that name a resource only', () => {
    const accounts = ['111122223333', '444455556666'];
    const statements = rolePermissionStatements(perms, { ...ctx, accounts });
    const deny = statements.find((st) => st.Sid === 'DenyOutsideTargetAccounts');
    expect(deny).toEqual({
      Sid: 'DenyOutsideTargetAccounts',
      Effect: 'Deny',
      Action: ['ec2:StopInstances', 'iam:GetRole'],
      Resource: ['*'],
      Condition: { StringNotEquals: { 'aws:ResourceAccount': accounts } },
    });
    expect(statements.filter((st) => st.Effect === 'Allow').flatMap((st) => st.Resource)).toEqual(
      expect.arrayContaining(['arn:aws:ec2:*:*:instance/*', 'arn:aws:iam::*:role/*']),
    );
    for (const st of statements.filter((x) => x.Effect === 'Allow')) expect(st.Condition?.['StringEquals']?.['aws:ResourceAccount']).toBeUndefined();
    expect(rolePermissionStatements(perms, ctx).some((st) => st.Sid === 'DenyOutsideTargetAccounts')).toBe(false);
  });
});

describe('self-protection', () => {
  const role = 'arn:aws:iam::111122223333:role/tourniquet-responder-abc';
  const fn = 'arn:aws:lambda:us-east-1:111122223333:function:tourniquet-respond';
  const statements = selfProtectionStatements({
    roleArns: [role],
    protectedPrincipalArns: ['arn:aws:iam::111122223333:role/BreakGlass'],
    functionArns: [fn],
    queueArns: ['arn:aws:sqs:us-east-1:111122223333:q'],
    tableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/j'],
    bucketArns: ['arn:aws:s3:::evidence', 'arn:aws:s3:::findings'],
    evidenceBucketArns: ['arn:aws:s3:::evidence'],
    keyArns: ['arn:aws:kms:us-east-1:111122223333:key/k'],
    topicArns: ['arn:aws:sns:us-east-1:111122223333:t'],
    secretArns: ['arn:aws:secretsmanager:us-east-1:111122223333:secret:s'],
    ruleArns: ['arn:aws:events:us-east-1:111122223333:rule/r'],
    detectorArns: ['arn:aws:guardduty:us-east-1:111122223333:detector/d'],
    logGroupArns: ['arn:aws:logs:us-east-1:111122223333:log-group:l'],
  });
  const bySid = new Map(statements.map((s) => [s.Sid, s]));

  it('denies changing its own role and break-glass roles', () => {
    expect(bySid.get('DenyChangingOwnRoles')).toEqual({
      Sid: 'DenyChangingOwnRoles',
      Effect: 'Deny',
      Action: ['iam:*'],
      Resource: [role, 'arn:aws:iam::111122223333:role/BreakGlass'],
    });
  });

  it('denies a new default version of its own managed policies (which would drop the Deny)', () => {
    expect(bySid.get('DenyChangingOwnPolicies')).toEqual({
      Sid: 'DenyChangingOwnPolicies',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'],
      Resource: ['arn:aws:iam::111122223333:policy/tourniquet-*'],
    });
  });

  it('denies creating detector lists on "*" (wildcard-only actions), not on the detector ARN', () => {
    expect(bySid.get('DenyCreatingDetectorLists')?.Resource).toEqual(['*']);
    expect(bySid.get('DenyCreatingDetectorLists')?.Action).toContain('guardduty:CreateIPSet');
    expect(bySid.get('DenyChangingDetector')?.Action).not.toContain('guardduty:CreateIPSet');
  });

  it('denies updating or deleting its functions, queues, table, buckets, keys, secrets, rule, detector', () => {
    expect(bySid.get('DenyChangingOwnFunctions')?.Resource).toEqual([fn, `${fn}:*`]);
    expect(bySid.get('DenyChangingOwnFunctions')?.Action).toEqual(expect.arrayContaining(['lambda:Update*', 'lambda:Delete*']));
    expect(bySid.get('DenyChangingOwnQueues')?.Action).toContain('sqs:DeleteQueue');
    expect(bySid.get('DenyChangingJournal')?.Action).toContain('dynamodb:DeleteTable');
    expect(bySid.get('DenyChangingOwnBuckets')?.Action).toEqual(expect.arrayContaining(['s3:PutBucketPolicy', 's3:DeleteBucket']));
    expect(bySid.get('DenyEvidenceTampering')?.Action).toEqual(expect.arrayContaining(['s3:BypassGovernanceRetention', 's3:DeleteObjectVersion']));
    expect(bySid.get('DenyChangingOwnKeys')?.Action).toEqual(expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']));
    expect(bySid.get('DenyChangingOwnSecrets')?.Action).toContain('secretsmanager:DeleteSecret');
    expect(bySid.get('DenyChangingOwnRule')?.Action).toContain('events:DisableRule');
    expect(bySid.get('DenyChangingDetector')?.Action).toEqual(expect.arrayContaining(['guardduty:DeleteDetector', 'guardduty:UpdateIPSet']));
    expect(bySid.get('DenyChangingOwnEventSources')?.Condition).toEqual({ ArnLike: { 'lambda:FunctionArn': [fn, `${fn}:*`] } });
    for (const s of statements) expect(s.Effect).toBe('Deny');
  });

  it('every Deny belongs to exactly one of the two self-protection policies, each within the size limit', () => {
    const sids = statements.map((s) => s.Sid);
    const grouped = SELF_PROTECTION_GROUPS.flatMap((g) => [...g.sids]);
    expect([...sids].sort()).toEqual([...grouped].sort());
    for (const group of SELF_PROTECTION_GROUPS) {
      const docs = packPolicyDocuments(statements.filter((s) => (group.sids as readonly string[]).includes(s.Sid ?? '')), { maxPolicies: 1 });
      expect(docs).toHaveLength(1);
    }
  });
});

describe('platformStatements', () => {
  it('grants only on the responder\'s own resources; the one "*" is a read', () => {
    const statements = platformStatements({
      region: 'us-east-1',
      queueArns: ['arn:aws:sqs:us-east-1:1:q'],
      tableArn: 'arn:aws:dynamodb:us-east-1:1:table/j',
      evidenceBucketArn: 'arn:aws:s3:::evidence',
      findingsBucketArn: 'arn:aws:s3:::findings',
      findingsExportObjectsPrefix: 'AWSLogs/',
      blocklistObjectArns: ['arn:aws:s3:::findings/lists/responder-blocklist.txt'],
      threatIntelSetArns: ['arn:aws:guardduty:us-east-1:1:detector/d/threatintelset/s'],
      detectorArn: 'arn:aws:guardduty:us-east-1:1:detector/d',
      findingsKeyArn: 'kf',
      evidenceKeyArn: 'ke',
      dataKeyArn: 'kd',
      topicArn: 'arn:aws:sns:us-east-1:1:t',
      secretArns: ['arn:aws:secretsmanager:us-east-1:1:secret:s'],
      logGroupArns: ['arn:aws:logs:us-east-1:1:log-group:l'],
      memberRoleArns: ['arn:aws:iam::*:role/TourniquetResponder'],
      organizationId: 'o-abcdefghij',
    });
    for (const s of statements) expect(statementViolations(s)).toEqual([]);
    const star = statements.filter((s) => s.Resource.includes('*'));
    expect(star.map((s) => s.Action)).toEqual([['guardduty:ListDetectors']]);
    const bySid = new Map(statements.map((s) => [s.Sid, s]));
    expect(bySid.get('ConsumeFindingsQueue')?.Action).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(bySid.get('ReadFindingsExport')?.Resource).toEqual(['arn:aws:s3:::findings/AWSLogs/*']);
    expect(bySid.get('UseDataKey')?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['dynamodb.us-east-1.amazonaws.com', 'secretsmanager.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com'] },
    });
    expect(bySid.get('AssumeMemberRoles')?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' } });
    expect(bySid.has('ReadDetector')).toBe(true);
    expect(statements.flatMap((s) => s.Action)).not.toContain('guardduty:GetFindings');
  });

  it('one member-role ARN with the accounts as aws:ResourceAccount, however many accounts', () => {
    const accounts = Array.from({ length: 40 }, (_, i) => String(210000000000 + i));
    const [assume] = platformStatements({ ...minimalPlatform, memberRoleArns: accounts.map((a) => `arn:aws:iam::${a}:role/TourniquetResponder`) }).filter(
      (s) => s.Sid?.startsWith('AssumeMemberRoles'),
    );
    expect(assume).toEqual({
      Sid: 'AssumeMemberRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: ['arn:aws:iam::*:role/TourniquetResponder'],
      Condition: { StringEquals: { 'aws:ResourceAccount': accounts } },
    });
  });
});

const minimalPlatform = {
  region: 'us-east-1',
  queueArns: ['arn:aws:sqs:us-east-1:111122223333:q'],
  tableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/j',
  evidenceBucketArn: 'arn:aws:s3:::evidence',
  findingsBucketArn: 'arn:aws:s3:::findings',
  findingsExportObjectsPrefix: 'AWSLogs/',
  blocklistObjectArns: [],
  threatIntelSetArns: [],
  detectorArn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d',
  findingsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/f',
  evidenceKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/e',
  dataKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/d',
  topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
  secretArns: [],
  logGroupArns: [],
  memberRoleArns: [],
};
