/**
 * IAM at the scale the playbooks are heading for: a synthetic list of 60 actions (shaped like the real ones: a
 * Describe on "*", apply/release on resource ARNs, tag conditions) across 17 Regions and 40 member accounts. Every
 * role's policies fit IAM's limits: 6,144 characters per managed policy, 10 managed policies per role, 10,240
 * characters of inline policy per role. For contrast, the same permissions with one ARN per Region (the previous
 * generator) need more managed policies than a role takes.
 */
import { describe, expect, it } from 'vitest';
import type { IamPermission } from '../../src/actions/action.js';
import { MAX_ACTION_POLICIES, SELF_PROTECTION_GROUPS } from '../../infra/components/responder.js';
import { actionStatements, packPolicyDocuments, platformStatements, selfProtectionStatements } from '../../infra/iam/generate-policy.js';
import type { PolicyDocument, PolicyStatement } from '../../infra/iam/generate-policy.js';
import { roleLimitViolations, rolePolicyFigures } from '../../infra/iam/role-limits.js';
import type { RolePolicies } from '../../infra/iam/role-limits.js';
import { rolePermissionStatements } from '../../infra/iam/target-scope.js';
import { ORGANISATION_ACCOUNTS, ORGANISATION_REGIONS } from './helpers/organisation.js';

const CENTRAL = '999988887777';
const MEMBER = ORGANISATION_ACCOUNTS[0]!;
const HOME = 'eu-west-1';

/** ARN prefixes of the services the coming playbooks use (`${Region}`/`${Account}` placeholders as in the actions). */
const SERVICES = [
  { svc: 'ec2', prefix: 'arn:${Partition}:ec2:${Region}:${Account}:' },
  { svc: 'sagemaker', prefix: 'arn:${Partition}:sagemaker:${Region}:${Account}:' },
  { svc: 'bedrock', prefix: 'arn:${Partition}:bedrock:${Region}:${Account}:' },
  { svc: 'lambda', prefix: 'arn:${Partition}:lambda:${Region}:${Account}:' },
  { svc: 'ecs', prefix: 'arn:${Partition}:ecs:${Region}:${Account}:' },
  { svc: 'eks', prefix: 'arn:${Partition}:eks:${Region}:${Account}:' },
  { svc: 'rds', prefix: 'arn:${Partition}:rds:${Region}:${Account}:' },
  { svc: 's3', prefix: 'arn:${Partition}:s3:::' },
  { svc: 'iam', prefix: 'arn:${Partition}:iam::${Account}:' },
];

/**
 * 60 actions, each with the permission shapes the real ones use, and (harder than the real ones) resource types of
 * its own, so nothing merges across actions.
 */
function syntheticPermissions(count = 60): IamPermission[] {
  return Array.from({ length: count }, (_, i) => {
    const s = SERVICES[i % SERVICES.length]!;
    const n = String(i).padStart(2, '0');
    const perms: IamPermission[] = [
      { actions: [`${s.svc}:DescribeSyntheticThing${n}`], resources: ['*'], why: 'Describe calls do not support resource-level permissions' },
      {
        actions: [`${s.svc}:ApplySyntheticChange${n}`, `${s.svc}:ReleaseSyntheticChange${n}`],
        resources: [`${s.prefix}synthetic-thing-${n}/*`],
        why: `synthetic action ${n}: apply, and restore on release`,
      },
    ];
    if (i % 3 === 0) {
      perms.push({
        actions: [`${s.svc}:ModifySyntheticOwnThing${n}`],
        resources: [`${s.prefix}synthetic-own-thing-${n}/*`],
        conditions: { StringEquals: { 'aws:ResourceTag/tourniquet:role': ['isolation', 'quarantine'] } },
        why: `synthetic action ${n}: change Tourniquet's own resources only`,
      });
    }
    return perms;
  }).flat();
}

const permissions = syntheticPermissions();
const arn = (service: string, account: string, resource: string, region = HOME): string => `arn:aws:${service}:${region}:${account}:${resource}`;

