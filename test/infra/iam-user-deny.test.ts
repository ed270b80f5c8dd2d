/**
 * The iam-user playbook's policies through a real policy evaluator (@cloud-copilot/iam-simulate): a stolen key of a
 * user whose own policy allows everything, with AWSCompromisedKeyQuarantineV3 (its v3 document, stored in
 * fixtures/) and the Tourniquet deny attached, is denied what an AI attacker does next — and V3 alone is shown to
 * leave part of it open, which is why the deny exists. The deny's action patterns all name real IAM actions, and it
 * leaves most of IAM's 2,048-character inline quota per user to the user's own policies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AI_DENY_ACTIONS, aiDenyDocument, USER_INLINE_POLICY_QUOTA } from '../../src/actions/iam-user-deny-ai-actions.js';
import { inlinePolicySize } from '../../src/actions/inline-policy-quota.js';
import { actionInfo, expandActionPattern } from './helpers/iam-catalogue.js';
import type { IamRequest } from './helpers/iam-requests.js';
import { ALLOW_ALL, decide, type Principal } from './helpers/iam-simulator.js';
import { CENTRAL_ACCOUNT, memberRole } from './helpers/generated-roles.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const V3 = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'AWSCompromisedKeyQuarantineV3.policy.json'), 'utf8')) as unknown;
const USER = `arn:aws:iam::${ACCOUNT}:user/llm-victim`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ml-admin`;
/** A role that trusts the whole account: what `sts:AssumeRole` pivots into. */
const TRUST_ACCOUNT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };

const stolenKey = (...policies: unknown[]): Principal => ({ arn: USER, identityPolicies: [ALLOW_ALL, ...policies] });

function request(action: string, resource: string): IamRequest {
  return { action, resource, context: { 'aws:RequestedRegion': REGION, 'aws:ResourceAccount': ACCOUNT }, why: action };
}

/** What the attacker calls, on realistic resources. */
const ATTACKER_CALLS: readonly IamRequest[] = [
  // Also authorises Converse and ConverseStream.
  request('bedrock:InvokeModel', `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`),
  request('bedrock:InvokeModelWithResponseStream', `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`),
  request('bedrock:CallWithBearerToken', '*'),
  request('bedrock:CreateModelInvocationJob', `arn:aws:bedrock:${REGION}:${ACCOUNT}:model-invocation-job/job1`),
  request('bedrock:InvokeAgent', `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/AGENT12345/ALIAS12345`),
  request('bedrock:PutUseCaseForModelAccess', '*'),
  request('bedrock:DeleteModelInvocationLoggingConfiguration', '*'),
  request('iam:CreateAccessKey', USER),
  request('iam:CreateServiceSpecificCredential', USER),
  request('iam:UpdateServiceSpecificCredential', USER),
  request('iam:EnableMFADevice', USER),
  request('sagemaker:CreatePresignedNotebookInstanceUrl', `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/nb1`),
  request('sagemaker:CreateTrainingJob', `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/job1`),
  request('sts:GetSessionToken', '*'),
];

async function decideCall(p: Principal, r: IamRequest): Promise<string> {
  const assume = r.action === 'sts:AssumeRole';
  return decide(p, r, assume ? { resourcePolicy: TRUST_ACCOUNT } : {});
}

describe('a stolen IAM user key, after the iam-user playbook', () => {
  it('is denied the model, Bedrock API keys, new keys and role pivots (allowed without the policies)', async () => {
    const calls = [...ATTACKER_CALLS, request('sts:AssumeRole', ROLE)];
    const failures: string[] = [];
    for (const r of calls) {
      const control = await decideCall(stolenKey(), r);
      const contained = await decideCall(stolenKey(V3, aiDenyDocument()), r);
      if (control !== 'Allowed' || contained !== 'ExplicitlyDenied') failures.push(`${r.action}: ${contained} (own policy alone: ${control})`);
    }
    expect(failures).toEqual([]);
  });

  it('the Tourniquet deny holds on its own too (if V3 could not be attached)', async () => {
    const named = ['bedrock:InvokeModel', 'bedrock:CallWithBearerToken', 'iam:CreateAccessKey'];
    for (const r of [...ATTACKER_CALLS.filter((c) => named.includes(c.action)), request('sts:AssumeRole', ROLE)]) {
      expect(await decideCall(stolenKey(aiDenyDocument()), r), r.action).toBe('ExplicitlyDenied');
    }
  });

  it('V3 alone leaves Bedrock API keys, agents, role pivots and new Bedrock keys open: why the deny exists', async () => {
    const open = ['bedrock:CallWithBearerToken', 'bedrock:InvokeAgent', 'iam:CreateServiceSpecificCredential', 'sagemaker:CreatePresignedNotebookInstanceUrl'];
    for (const r of ATTACKER_CALLS.filter((c) => open.includes(c.action))) expect(await decideCall(stolenKey(V3), r), r.action).toBe('Allowed');
    expect(await decideCall(stolenKey(V3), request('sts:AssumeRole', ROLE))).toBe('Allowed');
    // And it does deny the model itself.
    expect(await decideCall(stolenKey(V3), ATTACKER_CALLS[0]!)).toBe('ExplicitlyDenied');
  });

  it('does not deny what it does not name (a read the investigation may watch the key make)', async () => {
    const read = request('s3:ListAllMyBuckets', '*');
    expect(await decideCall(stolenKey(aiDenyDocument()), read)).toBe('Allowed');
  });
});

describe('the deny document', () => {
  it('names real IAM actions only: every pattern matches at least one', async () => {
    const empty: string[] = [];
    for (const pattern of AI_DENY_ACTIONS) if ((await expandActionPattern(pattern)).length === 0) empty.push(pattern);
    expect(empty).toEqual([]);
    expect(await actionInfo('bedrock:CallWithBearerToken')).toBeDefined();
  });

  it('leaves most of the 2,048-character inline quota of a user to its own policies', () => {
    const size = inlinePolicySize(aiDenyDocument());
    expect(size).toBeLessThan(USER_INLINE_POLICY_QUOTA / 2);
    console.log(`Tourniquet AI deny: ${size} of ${USER_INLINE_POLICY_QUOTA} characters`);
  });
});

describe('the responder role and the quarantine policy', () => {
  it('may attach AWSCompromisedKeyQuarantineV3 to a user, and no other managed policy (no escalation through AttachUserPolicy)', async () => {
    const member = await memberRole();
    const responder: Principal = { arn: member.roleArn, identityPolicies: member.policies.map((p) => p.document) };
    const user = `arn:aws:iam::${CENTRAL_ACCOUNT}:user/llm-victim`;
    const attach = (policyArn: string): IamRequest => ({
      action: 'iam:AttachUserPolicy',
      resource: user,
      context: { 'aws:RequestedRegion': 'us-east-1', 'aws:ResourceAccount': CENTRAL_ACCOUNT, 'iam:PolicyARN': policyArn },
      why: policyArn,
    });
    expect(await decide(responder, attach('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3'))).toBe('Allowed');
    expect(await decide(responder, attach('arn:aws:iam::aws:policy/AdministratorAccess'))).toBe('ImplicitlyDenied');
    expect(await decide(responder, attach(`arn:aws:iam::${CENTRAL_ACCOUNT}:policy/anything`))).toBe('ImplicitlyDenied');
  });
});
