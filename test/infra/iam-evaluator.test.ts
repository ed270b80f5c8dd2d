/**
 * The generated IAM policies put through a real policy evaluator (@cloud-copilot/iam-simulate), since moto does not
 * evaluate IAM:
 * - every AWS call each registered action makes (recorded from the moto integration tests into
 *   test/infra/fixtures/aws-calls, or listed where moto lacks the API) is allowed to the member role and to the
 *   central role, on realistic ARNs in a target Region, with the requests AWS adds (tag-on-create, PassRole,
 *   the KMS grant of a start);
 * - the same calls outside the target Regions, on resources that are not Tourniquet's, or without the conditions
 *   the statements require, are refused;
 * - every self-protection Deny holds even with an allow-all policy added;
 * - the run-time deny documents deny the compromised principal and not its neighbours.
 *
 * Re-record the fixtures after changing what an action calls:
 *   TOURNIQUET_RECORD_AWS_CALLS=1 npx vitest run test/integration/actions-ec2.test.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allActions, getAction } from '../../src/actions/registry.js';
import { denyInstanceSessionDocument } from '../../src/actions/iam-deny-instance-session.js';
import { revokeOlderSessionsDocument } from '../../src/actions/iam-revoke-role-sessions.js';
import { denyRoleSessionDocument } from '../../src/actions/iam-deny-role-session.js';
import { memberTrustPolicy } from '../../infra/components/member-account-role.js';
import { AWS_CALL_FIXTURES_DIR } from '../support/aws-call-recording.js';
import type { AwsCallFixture } from '../support/aws-call-recording.js';
import { CENTRAL_ACCOUNT, MEMBER_ACCOUNTS, ORGANIZATION_ID, TARGET_REGIONS, centralRole, memberRole } from './helpers/generated-roles.js';
import type { GeneratedRole } from './helpers/generated-roles.js';
import { actionInfo, arnWitness, expandActionPattern } from './helpers/iam-catalogue.js';
import { requestsForCall } from './helpers/iam-requests.js';
import type { IamRequest, RequestTarget } from './helpers/iam-requests.js';
import { ALLOW_ALL, decide } from './helpers/iam-simulator.js';
import type { Decision, Principal } from './helpers/iam-simulator.js';

const fixtures: AwsCallFixture[] = readdirSync(AWS_CALL_FIXTURES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(AWS_CALL_FIXTURES_DIR, f), 'utf8')) as AwsCallFixture);

const TARGET: RequestTarget = { account: CENTRAL_ACCOUNT, region: 'eu-west-1' };
const OUTSIDE: RequestTarget = { account: CENTRAL_ACCOUNT, region: 'ap-east-1' };
/** The default key policy: the account's IAM policies decide (what a customer-managed key usually has). */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CENTRAL_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

let central: GeneratedRole;
let member: GeneratedRole;

beforeAll(async () => {
  central = await centralRole();
  member = await memberRole();
});

const principalOf = (role: GeneratedRole, extra: readonly unknown[] = []): Principal => ({
  arn: role.roleArn,
  identityPolicies: [...role.policies.map((p) => p.document), ...extra],
});

async function decideAll(principal: Principal, requests: readonly IamRequest[]): Promise<Array<{ request: IamRequest; decision: Decision }>> {
  const out: Array<{ request: IamRequest; decision: Decision }> = [];
  for (const request of requests) {
    const resourcePolicy = request.action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined;
    out.push({ request, decision: await decide(principal, request, resourcePolicy !== undefined ? { resourcePolicy } : {}) });
  }
  return out;
}

async function requestsOf(fixture: AwsCallFixture, target: RequestTarget): Promise<IamRequest[]> {
  return (await Promise.all(fixture.calls.map((c) => requestsForCall(c, fixture, target)))).flat();
}

const describeFailures = (results: Array<{ request: IamRequest; decision: Decision }>, expected: Decision): string[] =>
  results.filter((r) => r.decision !== expected).map((r) => `${r.request.why}: ${r.request.action} on ${r.request.resource} → ${r.decision}`);