function selfProtection(account: string, roleName: string, full: boolean): PolicyStatement[] {
  const roleArn = `arn:aws:iam::${account}:role/${roleName}`;
  if (!full) return selfProtectionStatements({ roleArns: [roleArn], protectedPrincipalArns: [`arn:aws:iam::${account}:role/BreakGlass`] });
  return selfProtectionStatements({
    roleArns: [roleArn],
    protectedPrincipalArns: [`arn:aws:iam::${account}:role/BreakGlass`],
    functionArns: [arn('lambda', account, 'function:tourniquet-respond-0a1b2c3d'), arn('lambda', account, 'function:tourniquet-approval-0a1b2c3d')],
    queueArns: ['findings', 'findings-dlq', 'events-dlq'].map((q) => arn('sqs', account, `tourniquet-${q}-0a1b2c3d`)),
    tableArns: [arn('dynamodb', account, 'table/tourniquet-journal-0a1b2c3d')],
    bucketArns: ['arn:aws:s3:::tourniquet-findings-0a1b2c3d', 'arn:aws:s3:::tourniquet-evidence-0a1b2c3d'],
    evidenceBucketArns: ['arn:aws:s3:::tourniquet-evidence-0a1b2c3d'],
    keyArns: [1, 2, 3, 4].map((k) => arn('kms', account, `key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e5${k}`)),
    topicArns: [arn('sns', account, 'tourniquet-notifications-0a1b2c3d')],
    secretArns: [arn('secretsmanager', account, 'secret:tourniquet-approval-key-0a1b2c3d-AbCdEf'), arn('secretsmanager', account, 'secret:tourniquet-slack-0a1b2c3d-AbCdEf')],
    ruleArns: [arn('events', account, 'rule/tourniquet-findings-0a1b2c3d')],
    detectorArns: [arn('guardduty', account, 'detector/0a1b2c3d4e5f60718293a4b5c6d7e8f9')],
    logGroupArns: [arn('logs', account, 'log-group:/tourniquet/respond-0a1b2c3d'), arn('logs', account, 'log-group:/tourniquet/approval-0a1b2c3d')],
  });
}

function platform(): PolicyStatement[] {
  return platformStatements({
    region: HOME,
    queueArns: [arn('sqs', CENTRAL, 'tourniquet-findings-0a1b2c3d')],
    tableArn: arn('dynamodb', CENTRAL, 'table/tourniquet-journal-0a1b2c3d'),
    evidenceBucketArn: 'arn:aws:s3:::tourniquet-evidence-0a1b2c3d',
    findingsBucketArn: 'arn:aws:s3:::tourniquet-findings-0a1b2c3d',
    findingsExportObjectsPrefix: 'AWSLogs/',
    blocklistObjectArns: ['arn:aws:s3:::tourniquet-findings-0a1b2c3d/lists/responder-blocklist.txt'],
    policyObjectArns: ['arn:aws:s3:::tourniquet-findings-0a1b2c3d/config/tourniquet-policy-0123456789abcdef.json'],
    threatIntelSetArns: [arn('guardduty', CENTRAL, 'detector/0a1b2c3d4e5f60718293a4b5c6d7e8f9/threatintelset/0a1b2c3d4e5f60718293a4b5c6d7e8f9')],
    detectorArn: arn('guardduty', CENTRAL, 'detector/0a1b2c3d4e5f60718293a4b5c6d7e8f9'),
    findingsKeyArn: arn('kms', CENTRAL, 'key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e51'),
    evidenceKeyArn: arn('kms', CENTRAL, 'key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e52'),
    dataKeyArn: arn('kms', CENTRAL, 'key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e53'),
    queueKeyArn: arn('kms', CENTRAL, 'key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e54'),
    topicArn: arn('sns', CENTRAL, 'tourniquet-notifications-0a1b2c3d'),
    secretArns: [arn('secretsmanager', CENTRAL, 'secret:tourniquet-approval-key-0a1b2c3d-AbCdEf')],
    logGroupArns: [arn('logs', CENTRAL, 'log-group:/tourniquet/respond-0a1b2c3d')],
    memberRoleArns: ORGANISATION_ACCOUNTS.map((a) => `arn:aws:iam::${a}:role/TourniquetResponder`),
    organizationId: 'o-abcdefghij',
  });
}

/** The central role as the Responder component composes it: action policies, platform, two self-protection halves. */
function centralRole(): RolePolicies {
  const ctx = { partition: 'aws', regions: ORGANISATION_REGIONS, accounts: [CENTRAL] };
  const actions = packPolicyDocuments(rolePermissionStatements(permissions, ctx), { label: 'central actions', maxPolicies: MAX_ACTION_POLICIES });
  const protection = selfProtection(CENTRAL, 'tourniquet-responder-0a1b2c3d', true);
  const halves = SELF_PROTECTION_GROUPS.map((g) =>
    packPolicyDocuments(protection.filter((s) => (g.sids as readonly string[]).includes(s.Sid ?? '')), { label: `self-protection ${g.id}`, maxPolicies: 1 }),
  ).flat();
  return { role: 'central', managed: [...actions, ...packPolicyDocuments(platform(), { label: 'platform', maxPolicies: 1 }), ...halves], inline: [] };
}

