/**
 * The Lambda function session deny (iam.deny-function-session) checked like the instance one: every statement is
 * valid against AWS's catalogue, and a real policy evaluator denies the compromised function's session (by its
 * session name, and by the function its credentials were delivered to, so stolen copies used elsewhere too) while
 * another function sharing the role keeps working.
 */
import { describe, expect, it } from 'vitest';
import { denyFunctionSessionDocument } from '../../src/actions/iam-deny-function-session.js';
import { statementProblems, type CatalogueStatement } from './helpers/iam-catalogue.js';
import type { IamRequest } from './helpers/iam-requests.js';
import { ALLOW_ALL, decide, type Principal } from './helpers/iam-simulator.js';

const ACCOUNT = '210987654321';
const ROLE = { roleId: 'AROA3XFRBF23EXAMPLE2', roleArn: `arn:aws:iam::${ACCOUNT}:role/agent-tools-role` };
const COMPROMISED = 'agent-tool';
const NEIGHBOUR = 'agent-search';
const functionArn = (name: string): string => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}`;
const doc = denyFunctionSessionDocument(ROLE, 'eu-west-1', ACCOUNT, COMPROMISED);

const readModel = (context: Record<string, string>): IamRequest => ({
  action: 'bedrock:InvokeModel',
  resource: 'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-v2',
  context: { 'aws:RequestedRegion': 'eu-west-1', ...context },
  why: 'invoke a model',
});

const session = (name: string): Principal => ({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/agent-tools-role/${name}`, identityPolicies: [ALLOW_ALL, doc] });

describe('the function session deny', () => {
  it('is valid against the catalogue', async () => {
    const statements = (doc as unknown as { Statement: CatalogueStatement[] }).Statement;
    expect(statements).toHaveLength(2);
    expect((await Promise.all(statements.map((s) => statementProblems(s)))).flat()).toEqual([]);
  });

  it('denies the function’s session and its credentials used elsewhere; another function of the role is not denied', async () => {
    expect(await decide(session(COMPROMISED), readModel({ 'aws:userid': `${ROLE.roleId}:${COMPROMISED}`, 'lambda:SourceFunctionArn': functionArn(COMPROMISED) }))).toBe('ExplicitlyDenied');
    // Stolen keys used from a laptop: no SourceFunctionArn, same session name.
    expect(await decide(session(COMPROMISED), readModel({ 'aws:userid': `${ROLE.roleId}:${COMPROMISED}` }))).toBe('ExplicitlyDenied');
    expect(await decide(session(COMPROMISED), readModel({ 'lambda:SourceFunctionArn': `${functionArn(COMPROMISED)}:7` }))).toBe('ExplicitlyDenied');
    expect(await decide(session(NEIGHBOUR), readModel({ 'aws:userid': `${ROLE.roleId}:${NEIGHBOUR}`, 'lambda:SourceFunctionArn': functionArn(NEIGHBOUR) }))).toBe('Allowed');
    // A function whose name starts like the compromised one's is not matched.
    expect(await decide(session(`${COMPROMISED}-v2`), readModel({ 'aws:userid': `${ROLE.roleId}:${COMPROMISED}-v2`, 'lambda:SourceFunctionArn': functionArn(`${COMPROMISED}-v2`) }))).toBe('Allowed');
  });
});