describe('the AWS calls of every registered action', () => {
  it('every registered action has a fixture of its calls, and every fixture names a registered action', () => {
    expect(fixtures.map((f) => f.action).sort()).toEqual(allActions().map((a) => a.name).sort());
    for (const f of fixtures) {
      expect(f.calls.length, f.action).toBeGreaterThan(0);
      expect(f.source, f.action).toMatch(/^test\/integration\/.+ against moto_server$|^listed: .+/);
    }
  });

  it('every recorded call is one the action declares a permission for', () => {
    for (const f of fixtures) {
      const declared = new Set(getAction(f.action).permissions.flatMap((p) => p.actions));
      expect(f.calls.map((c) => `${c.service}:${c.operation}`).filter((op) => !declared.has(op)), f.action).toEqual([]);
    }
  });
});

describe('every call is allowed on realistic ARNs in a target Region', () => {
  for (const which of ['member', 'central'] as const) {
    it(`${which} role`, async () => {
      const role = which === 'member' ? member : central;
      const failures: string[] = [];
      let count = 0;
      for (const fixture of fixtures) {
        const results = await decideAll(principalOf(role), await requestsOf(fixture, TARGET));
        count += results.length;
        failures.push(...describeFailures(results, 'Allowed'));
      }
      expect(failures).toEqual([]);
      expect(count).toBeGreaterThan(60);
    });
  }
});

/**
 * Every grant an action declares, as a request on a realistic ARN of the declared pattern, in a target Region, with
 * a context that meets the declared conditions: this covers the paths the moto test does not take (the detach
 * method of leave-auto-scaling, a replacement profile, the per-volume snapshot fallback).
 */
async function declaredRequests(target: RequestTarget): Promise<IamRequest[]> {
  const out: IamRequest[] = [];
  for (const action of allActions()) {
    for (const permission of action.permissions) {
      if (permission.actions.length === 0) throw new Error(`${action.name}: a permission without actions`);
      for (const iamAction of permission.actions) {
        const info = await actionInfo(iamAction);
        if (info === undefined) throw new Error(`${action.name}: ${iamAction} is not an IAM action`);
        for (const template of permission.resources) {
          const pattern = template.replaceAll('${Partition}', 'aws').replaceAll('${Region}', target.region).replaceAll('${Account}', target.account);
          let arn: string | undefined = info.wildcardOnly ? (pattern === '*' ? '*' : undefined) : undefined;
          if (!info.wildcardOnly) {
            for (const type of info.resourceTypes) {
              const p2 = pattern === '*' ? type.arn.replace(/\$\{[^}]+\}/g, '*') : pattern;
              const plain = p2.replace(/\*/g, 'x1');
              arn ??= arnWitness(plain, type.arn) !== undefined ? plain : arnWitness(p2, type.arn);
            }
            arn = arn?.replace(/^(arn:[^:]+:[^:]+:)x1:/, `$1${target.region}:`).replace(/^(arn:[^:]+:[^:]+:[^:]*:)x1:/, `$1${target.account}:`);
          }
          // A permission may pair actions with resources of different types (GetIPSet with ipset and trustedentityset
          // ARNs): only the pairs that fit are requests; that every action fits one resource is iam-catalogue.test.ts's.
          if (arn === undefined) continue;
          const conditions = (permission.conditions ?? {}) as Record<string, Record<string, unknown>>;
          out.push({
            action: iamAction,
            resource: arn,
            context: { 'aws:RequestedRegion': target.region, 'aws:ResourceAccount': target.account, ...satisfying(conditions) },
            why: `${action.name} declares ${iamAction} on ${template}`,
          });
        }
      }
    }
  }
  return out;
}

describe('every grant the actions declare survives generation', () => {
  for (const which of ['member', 'central'] as const) {
    it(`${which} role`, async () => {
      const requests = await declaredRequests(TARGET);
      expect(requests.length).toBeGreaterThan(60);
      expect(describeFailures(await decideAll(principalOf(which === 'member' ? member : central), requests), 'Allowed')).toEqual([]);
    });
  }
});