/** A member role as MemberAccountRole composes it: self-protection and action permissions packed together. */
function memberRole(): RolePolicies {
  const ctx = { partition: 'aws', regions: ORGANISATION_REGIONS, accounts: [MEMBER] };
  const statements = [...selfProtection(MEMBER, 'TourniquetResponder', false), ...rolePermissionStatements(permissions, ctx)];
  return { role: 'member', managed: packPolicyDocuments(statements, { label: 'member' }), inline: [] };
}

/** One role acting in all 40 accounts directly (ARNs with "*" for the account plus DenyOutsideTargetAccounts). */
function organisationWideRole(): RolePolicies {
  const ctx = { partition: 'aws', regions: ORGANISATION_REGIONS, accounts: ORGANISATION_ACCOUNTS };
  return { role: 'organisation-wide', managed: packPolicyDocuments(rolePermissionStatements(permissions, ctx), { label: 'organisation-wide' }), inline: [] };
}

function granted(docs: readonly PolicyDocument[], action: string, resource: string): boolean {
  return docs.some((d) => d.Statement.some((s) => s.Effect === 'Allow' && s.Action.includes(action) && s.Resource.includes(resource)));
}

describe('60 actions × 17 Regions × 40 member accounts', () => {
  it('the synthetic list is the size it claims', () => {
    expect(new Set(permissions.flatMap((p) => p.why.match(/synthetic action (\d+)/)?.[1] ?? [])).size).toBe(60);
    expect(ORGANISATION_REGIONS).toHaveLength(17);
    expect(ORGANISATION_ACCOUNTS).toHaveLength(40);
  });

  for (const build of [centralRole, memberRole, organisationWideRole]) {
    it(`${build.name}: every policy fits IAM's limits`, () => {
      const role = build();
      const figures = rolePolicyFigures(role);
      console.log(`${role.role}: ${figures.managedCount} managed policies (${figures.managedSizes.join(', ')} characters), ${figures.inlineChars} inline`);
      expect(roleLimitViolations(role)).toEqual([]);
      expect(figures.managedCount).toBeLessThanOrEqual(10);
      for (const size of figures.managedSizes) expect(size).toBeLessThanOrEqual(6_144);
      expect(figures.inlineChars).toBeLessThanOrEqual(10_240);
    });
  }

  it('nothing is lost: every synthetic grant is in the packed policies, with the Region wildcarded and the scope Denies present', () => {
    const member = memberRole().managed;
    for (const p of permissions) {
      for (const template of p.resources) {
        const resource = template.replaceAll('${Partition}', 'aws').replaceAll('${Region}', '*').replaceAll('${Account}', MEMBER);
        for (const action of p.actions) expect(granted(member, action, resource), `${action} on ${resource}`).toBe(true);
      }
    }
    const deny = member.flatMap((d) => d.Statement).find((s) => s.Sid === 'DenyOutsideTargetRegions');
    expect(deny?.Condition).toEqual({ StringNotEquals: { 'aws:RequestedRegion': ORGANISATION_REGIONS } });
    expect(deny?.Action).toEqual(['bedrock:*', 'ec2:*', 'ecs:*', 'eks:*', 'lambda:*', 'rds:*', 'sagemaker:*']);
    const wide = organisationWideRole().managed.flatMap((d) => d.Statement).find((s) => s.Sid === 'DenyOutsideTargetAccounts');
    expect(wide?.Condition).toEqual({ StringNotEquals: { 'aws:ResourceAccount': ORGANISATION_ACCOUNTS } });
  });

  it('for contrast: one ARN per Region (the previous generator) needs more managed policies than a role takes', () => {
    const perRegion = permissions.map((p) => ({ ...p, resources: p.resources.flatMap((r) => (r.includes('${Region}') ? ORGANISATION_REGIONS.map((g) => r.replaceAll('${Region}', g)) : [r])) }));
    const docs = packPolicyDocuments(actionStatements(perRegion, { partition: 'aws', regions: ORGANISATION_REGIONS, accounts: [MEMBER] }), { maxPolicies: 1_000 });
    console.log(`one ARN per Region: ${docs.length} managed policies for the action permissions alone`);
    expect(docs.length).toBeGreaterThan(10);
  });
});
