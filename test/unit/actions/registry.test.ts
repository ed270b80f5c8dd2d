import { describe, expect, it } from 'vitest';
import { actionPermissions, allActions, getAction, hasAction } from '../../../src/actions/registry.js';
import { NotFoundError } from '../../../src/errors.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';

describe('action registry', () => {
  it('registers exactly the actions the playbooks run, each once, under its own name', () => {
    const names = allActions().map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    const used = PLAYBOOKS.flatMap((p) => p.actions);
    expect(used.length).toBeGreaterThan(0);
    for (const a of used) expect(getAction(a.name)).toBe(a);
    expect(new Set(allActions())).toEqual(new Set(used));
    expect(hasAction('ec2.nope')).toBe(false);
    expect(() => getAction('ec2.nope')).toThrow(NotFoundError);
  });

  it('reversible actions have release; irreversible ones do not; destructive ones say what they hit', () => {
    for (const a of allActions()) {
      expect(typeof a.release === 'function', a.name).toBe(a.reversible);
      expect(a.description.length, a.name).toBeGreaterThan(40);
      expect(a.permissions.length, a.name).toBeGreaterThan(0);
    }
    expect(allActions().filter((a) => a.effect === 'destructive').map((a) => a.name).sort()).toEqual([
      'bedrock.stop-principal-resources',
      'ec2.nacl-cut',
      'ec2.stop-instance',
      'ecs.stop-task',
      'iam.deactivate-user-mfa-devices',
      'iam.deny-notebook-sessions',
      'iam.revoke-role-sessions',
      'rds.rotate-master-password',
      's3.quarantine-object',
      'sagemaker.delete-principal-endpoints',
      'sagemaker.stop-notebook-instance',
      'sagemaker.stop-principal-jobs',
    ]);
    expect(getAction('bedrock.stop-principal-resources').description).toMatch(/Irreversible/);
    // Irreversible: a stopped task cannot be started again.
    expect(getAction('ecs.stop-task').reversible).toBe(false);
    expect(getAction('ec2.nacl-cut').description).toMatch(/WHOLE subnet/);
    expect(getAction('ec2.capture-instance-evidence').effect).toBe('read');
    expect(getAction('ec2.snapshot-volumes').effect).toBe('evidence');
  });
});

describe('actionPermissions()', () => {
  const perms = actionPermissions();
  const statementsFor = (iamAction: string) => perms.filter((p) => p.actions.includes(iamAction));

  it('grants "*" only to read calls that do not support resource-level permissions', () => {
    for (const p of perms.filter((x) => x.resources.includes('*'))) {
      // The Region's Bedrock invocation-logging configuration is the one write with no resource to name (its calls
      // support no resource-level permissions).
      for (const a of p.actions) expect(a, a).toMatch(/^(ec2|autoscaling|elasticloadbalancing):Describe[A-Za-z]+$|^guardduty:List(IPSets|TrustedEntitySets)$|^lambda:ListEventSourceMappings$|^cloudtrail:LookupEvents$|^ecs:DescribeTaskDefinition$|^bedrock:(Get|Put|Delete)ModelInvocationLoggingConfiguration$/);
    }
  });

  it('uses ARN placeholders, never a literal partition, region or account', () => {
    for (const p of perms) {
      for (const r of p.resources) {
        if (r === '*') continue;
        // S3 bucket and object ARNs carry neither Region nor account (the generator narrows them with aws:ResourceAccount).
        expect(r).toMatch(/^arn:\$\{Partition\}:(ec2|autoscaling|elasticloadbalancing|guardduty|kms|lambda|rds|secretsmanager|bedrock|sagemaker|ecs|eks):\$\{Region\}:(\$\{Account\})?:|^arn:\$\{Partition\}:iam::\$\{Account\}:|^arn:\$\{Partition\}:s3:::\*(\/\*)?$|^arn:\$\{Partition\}:s3:::\*\//);
      }
    }
    expect(statementsFor('ec2:CreateSnapshots')[0]!.resources).toContain('arn:${Partition}:ec2:${Region}::snapshot/*');
  });

  it('scopes writes with conditions where AWS supports them', () => {
    // Instance tags: Tourniquet's keys only.
    const tagging = perms.filter((p) => p.actions.includes('ec2:CreateTags') && p.resources.includes('arn:${Partition}:ec2:${Region}:${Account}:instance/*'));
    expect(tagging).toHaveLength(1);
    // Null: DeleteTags without a tag list (every tag) carries no aws:TagKeys, which ForAllValues alone would accept.
    expect(tagging[0]!.conditions).toEqual({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'tourniquet:*' }, Null: { 'aws:TagKeys': 'false' } });
    // Flagged snapshots and AMIs: the same, Tourniquet's keys only.
    const artefacts = perms.filter((p) => p.actions.includes('ec2:CreateTags') && p.resources.includes('arn:${Partition}:ec2:${Region}::image/*'));
    expect(artefacts).toHaveLength(1);
    expect(artefacts[0]!.conditions).toEqual(tagging[0]!.conditions);
    // Every other CreateTags is tag-on-create only.
    for (const p of statementsFor('ec2:CreateTags').filter((x) => x !== tagging[0] && x !== artefacts[0])) {
      expect(Object.keys(p.conditions?.StringEquals ?? {})).toEqual(['ec2:CreateAction']);
    }
    // Rules are changed on Tourniquet's own groups only.
    for (const a of ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress']) {
      expect(statementsFor(a)).toEqual([expect.objectContaining({ conditions: { StringEquals: { 'aws:ResourceTag/tourniquet:role': ['untrack', 'isolation'] } } })]);
    }
    expect(statementsFor('ec2:DeleteNetworkAcl')[0]!.conditions).toEqual({ StringEquals: { 'aws:ResourceTag/tourniquet:role': 'quarantine-nacl' } });
    expect(statementsFor('iam:PassRole')).toEqual([
      expect.objectContaining({ resources: ['arn:${Partition}:iam::${Account}:role/*'], conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
      // Bedrock's logging role: only roles named for it, only to Bedrock.
      expect.objectContaining({ resources: ['arn:${Partition}:iam::${Account}:role/tourniquet-bedrock-logging*'], conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } } }),
    ]);
  });

  it('merges statements with the same resources and conditions, and is stable', () => {
    const keys = perms.map((p) => JSON.stringify([p.resources, p.conditions ?? null]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(actionPermissions()).toEqual(perms);
    const roleWrites = statementsFor('iam:PutRolePolicy');
    expect(roleWrites).toHaveLength(1);
    expect(roleWrites[0]!.why).toContain('iam.deny-instance-session');
    expect(roleWrites[0]!.why).toContain('iam.revoke-role-sessions');
  });
});