describe('and refused where the policies say so', () => {
  it('outside the target Regions every call of a regional service is explicitly denied', async () => {
    const regional = new Set(['ec2', 'autoscaling', 'elasticloadbalancing', 'guardduty', 'kms', 'lambda', 'rds', 'secretsmanager']);
    for (const role of [member, central]) {
      const failures: string[] = [];
      for (const fixture of fixtures) {
        const requests = (await requestsOf(fixture, OUTSIDE)).filter((r) => regional.has(r.action.split(':')[0]!));
        failures.push(...describeFailures(await decideAll(principalOf(role), requests), 'ExplicitlyDenied'));
      }
      expect(failures, role.roleName).toEqual([]);
    }
    expect(TARGET_REGIONS).not.toContain(OUTSIDE.region);
  });

  it('rules are changed on Tourniquet\'s own security groups only; NACLs deleted only when Tourniquet\'s', async () => {
    const sg = `arn:aws:ec2:eu-west-1:${CENTRAL_ACCOUNT}:security-group/sg-0app0000000000001`;
    const base = { 'aws:RequestedRegion': 'eu-west-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT, 'ec2:Region': 'eu-west-1' };
    const own = { ...base, 'aws:ResourceTag/tourniquet:role': 'isolation', 'ec2:ResourceTag/tourniquet:role': 'isolation' };
    const p = principalOf(member);
    expect(await decide(p, { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg, context: own, why: 'own group' })).toBe('Allowed');
    expect(await decide(p, { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg, context: base, why: 'the app group' })).toBe('ImplicitlyDenied');
    const acl = `arn:aws:ec2:eu-west-1:${CENTRAL_ACCOUNT}:network-acl/acl-0app0000000000001`;
    expect(await decide(p, { action: 'ec2:DeleteNetworkAcl', resource: acl, context: base, why: 'a customer NACL' })).toBe('ImplicitlyDenied');
  });

  it('DeleteTags needs tag keys, and Tourniquet\'s only (without keys it would delete every tag, the exemption tag too)', async () => {
    const instance = `arn:aws:ec2:eu-west-1:${CENTRAL_ACCOUNT}:instance/i-0a1b2c3d4e5f60718`;
    const base = { 'aws:RequestedRegion': 'eu-west-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT, 'ec2:Region': 'eu-west-1' };
    const p = principalOf(member);
    const deleteTags = (context: Record<string, string | string[]>): Promise<Decision> => decide(p, { action: 'ec2:DeleteTags', resource: instance, context, why: 'DeleteTags' });
    expect(await deleteTags({ ...base, 'aws:TagKeys': ['tourniquet:case', 'tourniquet:status'] })).toBe('Allowed');
    expect(await deleteTags(base)).toBe('ImplicitlyDenied');
    expect(await deleteTags({ ...base, 'aws:TagKeys': ['tourniquet:case', 'tourniquet:exempt', 'Name'] })).toBe('ImplicitlyDenied');
  });

  it('the KMS grant only for an AWS resource, through EC2', async () => {
    const key = `arn:aws:kms:eu-west-1:${CENTRAL_ACCOUNT}:key/0a1b2c3d-0a1b-4c3d-a0a1-0a1b2c3d4e5f`;
    const base = { 'aws:RequestedRegion': 'eu-west-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT };
    const p = principalOf(member);
    const grant = (context: Record<string, string>): Promise<Decision> =>
      decide(p, { action: 'kms:CreateGrant', resource: key, context: { ...base, ...context }, why: 'grant' }, { resourcePolicy: DEFAULT_KEY_POLICY });
    expect(await grant({ 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' })).toBe('Allowed');
    expect(await grant({ 'kms:GrantIsForAWSResource': 'false', 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await grant({ 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' })).toBe('ImplicitlyDenied');
  });

  it('the central role assumes the member role in the listed accounts of its organisation only', async () => {
    const trust = memberTrustPolicy(central.roleArn);
    const assume = (account: string, org: string): Promise<Decision> =>
      decide(
        principalOf(central),
        {
          action: 'sts:AssumeRole',
          resource: `arn:aws:iam::${account}:role/TourniquetResponder`,
          context: { 'aws:RequestedRegion': 'us-east-1', 'aws:ResourceAccount': account, 'aws:ResourceOrgID': org },
          why: 'assume',
        },
        { resourcePolicy: trust, resourceAccount: account },
      );
    expect(await assume(MEMBER_ACCOUNTS[0]!, ORGANIZATION_ID)).toBe('Allowed');
    expect(await assume(MEMBER_ACCOUNTS[1]!, ORGANIZATION_ID)).toBe('Allowed');
    expect(await assume('210000009999', ORGANIZATION_ID)).toBe('ImplicitlyDenied');
    expect(await assume(MEMBER_ACCOUNTS[0]!, 'o-zzzzzzzzzz')).toBe('ImplicitlyDenied');
  });
});

/** A context that satisfies a Deny's conditions (so the test shows the Deny applies where it is meant to). */
function satisfying(condition: Record<string, Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [operator, block] of Object.entries(condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      const first = String([value].flat()[0] ?? 'x1').replace(/\*/g, 'x1');
      if (/Not/.test(operator)) out[key] = key === 'aws:RequestedRegion' ? 'ap-east-1' : '999999999999';
      else if (operator === 'Null') out[key] ??= 'x1'; // present: any value another operator asks for will do
      else out[key] = first;
    }
  }
  return out;
}

/** Every (action, concrete resource) a Deny statement covers; wildcard action patterns expanded through the catalogue. */
async function deniedRequests(statement: Record<string, unknown>, region: string): Promise<IamRequest[]> {
  const out: IamRequest[] = [];
  const resources = [statement['Resource']].flat() as string[];
  for (const pattern of [statement['Action']].flat() as string[]) {
    for (const action of await expandActionPattern(pattern)) {
      const info = await actionInfo(action);
      if (info === undefined) continue;
      for (const resource of resources) {
        let arn: string | undefined;
        if (info.wildcardOnly) arn = resource === '*' ? '*' : undefined;
        else {
          for (const type of info.resourceTypes) {
            const pattern = resource === '*' ? type.arn.replace(/\$\{[^}]+\}/g, '*') : resource;
            // The plain reading of the pattern first (`function:f:*` → `function:f:x1`), else any ARN of the type it covers.
            const plain = pattern.replace(/\*/g, 'x1');
            arn ??= arnWitness(plain, type.arn) !== undefined ? plain : arnWitness(pattern, type.arn);
          }
        }
        if (arn === undefined) continue;
        arn = arn.replace(/^(arn:[^:]+:[^:]+:)x1:/, `$1${region}:`).replace(/^(arn:[^:]+:[^:]+:[^:]*:)x1:/, `$1${CENTRAL_ACCOUNT}:`);
        const account = arn === '*' ? CENTRAL_ACCOUNT : arn.split(':')[4] || CENTRAL_ACCOUNT;
        const context = { 'aws:RequestedRegion': region, 'aws:ResourceAccount': account, ...satisfying(statement['Condition'] as Record<string, Record<string, unknown>> | undefined) };
        out.push({ action, resource: arn, context, why: `${String(statement['Sid'])}: ${action} on ${arn}` });
      }
    }
  }
  return out;
}

describe('self-protection holds even with an allow-all policy added', () => {
  for (const which of ['central', 'member'] as const) {
    it(`${which} role: every Deny statement denies every action and resource it names`, async () => {
      const role = which === 'central' ? central : member;
      const denies = role.policies.flatMap((p) => p.document.Statement).filter((s) => s['Effect'] === 'Deny');
      const sids = denies.map((s) => String(s['Sid']));
      expect(sids).toEqual(expect.arrayContaining(['DenyChangingOwnRoles', 'DenyChangingOwnPolicies', 'DenyOutsideTargetRegions']));
      const failures: string[] = [];
      const ambiguous: string[] = [];
      let count = 0;
      for (const statement of denies) {
        // The Region Deny covers whole services; it is proven on the real calls above.
        if (statement['Sid'] === 'DenyOutsideTargetRegions') continue;
        const requests = await deniedRequests(statement, 'us-east-1');
        if (requests.length === 0) failures.push(`${String(statement['Sid'])}: no request to check`);
        count += requests.length;
        for (const request of requests) {
          const options = request.action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {};
          const withDeny = await decide(principalOf(role, [ALLOW_ALL]), request, options);
          const control = await decide({ arn: role.roleArn, identityPolicies: [ALLOW_ALL] }, request, options);
          // A qualified function ARN is both a version and an alias ARN: the evaluator refuses to pick one.
          if (withDeny.includes('multiple.resource.types') && control === withDeny) ambiguous.push(request.action);
          else if (withDeny !== 'ExplicitlyDenied' || control !== 'Allowed') failures.push(`${request.why}: ${withDeny} (allow-all alone: ${control})`);
        }
      }
      expect(failures).toEqual([]);
      expect([...new Set(ambiguous)].sort()).toEqual(which === 'central' ? ['lambda:DeleteProvisionedConcurrencyConfig', 'lambda:PutProvisionedConcurrencyConfig'] : []);
      console.log(`${which} role: ${denies.length} Deny statements, ${count} denied requests checked`);
      expect(count).toBeGreaterThan(which === 'central' ? 250 : 50);
    });
  }

  it('a new default version of its own managed policies is denied, by the real policy ARNs', async () => {
    for (const role of [central, member]) {
      for (const policy of role.policies) {
        for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion']) {
          const request = { action, resource: policy.arn, context: { 'aws:RequestedRegion': 'us-east-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT }, why: policy.name };
          expect(await decide(principalOf(role, [ALLOW_ALL]), request), `${role.roleName} ${policy.name} ${action}`).toBe('ExplicitlyDenied');
        }
      }
    }
  });
});

describe('run-time deny documents deny the compromised principal and not its neighbours', () => {
  const ROLE = { roleId: 'AROA3XFRBF23EXAMPLE1', roleArn: `arn:aws:iam::${CENTRAL_ACCOUNT}:role/gpu-node-role` };
  const COMPROMISED = 'i-0a1b2c3d4e5f60718';
  const NEIGHBOUR = 'i-0fedcba9876543210';
  const instanceArn = (id: string): string => `arn:aws:ec2:eu-west-1:${CENTRAL_ACCOUNT}:instance/${id}`;
  const readModel = (context: Record<string, string>): IamRequest => ({
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::ml-model-artifacts/models/llm.safetensors',
    context: { 'aws:RequestedRegion': 'eu-west-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT, ...context },
    why: 'read a model',
  });
  const session = (id: string): Principal => ({
    arn: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/gpu-node-role/${id}`,
    identityPolicies: [ALLOW_ALL, denyInstanceSessionDocument(ROLE, 'eu-west-1', CENTRAL_ACCOUNT, COMPROMISED)],
  });

  it('session deny: the instance, and its stolen credentials used elsewhere, are denied; another instance of the role is not', async () => {
    const onInstance = { 'aws:userid': `${ROLE.roleId}:${COMPROMISED}`, 'ec2:SourceInstanceARN': instanceArn(COMPROMISED) };
    expect(await decide(session(COMPROMISED), readModel(onInstance))).toBe('ExplicitlyDenied');
    expect(await decide(session(COMPROMISED), readModel({ 'aws:userid': `${ROLE.roleId}:${COMPROMISED}` }))).toBe('ExplicitlyDenied');
    expect(await decide(session(NEIGHBOUR), readModel({ 'aws:userid': `${ROLE.roleId}:${NEIGHBOUR}`, 'ec2:SourceInstanceARN': instanceArn(NEIGHBOUR) }))).toBe('Allowed');
  });

  it('role-session deny: that session (aws:userid RoleId:session) is denied, wherever used; no other session of the role, nor another role’s session of that name', async () => {
    const deny = denyRoleSessionDocument(ROLE.roleId, 'chat-backend');
    const of = (name: string): Principal => ({ arn: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/gpu-node-role/${name}`, identityPolicies: [ALLOW_ALL, deny] });
    expect(await decide(of('chat-backend'), readModel({ 'aws:userid': `${ROLE.roleId}:chat-backend` }))).toBe('ExplicitlyDenied');
    expect(await decide(of('chat-backend'), readModel({ 'aws:userid': `${ROLE.roleId}:chat-backend`, 'aws:SourceIp': '203.0.113.9' }))).toBe('ExplicitlyDenied');
    expect(await decide(of('chat-backend-2'), readModel({ 'aws:userid': `${ROLE.roleId}:chat-backend-2` }))).toBe('Allowed');
    expect(await decide(of('batch'), readModel({ 'aws:userid': `${ROLE.roleId}:batch` }))).toBe('Allowed');
    expect(await decide(of('chat-backend'), readModel({ 'aws:userid': 'AROA3XFRBF23OTHERROLE:chat-backend' }))).toBe('Allowed');
  });

  it('session revocation: tokens issued before the cut-off are denied, newer ones are not', async () => {
    const p: Principal = { arn: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/gpu-node-role/${NEIGHBOUR}`, identityPolicies: [ALLOW_ALL, revokeOlderSessionsDocument('2026-11-28T15:00:01Z')] };
    expect(await decide(p, readModel({ 'aws:TokenIssueTime': '2026-11-28T14:10:00Z' }))).toBe('ExplicitlyDenied');
    expect(await decide(p, readModel({ 'aws:TokenIssueTime': '2026-11-28T15:05:00Z' }))).toBe('Allowed');
  });
});
